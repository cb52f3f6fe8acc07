"""The operator groups: 平台审核 (moderation) and 平台财务 (finance), each holding its permission."""

from django.db import migrations

GROUPS = {"平台审核": ("moderate", "平台运营：审核机构与挂牌"), "平台财务": ("finance", "平台运营：确认付款与结算")}


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="accounts", model="organization")
    for name, (codename, label) in GROUPS.items():
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": label}
        )
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
