"""portal: the migrations 0001_initial … 0002_risk_rule_shared_phone in one, for a fresh database (Django uses
it where none of them has been applied, and takes it as applied where all have). The final state
of their models, created at once (core.migration_operations.CreateModels), then every SQL step
that makes a function, trigger or data the schema needs, in their order. Left out: the steps
that only rework existing rows (a fresh database has none)."""

import django.core.serializers.json
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.migration_operations


class Migration(migrations.Migration):
    replaces = [("portal", "0001_initial"), ("portal", "0002_risk_rule_shared_phone")]

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        core.migration_operations.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="RiskAlert",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "rule",
                            models.CharField(
                                choices=[
                                    ("shared_member", "竞买人之间或与持有单位共用人员"),
                                    ("shared_address", "竞买人从同一地址登记"),
                                    ("shared_device", "竞买人从同一设备登记"),
                                    ("shared_bank_account", "竞买人之间或与持有单位共用银行账户"),
                                    ("shared_phone", "竞买人之间或与持有单位共用联系电话"),
                                    ("bid_jump", "出价跳涨"),
                                    ("bid_burst", "短时密集出价"),
                                    ("new_organization_large_bid", "新注册机构大额出价"),
                                    ("repeated_defaults", "多次违约"),
                                    ("unanswered_questions", "持有单位逾期未答复提问"),
                                ],
                                max_length=40,
                                verbose_name="规则",
                            ),
                        ),
                        ("key", models.CharField(max_length=200)),
                        ("subject", models.CharField(max_length=300, verbose_name="对象")),
                        (
                            "evidence",
                            models.JSONField(
                                encoder=django.core.serializers.json.DjangoJSONEncoder, verbose_name="证据"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("open", "待处理"),
                                    ("investigating", "调查中"),
                                    ("acknowledged", "已知悉"),
                                    ("actioned", "已处置"),
                                ],
                                default="open",
                                max_length=16,
                                verbose_name="状态",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "verbose_name": "风险预警",
                        "verbose_name_plural": "风险预警",
                        "indexes": [models.Index(fields=["status", "-id"], name="risk_alert_status")],
                        "constraints": [
                            models.UniqueConstraint(fields=("rule", "key"), name="risk_alert_once_per_key")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="RiskAlertStatusChange",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("from_status", models.CharField(blank=True, max_length=16)),
                        ("to_status", models.CharField(max_length=16)),
                        ("decision", models.CharField(blank=True, max_length=16)),
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
                            "alert",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="status_changes",
                                to="portal.riskalert",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ("created_at", "id"),
                        "indexes": [],
                        "constraints": [],
                    },
                ),
            ],
        ),
    ]
