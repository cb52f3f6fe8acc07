"""marketplace: the migrations 0011_objection_and_reconciliation_status_changes … 0019_preemption_waiver_file in one (Django uses it where none of
them has been applied, and takes it as applied where all have). Every operation of theirs, data
steps included (a database that has the migrations before them may have rows), through
Django's optimizer as squashmigrations does; a run of new models is made at once
(core.migration_operations.CreateModels)."""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.migration_operations


# from 0013_issue_missing_confirmations
def issue_missing(apps, schema_editor):
    Deal = apps.get_model("marketplace", "Deal")
    missing = list(Deal.objects.filter(confirmation__isnull=True).values_list("pk", flat=True))
    if not missing:
        return
    from marketplace.models import Deal as LiveDeal
    from marketplace.services.confirmation import deal_confirmation_issue

    for pk in missing:
        deal_confirmation_issue(deal=LiveDeal.objects.get(pk=pk))


# from 0015_contract_registration_changes
def unpublish_malformed_numbers(apps, schema_editor):
    """Results published before the format was checked keep only well-formed numbers; the deal
    keeps what was typed, for an operator to correct (marketplace.validators)."""
    from marketplace.validators import contract_registration_no_valid

    Result = apps.get_model("marketplace", "Result")
    for result in Result.objects.exclude(contract_registration_no="").only("pk", "contract_registration_no"):
        if not contract_registration_no_valid(result.contract_registration_no):
            Result.objects.filter(pk=result.pk).update(contract_registration_no="")


class Migration(migrations.Migration):
    replaces = [
        ("marketplace", "0011_objection_and_reconciliation_status_changes"),
        ("marketplace", "0012_sync_xid"),
        ("marketplace", "0013_issue_missing_confirmations"),
        ("marketplace", "0014_brokers_and_mandates"),
        ("marketplace", "0015_contract_registration_changes"),
        ("marketplace", "0016_fair_trades"),
        ("marketplace", "0017_data_rooms"),
        ("marketplace", "0018_payment_receipts"),
        ("marketplace", "0019_preemption_waiver_file"),
    ]

    dependencies = [
        ("accounts", "0011_organization_phone"),
        ("core", "0001_sync"),
        ("listings", "0012_search_characters_and_pairs"),
        ("marketplace", "0010_conversion_models_leave"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        core.migration_operations.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="ObjectionStatusChange",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("from_status", models.CharField(blank=True, max_length=16)),
                        ("to_status", models.CharField(max_length=16)),
                        ("reason", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "objection",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="status_changes",
                                to="marketplace.objection",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ("created_at", "id"),
                    },
                ),
                migrations.CreateModel(
                    name="ReconciliationRunStatusChange",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("from_status", models.CharField(blank=True, max_length=16)),
                        ("to_status", models.CharField(max_length=16)),
                        ("reason", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "run",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="status_changes",
                                to="marketplace.reconciliationrun",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ("created_at", "id"),
                    },
                ),
            ],
        ),
        migrations.AddField(
            model_name="result",
            name="sync_xid",
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.RunSQL(
            sql="\n    UPDATE marketplace_result t SET sync_xid = r.n - r.total - 1\n    FROM (SELECT id, row_number() OVER (ORDER BY updated_at, id) AS n, count(*) OVER () AS total\n          FROM marketplace_result) r\n    WHERE t.id = r.id\n",
            reverse_sql="",
        ),
        migrations.RemoveIndex(
            model_name="result",
            name="result_sync",
        ),
        migrations.RemoveIndex(
            model_name="result",
            name="result_mode_sync",
        ),
        migrations.RemoveIndex(
            model_name="result",
            name="result_field_sync",
        ),
        migrations.AlterField(
            model_name="result",
            name="updated_at",
            field=models.DateTimeField(verbose_name="更新时间"),
        ),
        migrations.AddIndex(
            model_name="result",
            index=models.Index(fields=["sync_xid", "id"], name="result_sync_xid"),
        ),
        migrations.AddIndex(
            model_name="result",
            index=models.Index(fields=["mode", "sync_xid", "id"], name="result_mode_sync_xid"),
        ),
        migrations.AddIndex(
            model_name="result",
            index=models.Index(fields=["field", "sync_xid", "id"], name="result_field_sync_xid"),
        ),
        migrations.RunSQL(
            sql="CREATE TRIGGER marketplace_result_sync BEFORE INSERT OR UPDATE ON marketplace_result FOR EACH ROW EXECUTE FUNCTION market_sync_row()",
            reverse_sql="DROP TRIGGER IF EXISTS marketplace_result_sync ON marketplace_result",
        ),
        migrations.RunPython(
            code=issue_missing,
            reverse_code=migrations.RunPython.noop,
        ),
        core.migration_operations.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="MandateStatusChange",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("from_status", models.CharField(blank=True, max_length=16)),
                        ("to_status", models.CharField(max_length=16)),
                        ("reason", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "mandate",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="status_changes",
                                to="marketplace.mandate",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ("created_at", "id"),
                    },
                ),
                migrations.CreateModel(
                    name="BrokerProfile",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=50, verbose_name="姓名")),
                        (
                            "certificate_no",
                            models.CharField(max_length=64, unique=True, verbose_name="技术经理人证书编号"),
                        ),
                        (
                            "fields",
                            django.contrib.postgres.fields.ArrayField(
                                base_field=models.CharField(
                                    choices=[
                                        ("electronics", "电子信息"),
                                        ("biomedicine", "生物与新医药"),
                                        ("aerospace", "航空航天"),
                                        ("new_materials", "新材料"),
                                        ("tech_services", "高技术服务"),
                                        ("new_energy", "新能源与节能"),
                                        ("environment", "资源与环境"),
                                        ("advanced_manufacturing", "先进制造与自动化"),
                                        ("agriculture", "现代农业"),
                                        ("other", "其他"),
                                    ],
                                    max_length=32,
                                ),
                                default=list,
                                size=None,
                                verbose_name="服务领域",
                            ),
                        ),
                        ("bio", models.TextField(blank=True, verbose_name="简介")),
                        ("points", models.PositiveIntegerField(default=0, verbose_name="贡献积分")),
                        ("deal_count", models.PositiveIntegerField(default=0, verbose_name="促成成交数")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="brokers",
                                to="accounts.organization",
                            ),
                        ),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="broker_profile",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "技术经理人",
                        "verbose_name_plural": "技术经理人",
                        "indexes": [models.Index(fields=["-points", "id"], name="broker_ranking")],
                    },
                ),
                migrations.CreateModel(
                    name="BrokerPoints",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("points", models.PositiveIntegerField(verbose_name="贡献积分")),
                        ("rule", models.JSONField()),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "deal",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="broker_points",
                                to="marketplace.deal",
                            ),
                        ),
                        (
                            "broker",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="points_rows",
                                to="marketplace.brokerprofile",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "贡献积分",
                        "verbose_name_plural": "贡献积分",
                    },
                ),
                migrations.CreateModel(
                    name="Mandate",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "commission_rate",
                            models.DecimalField(decimal_places=4, max_digits=5, verbose_name="佣金比例"),
                        ),
                        ("ends_on", models.DateField(verbose_name="委托截止日")),
                        (
                            "status",
                            models.CharField(
                                choices=[("active", "有效"), ("revoked", "已撤销")],
                                default="active",
                                max_length=16,
                                verbose_name="状态",
                            ),
                        ),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField()),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "broker",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="mandates",
                                to="marketplace.brokerprofile",
                            ),
                        ),
                        (
                            "given_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "listing",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="mandates",
                                to="listings.listing",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "委托",
                        "verbose_name_plural": "委托",
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("commission_rate__gt", 0), ("commission_rate__lte", 1)),
                                name="mandate_rate_fraction",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("status", "active")),
                                fields=("listing", "broker"),
                                name="mandate_one_active",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("revoked_at__isnull", False), ("status", "revoked")),
                                    models.Q(("status", "revoked"), _negated=True),
                                    _connector="OR",
                                ),
                                name="mandate_revoked_stamped",
                            ),
                        ],
                    },
                ),
            ],
        ),
        migrations.AddField(
            model_name="deal",
            name="mandate",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="deals",
                to="marketplace.mandate",
            ),
        ),
        migrations.AddConstraint(
            model_name="deal",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("broker__isnull", True), ("mandate__isnull", True)),
                    models.Q(("broker__isnull", False), ("mandate__isnull", False)),
                    _connector="OR",
                ),
                name="deal_broker_with_its_mandate",
            ),
        ),
        migrations.CreateModel(
            name="ContractRegistrationChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("from_no", models.CharField(blank=True, max_length=64, verbose_name="原登记号")),
                ("to_no", models.CharField(max_length=64, verbose_name="新登记号")),
                ("reason", models.TextField(blank=True, verbose_name="理由")),
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
                    "deal",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="contract_registration_changes",
                        to="marketplace.deal",
                    ),
                ),
            ],
            options={
                "verbose_name": "技术合同登记号变更",
                "verbose_name_plural": "技术合同登记号变更",
                "ordering": ("created_at", "id"),
            },
        ),
        migrations.RunPython(
            code=unpublish_malformed_numbers,
            reverse_code=migrations.RunPython.noop,
        ),
        core.migration_operations.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="PreemptionClaim",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "price",
                            models.DecimalField(decimal_places=2, max_digits=14, verbose_name="同等条件价格"),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[("open", "待成交"), ("exercised", "已行使"), ("lapsed", "已失效")],
                                default="open",
                                max_length=16,
                                verbose_name="状态",
                            ),
                        ),
                        ("claimed_at", models.DateTimeField()),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "claimed_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "deal",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="marketplace.deal",
                            ),
                        ),
                        (
                            "listing",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="preemption_claims",
                                to="listings.listing",
                            ),
                        ),
                        (
                            "notice",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="marketplace.publicnotice",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.organization",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "优先受让主张",
                        "verbose_name_plural": "优先受让主张",
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("status", "open")),
                                fields=("listing",),
                                name="preemption_claim_one_open",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("price__gt", 0)), name="preemption_claim_price_positive"
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="PreemptionClaimStatusChange",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("from_status", models.CharField(blank=True, max_length=16)),
                        ("to_status", models.CharField(max_length=16)),
                        ("reason", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "claim",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="status_changes",
                                to="marketplace.preemptionclaim",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ("created_at", "id"),
                    },
                ),
                migrations.CreateModel(
                    name="Preemption",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("inventor_name", models.CharField(max_length=100, verbose_name="完成人")),
                        ("waived", models.BooleanField(verbose_name="已放弃")),
                        ("document", models.JSONField(blank=True, null=True)),
                        ("recorded_at", models.DateTimeField()),
                        ("superseded_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "achievement",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="preemptions",
                                to="listings.achievement",
                            ),
                        ),
                        (
                            "holder_organization",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="preemptions_held",
                                to="accounts.organization",
                            ),
                        ),
                        (
                            "inventor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="preemptions",
                                to="listings.inventor",
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "优先受让权登记",
                        "verbose_name_plural": "优先受让权登记",
                        "ordering": ("inventor_name", "id"),
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(
                                        ("document__isnull", False),
                                        ("holder_organization__isnull", True),
                                        ("waived", True),
                                    ),
                                    models.Q(("holder_organization__isnull", False), ("waived", False)),
                                    _connector="OR",
                                ),
                                name="preemption_waiver_or_holder",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("superseded_at__isnull", True)),
                                fields=("achievement", "inventor_name"),
                                name="preemption_one_current",
                            ),
                        ],
                    },
                ),
            ],
        ),
        core.migration_operations.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="DataRoom",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("nda_text", models.TextField(verbose_name="保密协议")),
                        ("nda_version", models.PositiveIntegerField(default=1, verbose_name="保密协议版本")),
                        (
                            "requires_approval",
                            models.BooleanField(
                                default=False,
                                help_text="开启后，受让方接受保密协议后还须经本单位同意才能查阅。",
                                verbose_name="查阅须经本单位同意",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "listing",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="data_room",
                                to="listings.listing",
                            ),
                        ),
                        (
                            "updated_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "资料室",
                        "verbose_name_plural": "资料室",
                    },
                ),
                migrations.CreateModel(
                    name="DataRoomAccess",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("requested", "待同意"),
                                    ("granted", "可查阅"),
                                    ("rejected", "未同意"),
                                    ("revoked", "已撤销"),
                                ],
                                max_length=16,
                                verbose_name="状态",
                            ),
                        ),
                        ("nda_version", models.PositiveIntegerField(verbose_name="接受的保密协议版本")),
                        ("nda_accepted_at", models.DateTimeField(verbose_name="接受时间")),
                        (
                            "nda_accepted_from",
                            models.GenericIPAddressField(blank=True, null=True, verbose_name="接受时的地址"),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "nda_accepted_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="data_room_accesses",
                                to="accounts.organization",
                            ),
                        ),
                        (
                            "room",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="accesses",
                                to="marketplace.dataroom",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "资料室查阅权限",
                        "verbose_name_plural": "资料室查阅权限",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("room", "organization"), name="data_room_access_once"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="DataRoomAccessStatusChange",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("from_status", models.CharField(blank=True, max_length=16)),
                        ("to_status", models.CharField(max_length=16)),
                        ("reason", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "access",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="status_changes",
                                to="marketplace.dataroomaccess",
                            ),
                        ),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "ordering": ("created_at", "id"),
                    },
                ),
                migrations.CreateModel(
                    name="DataRoomFile",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("file", models.FileField(max_length=200, upload_to="", verbose_name="文件")),
                        ("name", models.CharField(max_length=120, verbose_name="文件名")),
                        ("kind", models.CharField(max_length=8)),
                        ("size", models.PositiveIntegerField()),
                        ("sha256", models.CharField(max_length=64)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "room",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="files",
                                to="marketplace.dataroom",
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
                                condition=models.Q(("size__gt", 0)), name="data_room_file_size_positive"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="DataRoomEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "action",
                            models.CharField(
                                choices=[("view", "查看目录"), ("download", "下载文件")],
                                max_length=16,
                                verbose_name="操作",
                            ),
                        ),
                        ("address", models.GenericIPAddressField(blank=True, null=True, verbose_name="地址")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "access",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="events",
                                to="marketplace.dataroomaccess",
                            ),
                        ),
                        (
                            "room",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="events",
                                to="marketplace.dataroom",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "file",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="events",
                                to="marketplace.dataroomfile",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ("-id",),
                        "indexes": [models.Index(fields=["room", "-id"], name="data_room_event_room")],
                    },
                ),
            ],
        ),
        migrations.CreateModel(
            name="PaymentReceipt",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("file", models.FileField(max_length=200, upload_to="", verbose_name="银行回单")),
                ("name", models.CharField(max_length=120, verbose_name="文件名")),
                ("kind", models.CharField(max_length=8)),
                ("size", models.PositiveIntegerField()),
                ("sha256", models.CharField(max_length=64)),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="说明")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "payable",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="receipts",
                        to="marketplace.payable",
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
                "ordering": ("-created_at", "-id"),
            },
        ),
        migrations.RemoveConstraint(
            model_name="preemption",
            name="preemption_waiver_or_holder",
        ),
        migrations.AddField(
            model_name="preemption",
            name="document_file",
            field=models.FileField(blank=True, max_length=200, upload_to="", verbose_name="放弃声明文件"),
        ),
        migrations.AddConstraint(
            model_name="preemption",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("document__isnull", False),
                        ("holder_organization__isnull", True),
                        ("waived", True),
                        models.Q(("document_file", ""), _negated=True),
                    ),
                    models.Q(("holder_organization__isnull", False), ("waived", False)),
                    _connector="OR",
                ),
                name="preemption_waiver_or_holder",
            ),
        ),
    ]
