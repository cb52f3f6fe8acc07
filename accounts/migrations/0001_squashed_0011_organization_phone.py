"""accounts: the migrations 0001_initial … 0011_organization_phone in one, for a fresh database (Django uses
it where none of them has been applied, and takes it as applied where all have). The final state
of their models, created at once (core.migration_operations.CreateModels), then every SQL step
that makes a function, trigger or data the schema needs, in their order. Left out: the steps
that only rework existing rows (a fresh database has none)."""

import django.contrib.auth.models
import django.contrib.auth.validators
import django.contrib.postgres.fields
import django.core.serializers.json
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import core.migration_operations

SQL_0004_0 = """
CREATE FUNCTION accounts_organizations_related(a bigint, b bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT a = b OR EXISTS (
        SELECT 1 FROM accounts_organizationrelation rel
         WHERE rel.low_id = LEAST(a, b) AND rel.high_id = GREATEST(a, b))
$$;
"""

SQL_0004_0_BACK = """DROP FUNCTION accounts_organizations_related(bigint, bigint);"""

SQL_0005_0 = """
CREATE OR REPLACE FUNCTION accounts_organizations_related(a bigint, b bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN a = b OR EXISTS (
        SELECT 1 FROM accounts_organizationrelation rel
         WHERE rel.low_id = LEAST(a, b) AND rel.high_id = GREATEST(a, b));
END
$$;
"""

SQL_0005_0_BACK = """
CREATE OR REPLACE FUNCTION accounts_organizations_related(a bigint, b bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT a = b OR EXISTS (
        SELECT 1 FROM accounts_organizationrelation rel
         WHERE rel.low_id = LEAST(a, b) AND rel.high_id = GREATEST(a, b))
$$;
"""

SQL_0008_0 = """
CREATE OR REPLACE FUNCTION accounts_person_tied_to(p_user bigint, p_holder bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN EXISTS (
        SELECT 1 FROM accounts_membership m
         WHERE m.user_id = p_user AND accounts_organizations_related(m.organization_id, p_holder));
END
$$;

CREATE OR REPLACE FUNCTION accounts_organization_tied_to(p_org bigint, p_holder bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN accounts_organizations_related(p_org, p_holder) OR EXISTS (
        SELECT 1 FROM accounts_membership mine
          JOIN accounts_membership theirs ON theirs.user_id = mine.user_id
         WHERE mine.organization_id = p_org
           AND theirs.organization_id <> p_org
           AND accounts_organizations_related(theirs.organization_id, p_holder));
END
$$;
"""

SQL_0008_0_BACK = """
DROP FUNCTION IF EXISTS accounts_organization_tied_to(bigint, bigint);
DROP FUNCTION IF EXISTS accounts_person_tied_to(bigint, bigint);
"""

GROUPS = {
    "平台审核": ("moderate", "平台运营：审核机构与挂牌"),
    "平台财务": ("finance", "平台运营：确认付款与结算"),
}


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
    replaces = [
        ("accounts", "0001_initial"),
        ("accounts", "0002_operator_groups"),
        ("accounts", "0003_notification"),
        ("accounts", "0004_related_party_function"),
        ("accounts", "0005_related_party_function_plpgsql"),
        ("accounts", "0006_api_token_expiry_and_use"),
        ("accounts", "0007_invitations"),
        ("accounts", "0008_tied_to_holder_functions"),
        ("accounts", "0009_expert"),
        ("accounts", "0010_notification_preferences"),
        ("accounts", "0011_organization_phone"),
    ]

    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        core.migration_operations.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="User",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("password", models.CharField(max_length=128, verbose_name="password")),
                        (
                            "last_login",
                            models.DateTimeField(blank=True, null=True, verbose_name="last login"),
                        ),
                        (
                            "is_superuser",
                            models.BooleanField(
                                default=False,
                                help_text="Designates that this user has all permissions without explicitly assigning them.",
                                verbose_name="superuser status",
                            ),
                        ),
                        (
                            "username",
                            models.CharField(
                                error_messages={"unique": "A user with that username already exists."},
                                help_text="Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.",
                                max_length=150,
                                unique=True,
                                validators=[django.contrib.auth.validators.UnicodeUsernameValidator()],
                                verbose_name="username",
                            ),
                        ),
                        (
                            "first_name",
                            models.CharField(blank=True, max_length=150, verbose_name="first name"),
                        ),
                        ("last_name", models.CharField(blank=True, max_length=150, verbose_name="last name")),
                        (
                            "email",
                            models.EmailField(blank=True, max_length=254, verbose_name="email address"),
                        ),
                        (
                            "is_staff",
                            models.BooleanField(
                                default=False,
                                help_text="Designates whether the user can log into this admin site.",
                                verbose_name="staff status",
                            ),
                        ),
                        (
                            "is_active",
                            models.BooleanField(
                                default=True,
                                help_text="Designates whether this user should be treated as active. Unselect this instead of deleting accounts.",
                                verbose_name="active",
                            ),
                        ),
                        (
                            "date_joined",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="date joined"
                            ),
                        ),
                        (
                            "groups",
                            models.ManyToManyField(
                                blank=True,
                                help_text="The groups this user belongs to. A user will get all permissions granted to each of their groups.",
                                related_name="user_set",
                                related_query_name="user",
                                to="auth.group",
                                verbose_name="groups",
                            ),
                        ),
                        (
                            "user_permissions",
                            models.ManyToManyField(
                                blank=True,
                                help_text="Specific permissions for this user.",
                                related_name="user_set",
                                related_query_name="user",
                                to="auth.permission",
                                verbose_name="user permissions",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "用户",
                        "verbose_name_plural": "用户",
                        "indexes": [],
                        "constraints": [],
                    },
                    managers=[
                        ("objects", django.contrib.auth.models.UserManager()),
                    ],
                ),
                migrations.CreateModel(
                    name="ApiToken",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(blank=True, max_length=100)),
                        ("key_hash", models.CharField(max_length=64, unique=True)),
                        ("read_only", models.BooleanField(default=False)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="api_tokens",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        ("last_used_at", models.DateTimeField(blank=True, null=True)),
                        ("expires_at", models.DateTimeField()),
                    ],
                    options={
                        "verbose_name": "API 令牌",
                        "verbose_name_plural": "API 令牌",
                        "indexes": [
                            models.Index(fields=["user", "-created_at"], name="apitoken_user_created")
                        ],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="Organization",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=200, verbose_name="名称")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("university", "高校"),
                                    ("institute", "科研院所"),
                                    ("hospital", "医疗卫生机构"),
                                    ("state_enterprise", "国有企业"),
                                    ("enterprise", "企业"),
                                    ("agency", "服务机构"),
                                ],
                                max_length=32,
                                verbose_name="类型",
                            ),
                        ),
                        (
                            "credit_code",
                            models.CharField(max_length=18, unique=True, verbose_name="统一社会信用代码"),
                        ),
                        ("region", models.CharField(blank=True, max_length=100, verbose_name="所在地区")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "待审核"),
                                    ("verified", "已认证"),
                                    ("rejected", "未通过"),
                                    ("suspended", "已暂停"),
                                ],
                                default="pending",
                                max_length=16,
                                verbose_name="认证状态",
                            ),
                        ),
                        (
                            "requires_internal_approval",
                            models.BooleanField(
                                default=False,
                                help_text="开启后，挂牌须先经本单位审批人同意再提交平台审核。",
                                verbose_name="需要内部审批（安心屋）",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        ("phone", models.CharField(blank=True, max_length=30, verbose_name="联系电话")),
                        (
                            "phone_digits",
                            models.GeneratedField(
                                db_persist=True,
                                expression=models.Func(
                                    models.Func(
                                        models.F("phone"),
                                        models.Value("[^0-9]"),
                                        models.Value(""),
                                        models.Value("g"),
                                        function="regexp_replace",
                                    ),
                                    models.Value("^(00)?86(1[0-9]{10})$"),
                                    models.Value("\\2"),
                                    function="regexp_replace",
                                ),
                                output_field=models.CharField(max_length=30),
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "机构",
                        "verbose_name_plural": "机构",
                        "permissions": [
                            ("moderate", "平台运营：审核机构与挂牌"),
                            ("finance", "平台运营：确认付款与结算"),
                        ],
                        "indexes": [],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("credit_code__regex", "^[0-9A-HJ-NPQRTUWXY]{18}$")),
                                name="organization_credit_code_shape",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Membership",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "role",
                            models.CharField(
                                choices=[
                                    ("admin", "管理员"),
                                    ("member", "成员"),
                                    ("approver", "内部审批人"),
                                    ("broker", "技术经纪人"),
                                ],
                                default="member",
                                max_length=16,
                                verbose_name="角色",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to="accounts.organization",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "成员",
                        "verbose_name_plural": "成员",
                        "indexes": [],
                        "constraints": [
                            models.UniqueConstraint(fields=("user", "organization"), name="membership_unique")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="OrganizationRelation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("kind", models.CharField(max_length=100, verbose_name="关联关系")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "declared_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "high",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="accounts.organization",
                            ),
                        ),
                        (
                            "low",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="accounts.organization",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "关联方",
                        "verbose_name_plural": "关联方",
                        "indexes": [],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("low", "high"), name="organization_relation_unique"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("low__lt", models.F("high"))),
                                name="organization_relation_ordered",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="OrganizationStatusChange",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "from_status",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("pending", "待审核"),
                                    ("verified", "已认证"),
                                    ("rejected", "未通过"),
                                    ("suspended", "已暂停"),
                                ],
                                max_length=16,
                            ),
                        ),
                        (
                            "to_status",
                            models.CharField(
                                choices=[
                                    ("pending", "待审核"),
                                    ("verified", "已认证"),
                                    ("rejected", "未通过"),
                                    ("suspended", "已暂停"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("reason", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="status_changes",
                                to="accounts.organization",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "机构审核记录",
                        "verbose_name_plural": "机构审核记录",
                        "ordering": ("created_at", "id"),
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="IdempotencyRecord",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("scope", models.CharField(max_length=200)),
                        ("key", models.CharField(max_length=200)),
                        ("request_hash", models.CharField(max_length=64)),
                        ("status_code", models.PositiveSmallIntegerField()),
                        ("body", models.JSONField(encoder=django.core.serializers.json.DjangoJSONEncoder)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("user", "scope", "key"), name="idempotency_unique"
                            )
                        ],
                        "indexes": [],
                    },
                ),
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("kind", models.CharField(max_length=64)),
                        ("title", models.CharField(max_length=200)),
                        ("body", models.TextField(blank=True)),
                        ("link", models.CharField(blank=True, max_length=500)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("read_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "ordering": ("-created_at", "-id"),
                        "indexes": [
                            models.Index(fields=["user", "read_at"], name="notification_user_unread")
                        ],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="Invitation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "role",
                            models.CharField(
                                choices=[
                                    ("admin", "管理员"),
                                    ("member", "成员"),
                                    ("approver", "内部审批人"),
                                    ("broker", "技术经纪人"),
                                ],
                                max_length=16,
                                verbose_name="角色",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("invited", "待接受"),
                                    ("accepted", "已接受"),
                                    ("declined", "已谢绝"),
                                ],
                                default="invited",
                                max_length=16,
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "invited_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="invitations",
                                to="accounts.organization",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="invitations",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "成员邀请",
                        "verbose_name_plural": "成员邀请",
                        "indexes": [],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("status", "invited")),
                                fields=("user", "organization"),
                                name="invitation_one_open_per_person",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="InvitationStatusChange",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "from_status",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("invited", "待接受"),
                                    ("accepted", "已接受"),
                                    ("declined", "已谢绝"),
                                ],
                                max_length=16,
                            ),
                        ),
                        (
                            "to_status",
                            models.CharField(
                                choices=[
                                    ("invited", "待接受"),
                                    ("accepted", "已接受"),
                                    ("declined", "已谢绝"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("reason", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "invitation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="status_changes",
                                to="accounts.invitation",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ("created_at", "id"),
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="Expert",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "fields",
                            django.contrib.postgres.fields.ArrayField(
                                base_field=models.CharField(max_length=32),
                                default=list,
                                size=None,
                                verbose_name="评议领域",
                            ),
                        ),
                        (
                            "organization_name",
                            models.CharField(blank=True, max_length=200, verbose_name="工作单位"),
                        ),
                        ("title", models.CharField(blank=True, max_length=100, verbose_name="职称")),
                        ("conflicts_note", models.TextField(blank=True, verbose_name="利益关联说明")),
                        ("active", models.BooleanField(default=True, verbose_name="可受邀")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "conflicts",
                            models.ManyToManyField(
                                blank=True,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="利益关联单位",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="experts",
                                to="accounts.organization",
                            ),
                        ),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="expert",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "评议专家",
                        "verbose_name_plural": "评议专家",
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="NotificationPreference",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("kind", models.CharField(max_length=64)),
                        ("email", models.BooleanField(default=True, verbose_name="邮件通知")),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notification_preferences",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "消息设置",
                        "verbose_name_plural": "消息设置",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("user", "kind"), name="notification_preference_once"
                            )
                        ],
                        "indexes": [],
                    },
                ),
            ],
        ),
        # from 0002_operator_groups
        migrations.RunPython(create_groups, migrations.RunPython.noop),
        # from 0004_related_party_function
        migrations.RunSQL(SQL_0004_0, SQL_0004_0_BACK),
        # from 0005_related_party_function_plpgsql
        migrations.RunSQL(SQL_0005_0, SQL_0005_0_BACK),
        # from 0008_tied_to_holder_functions
        migrations.RunSQL(SQL_0008_0, SQL_0008_0_BACK),
    ]
