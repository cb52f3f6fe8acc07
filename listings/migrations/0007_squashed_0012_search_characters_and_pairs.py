"""listings: the migrations 0007_conversion_models_leave … 0012_search_characters_and_pairs in one (Django uses it where none of
them has been applied, and takes it as applied where all have). Every operation of theirs, data
steps included (a database that has the migrations before them may have rows), through
Django's optimizer as squashmigrations does; a run of new models is made at once
(core.migration_operations.CreateModels)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# from 0012_search_characters_and_pairs
def reindex(apps, schema_editor):
    from listings.services.bulk import listings_index_missing

    listings_index_missing(everything=True)


class Migration(migrations.Migration):
    replaces = [
        ("listings", "0007_conversion_models_leave"),
        ("listings", "0008_achievement_conversion_dates"),
        ("listings", "0009_ip_legal_status"),
        ("listings", "0010_sync_xid"),
        ("listings", "0011_achievement_attachments"),
        ("listings", "0012_search_characters_and_pairs"),
    ]

    dependencies = [
        ("core", "0001_sync"),
        ("listings", "0006_commit_ordered_sync"),
        ("marketplace", "0010_conversion_models_leave"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name="AchievementRegistration",
                ),
                migrations.DeleteModel(
                    name="Justification",
                ),
                migrations.DeleteModel(
                    name="RegistrationOverdueNotice",
                ),
                migrations.DeleteModel(
                    name="SelfImplementation",
                ),
                migrations.DeleteModel(
                    name="UseFirstEntry",
                ),
            ],
        ),
        migrations.AddField(
            model_name="achievement",
            name="conversion_deadline",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="限时转化截止日"),
        ),
        migrations.AddField(
            model_name="achievement",
            name="free_license_date",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="可无偿实施日"),
        ),
        migrations.RenameField(
            model_name="intellectualproperty",
            old_name="status",
            new_name="legal_status",
        ),
        migrations.AlterField(
            model_name="intellectualproperty",
            name="legal_status",
            field=models.CharField(
                choices=[("pending", "申请中"), ("granted", "已授权"), ("lapsed", "已失效")],
                default="granted",
                max_length=16,
                verbose_name="法律状态",
            ),
        ),
        migrations.AddField(
            model_name="listing",
            name="sync_xid",
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.RunSQL(
            sql="\n        UPDATE listings_listing t SET sync_xid = r.n - r.total - 1\n        FROM (SELECT id, row_number() OVER (ORDER BY updated_at, id) AS n, count(*) OVER () AS total\n              FROM listings_listing) r\n        WHERE t.id = r.id\n    ",
            reverse_sql="",
        ),
        migrations.RemoveIndex(
            model_name="listing",
            name="listing_sync",
        ),
        migrations.AddIndex(
            model_name="listing",
            index=models.Index(fields=["sync_xid", "id"], name="listing_sync_xid"),
        ),
        migrations.RunSQL(
            sql="CREATE TRIGGER listings_listing_sync BEFORE INSERT OR UPDATE ON listings_listing FOR EACH ROW EXECUTE FUNCTION market_sync_row()",
            reverse_sql="DROP TRIGGER IF EXISTS listings_listing_sync ON listings_listing",
        ),
        migrations.RunSQL(
            sql="DROP SEQUENCE IF EXISTS market_sync_tick",
            reverse_sql="CREATE SEQUENCE IF NOT EXISTS market_sync_tick",
        ),
        migrations.CreateModel(
            name="AchievementAttachment",
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
                            ("certificate", "专利证书"),
                            ("photo", "图片"),
                            ("brochure", "宣传册"),
                            ("other", "其他资料"),
                        ],
                        max_length=16,
                        verbose_name="类别",
                    ),
                ),
                ("caption", models.CharField(blank=True, max_length=100, verbose_name="说明")),
                ("file", models.FileField(max_length=200, upload_to="", verbose_name="文件")),
                ("name", models.CharField(max_length=120, verbose_name="文件名")),
                ("kind", models.CharField(max_length=8)),
                ("size", models.PositiveIntegerField()),
                ("sha256", models.CharField(max_length=64)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "achievement",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attachments",
                        to="listings.achievement",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ("id",),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("size__gt", 0)), name="attachment_size_positive"
                    )
                ],
            },
        ),
        migrations.RunPython(
            code=reindex,
            reverse_code=migrations.RunPython.noop,
        ),
    ]
