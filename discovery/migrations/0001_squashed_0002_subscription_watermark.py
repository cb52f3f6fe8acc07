"""discovery: the migrations 0001_initial … 0002_subscription_watermark in one, for a fresh database (Django uses
it where none of them has been applied, and takes it as applied where all have). The final state
of their models, created at once (core.migration_operations.CreateModels), then every SQL step
that makes a function, trigger or data the schema needs, in their order. Left out: the steps
that only rework existing rows (a fresh database has none)."""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.core.serializers.json
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.migration_operations
import core.sync

SQL_0001_29 = """CREATE TRIGGER discovery_demand_sync BEFORE INSERT OR UPDATE ON discovery_demand FOR EACH ROW EXECUTE FUNCTION market_sync_row()"""

SQL_0001_29_BACK = """DROP TRIGGER IF EXISTS discovery_demand_sync ON discovery_demand"""

SQL_0001_30 = """
CREATE OR REPLACE FUNCTION discovery_publication_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'publication % is published and never changes', OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER discovery_publication_immutable BEFORE UPDATE OR DELETE ON discovery_publication
FOR EACH ROW EXECUTE FUNCTION discovery_publication_immutable();
"""

SQL_0001_30_BACK = """
DROP TRIGGER IF EXISTS discovery_publication_immutable ON discovery_publication;
DROP FUNCTION IF EXISTS discovery_publication_immutable();
"""


class Migration(migrations.Migration):
    replaces = [("discovery", "0001_initial"), ("discovery", "0002_subscription_watermark")]

    initial = True

    dependencies = [
        ("accounts", "0009_expert"),
        ("core", "0001_sync"),
        ("listings", "0010_sync_xid"),
        ("marketplace", "0013_issue_missing_confirmations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        core.migration_operations.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="AchievementProfile",
                    fields=[
                        (
                            "achievement",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="+",
                                serialize=False,
                                to="listings.achievement",
                            ),
                        ),
                        ("problem", models.TextField(blank=True, max_length=5000, verbose_name="解决的问题")),
                        (
                            "advantage",
                            models.TextField(blank=True, max_length=5000, verbose_name="相对现有技术的优势"),
                        ),
                        ("pictures", models.JSONField(blank=True, default=list, verbose_name="图片")),
                        (
                            "publications",
                            models.JSONField(blank=True, default=list, verbose_name="论文与报道"),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
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
                        "verbose_name": "成果补充信息",
                        "verbose_name_plural": "成果补充信息",
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="Demand",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("title", models.CharField(max_length=200, verbose_name="需求名称")),
                        ("description", models.TextField(max_length=5000, verbose_name="需求描述")),
                        (
                            "field",
                            models.CharField(
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
                                verbose_name="技术领域",
                            ),
                        ),
                        (
                            "budget_min",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=14,
                                null=True,
                                verbose_name="预算下限（元）",
                            ),
                        ),
                        (
                            "budget_max",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=14,
                                null=True,
                                verbose_name="预算上限（元）",
                            ),
                        ),
                        (
                            "rights",
                            models.CharField(
                                choices=[
                                    ("transfer", "转让"),
                                    ("license_exclusive", "独占许可"),
                                    ("license_sole", "排他许可"),
                                    ("license_general", "普通许可"),
                                    ("equity", "作价投资"),
                                    ("use_first", "先用后转"),
                                ],
                                max_length=32,
                                verbose_name="期望转化方式",
                            ),
                        ),
                        ("deadline", models.DateField(verbose_name="截止日期")),
                        ("public_name", models.BooleanField(default=True, verbose_name="公开企业名称")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending_review", "待平台审核"),
                                    ("published", "已发布"),
                                    ("rejected", "已驳回"),
                                    ("closed", "已关闭"),
                                ],
                                default="pending_review",
                                max_length=32,
                                verbose_name="状态",
                            ),
                        ),
                        ("submitted_at", models.DateTimeField(blank=True, null=True)),
                        ("published_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField()),
                        ("sync_xid", models.BigIntegerField(default=0, editable=False)),
                        (
                            "search_vector",
                            django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
                        ),
                        (
                            "words",
                            django.contrib.postgres.fields.ArrayField(
                                base_field=models.CharField(max_length=64),
                                default=list,
                                editable=False,
                                size=None,
                            ),
                        ),
                        (
                            "created_by",
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
                                related_name="demands",
                                to="accounts.organization",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "技术需求",
                        "verbose_name_plural": "技术需求",
                        "indexes": [
                            django.contrib.postgres.indexes.GinIndex(
                                fields=["search_vector"], name="demand_search_gin"
                            ),
                            models.Index(fields=["sync_xid", "id"], name="demand_sync_xid"),
                            models.Index(
                                fields=["status", "published_at", "id"], name="demand_status_newest"
                            ),
                            models.Index(fields=["status", "submitted_at", "id"], name="demand_status_queue"),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("budget_min__isnull", True),
                                    ("budget_max__isnull", True),
                                    ("budget_min__lte", models.F("budget_max")),
                                    _connector="OR",
                                ),
                                name="demand_budget_ordered",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(
                                        ("budget_min__isnull", True), ("budget_min__gte", 0), _connector="OR"
                                    ),
                                    models.Q(
                                        ("budget_max__isnull", True), ("budget_max__gt", 0), _connector="OR"
                                    ),
                                ),
                                name="demand_budget_nonneg",
                            ),
                        ],
                    },
                    bases=(core.sync.SyncStampedSave, models.Model),
                ),
                migrations.CreateModel(
                    name="DemandResponse",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("message", models.TextField(blank=True, max_length=5000, verbose_name="留言")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("sent", "待反馈"),
                                    ("interested", "有意向"),
                                    ("not_interested", "无意向"),
                                ],
                                default="sent",
                                max_length=32,
                                verbose_name="状态",
                            ),
                        ),
                        (
                            "feedback_reason",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("price", "价格"),
                                    ("maturity", "成熟度"),
                                    ("field_fit", "领域契合度"),
                                    ("rights", "转化方式"),
                                    ("timing", "时机"),
                                    ("other", "其他"),
                                ],
                                max_length=16,
                                verbose_name="原因",
                            ),
                        ),
                        (
                            "feedback_comment",
                            models.TextField(blank=True, max_length=5000, verbose_name="反馈说明"),
                        ),
                        ("feedback_at", models.DateTimeField(blank=True, null=True)),
                        ("offer_id", models.BigIntegerField(blank=True, null=True)),
                        ("listing_requested", models.BooleanField(default=False)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "achievement",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="listings.achievement",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "demand",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="responses",
                                to="discovery.demand",
                            ),
                        ),
                        (
                            "feedback_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "listing",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="listings.listing",
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
                        "verbose_name": "需求响应",
                        "verbose_name_plural": "需求响应",
                        "indexes": [],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("demand", "achievement"), name="demand_response_once_per_achievement"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="DemandResponseStatusChange",
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
                                    ("sent", "待反馈"),
                                    ("interested", "有意向"),
                                    ("not_interested", "无意向"),
                                ],
                                max_length=32,
                            ),
                        ),
                        (
                            "to_status",
                            models.CharField(
                                choices=[
                                    ("sent", "待反馈"),
                                    ("interested", "有意向"),
                                    ("not_interested", "无意向"),
                                ],
                                max_length=32,
                            ),
                        ),
                        ("reason", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "response",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="status_changes",
                                to="discovery.demandresponse",
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
                    name="DemandStatusChange",
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
                                    ("pending_review", "待平台审核"),
                                    ("published", "已发布"),
                                    ("rejected", "已驳回"),
                                    ("closed", "已关闭"),
                                ],
                                max_length=32,
                            ),
                        ),
                        (
                            "to_status",
                            models.CharField(
                                choices=[
                                    ("pending_review", "待平台审核"),
                                    ("published", "已发布"),
                                    ("rejected", "已驳回"),
                                    ("closed", "已关闭"),
                                ],
                                max_length=32,
                            ),
                        ),
                        ("reason", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "demand",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="status_changes",
                                to="discovery.demand",
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
                    name="PeerReview",
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
                                    ("invited", "已邀请"),
                                    ("submitted", "已提交"),
                                    ("withdrawn", "已撤回"),
                                ],
                                default="invited",
                                max_length=16,
                                verbose_name="状态",
                            ),
                        ),
                        (
                            "trl",
                            models.PositiveSmallIntegerField(
                                blank=True, null=True, verbose_name="技术成熟度 (TRL)"
                            ),
                        ),
                        (
                            "novelty",
                            models.PositiveSmallIntegerField(
                                blank=True, null=True, verbose_name="新颖性 (1-5)"
                            ),
                        ),
                        (
                            "value_low",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=14,
                                null=True,
                                verbose_name="估值下限（元）",
                            ),
                        ),
                        (
                            "value_high",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=14,
                                null=True,
                                verbose_name="估值上限（元）",
                            ),
                        ),
                        ("comment", models.TextField(blank=True, max_length=5000, verbose_name="评议意见")),
                        ("submitted_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "achievement",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="listings.achievement",
                            ),
                        ),
                        (
                            "expert",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "invited_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "同行评议",
                        "verbose_name_plural": "同行评议",
                        "indexes": [],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("status", "withdrawn"), _negated=True),
                                fields=("achievement", "expert"),
                                name="peer_review_once_per_expert",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("status", "submitted"), _negated=True),
                                    models.Q(
                                        ("novelty__gte", 1),
                                        ("novelty__lte", 5),
                                        ("trl__gte", 1),
                                        ("trl__lte", 9),
                                        ("value_high__gte", models.F("value_low")),
                                        ("value_low__gte", 0),
                                    ),
                                    _connector="OR",
                                ),
                                name="peer_review_scores_when_submitted",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="PeerReviewStatusChange",
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
                                    ("invited", "已邀请"),
                                    ("submitted", "已提交"),
                                    ("withdrawn", "已撤回"),
                                ],
                                max_length=16,
                            ),
                        ),
                        (
                            "to_status",
                            models.CharField(
                                choices=[
                                    ("invited", "已邀请"),
                                    ("submitted", "已提交"),
                                    ("withdrawn", "已撤回"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("reason", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "review",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="status_changes",
                                to="discovery.peerreview",
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
                    name="Publication",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "period",
                            models.CharField(
                                choices=[
                                    ("month", "成果月报"),
                                    ("quarter", "季度发布"),
                                    ("year", "年度榜单"),
                                ],
                                max_length=16,
                                verbose_name="周期",
                            ),
                        ),
                        ("starts_on", models.DateField(verbose_name="起始日")),
                        ("ends_on", models.DateField(verbose_name="截止日")),
                        ("published_at", models.DateTimeField(verbose_name="发布时间")),
                        ("figures", models.JSONField(encoder=django.core.serializers.json.DjangoJSONEncoder)),
                    ],
                    options={
                        "verbose_name": "定期发布",
                        "verbose_name_plural": "定期发布",
                        "indexes": [models.Index(fields=["-published_at", "-id"], name="publication_newest")],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("period", "starts_on"), name="publication_once_per_period"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("ends_on__gt", models.F("starts_on"))),
                                name="publication_period_ordered",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Question",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[("question", "提问"), ("price", "询价")],
                                default="question",
                                max_length=16,
                                verbose_name="类型",
                            ),
                        ),
                        ("body", models.TextField(max_length=2000, verbose_name="问题")),
                        ("private", models.BooleanField(default=False, verbose_name="仅持有单位可见")),
                        (
                            "status",
                            models.CharField(
                                choices=[("open", "待回答"), ("answered", "已回答")],
                                default="open",
                                max_length=16,
                                verbose_name="状态",
                            ),
                        ),
                        ("answer", models.TextField(blank=True, max_length=5000, verbose_name="回答")),
                        ("answered_at", models.DateTimeField(blank=True, null=True)),
                        ("answer_due_at", models.DateTimeField()),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "answered_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "asked_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "holder",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.organization",
                            ),
                        ),
                        (
                            "listing",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="listings.listing",
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
                        "verbose_name": "询价提问",
                        "verbose_name_plural": "询价提问",
                        "indexes": [
                            models.Index(fields=["listing", "id"], name="question_listing"),
                            models.Index(fields=["status", "answer_due_at"], name="question_status_due"),
                            models.Index(fields=["holder", "created_at"], name="question_holder"),
                        ],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="QuestionStatusChange",
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
                                choices=[("open", "待回答"), ("answered", "已回答")],
                                max_length=16,
                            ),
                        ),
                        (
                            "to_status",
                            models.CharField(
                                choices=[("open", "待回答"), ("answered", "已回答")], max_length=16
                            ),
                        ),
                        ("reason", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "question",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="status_changes",
                                to="discovery.question",
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
                    name="Subscription",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "target",
                            models.CharField(
                                choices=[("listings", "成果挂牌"), ("demands", "技术需求")],
                                max_length=16,
                                verbose_name="订阅对象",
                            ),
                        ),
                        ("q", models.CharField(blank=True, max_length=200, verbose_name="关键词")),
                        (
                            "field",
                            models.CharField(
                                blank=True,
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
                                verbose_name="技术领域",
                            ),
                        ),
                        (
                            "mode",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("negotiated", "协议定价"),
                                    ("fixed_price", "挂牌交易"),
                                    ("auction", "拍卖"),
                                ],
                                max_length=16,
                                verbose_name="交易方式",
                            ),
                        ),
                        (
                            "rights",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("transfer", "转让"),
                                    ("license_exclusive", "独占许可"),
                                    ("license_sole", "排他许可"),
                                    ("license_general", "普通许可"),
                                    ("equity", "作价投资"),
                                    ("use_first", "先用后转"),
                                ],
                                max_length=32,
                                verbose_name="转化方式",
                            ),
                        ),
                        ("email", models.BooleanField(default=True, verbose_name="邮件推送")),
                        ("seen_until", models.DateTimeField()),
                        ("last_sent_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        ("last_ids", models.JSONField(blank=True, default=list)),
                        ("seen_xid", models.BigIntegerField(default=0)),
                    ],
                    options={
                        "verbose_name": "订阅",
                        "verbose_name_plural": "订阅",
                        "indexes": [models.Index(fields=["user", "id"], name="subscription_user")],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="UseReport",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("year_no", models.PositiveSmallIntegerField(verbose_name="成交后第几年")),
                        ("due_on", models.DateField(verbose_name="填报截止日")),
                        (
                            "status",
                            models.CharField(
                                choices=[("due", "待填报"), ("filed", "已填报")],
                                default="due",
                                max_length=16,
                                verbose_name="状态",
                            ),
                        ),
                        (
                            "application_status",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("in_production", "已产业化应用"),
                                    ("in_development", "中试或开发中"),
                                    ("not_used", "尚未实施"),
                                    ("stopped", "已停止实施"),
                                ],
                                max_length=32,
                                verbose_name="应用状况",
                            ),
                        ),
                        ("benefit", models.TextField(blank=True, max_length=5000, verbose_name="转化效益")),
                        (
                            "revenue",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=14,
                                null=True,
                                verbose_name="新增销售额（元）",
                            ),
                        ),
                        ("filed_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "achievement",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="listings.achievement",
                            ),
                        ),
                        (
                            "buyer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.organization",
                            ),
                        ),
                        (
                            "deal",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="marketplace.deal",
                            ),
                        ),
                        (
                            "filed_by",
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
                        "verbose_name": "使用报告",
                        "verbose_name_plural": "使用报告",
                        "indexes": [models.Index(fields=["status", "due_on"], name="use_report_status_due")],
                        "constraints": [
                            models.UniqueConstraint(fields=("deal", "year_no"), name="use_report_once_a_year")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="UseReportStatusChange",
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
                                blank=True, choices=[("due", "待填报"), ("filed", "已填报")], max_length=16
                            ),
                        ),
                        (
                            "to_status",
                            models.CharField(choices=[("due", "待填报"), ("filed", "已填报")], max_length=16),
                        ),
                        ("reason", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "report",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="status_changes",
                                to="discovery.usereport",
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
                    name="AchievementIndex",
                    fields=[
                        (
                            "achievement",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="+",
                                serialize=False,
                                to="listings.achievement",
                            ),
                        ),
                        (
                            "field",
                            models.CharField(
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
                        ),
                        ("maturity", models.PositiveSmallIntegerField()),
                        (
                            "words",
                            django.contrib.postgres.fields.ArrayField(
                                base_field=models.CharField(max_length=64), default=list, size=None
                            ),
                        ),
                        ("search_vector", django.contrib.postgres.search.SearchVectorField(null=True)),
                        ("source_updated_at", models.DateTimeField()),
                        (
                            "holder",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="accounts.organization",
                            ),
                        ),
                    ],
                    options={
                        "indexes": [
                            django.contrib.postgres.indexes.GinIndex(
                                fields=["search_vector"], name="achievement_index_gin"
                            )
                        ],
                        "constraints": [],
                    },
                ),
            ],
        ),
        # from 0001_initial
        migrations.RunSQL(SQL_0001_29, SQL_0001_29_BACK),
        # from 0001_initial
        migrations.RunSQL(SQL_0001_30, SQL_0001_30_BACK),
    ]
