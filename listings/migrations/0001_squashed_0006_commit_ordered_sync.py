"""listings: the migrations 0001_initial … 0006_commit_ordered_sync in one, for a fresh database (Django uses
it where none of them has been applied, and takes it as applied where all have). The final state
of their models, created at once (core.migration_operations.CreateModels), then every SQL step
that makes a function, trigger or data the schema needs, in their order. Left out: the steps
that only rework existing rows (a fresh database has none)."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.core.serializers.json
import django.db.models.deletion
import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models

import core.migration_operations


class Migration(migrations.Migration):
    replaces = [
        ("listings", "0001_initial"),
        ("listings", "0002_services_support"),
        ("listings", "0003_use_first_rules"),
        ("listings", "0004_use_first_unlisted_index"),
        ("listings", "0004_catalogue_mode_indexes"),
        ("listings", "0005_merge_catalogue_and_use_first"),
        ("listings", "0006_commit_ordered_sync"),
    ]

    initial = True

    dependencies = [
        ("accounts", "0003_notification"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        core.migration_operations.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="Achievement",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("title", models.CharField(max_length=200, verbose_name="成果名称")),
                        ("summary", models.TextField(max_length=5000, verbose_name="成果简介")),
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
                            "kind",
                            models.CharField(
                                choices=[("applied", "应用技术类"), ("basic", "基础研究类")],
                                max_length=16,
                                verbose_name="成果类型",
                            ),
                        ),
                        ("maturity", models.PositiveSmallIntegerField(verbose_name="技术成熟度 (TRL)")),
                        (
                            "valuation",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=14,
                                null=True,
                                verbose_name="市场估值（元）",
                            ),
                        ),
                        ("fiscally_funded", models.BooleanField(default=False, verbose_name="财政资金支持")),
                        (
                            "funding_project_no",
                            models.CharField(blank=True, max_length=100, verbose_name="资助项目编号"),
                        ),
                        (
                            "funding_project_ended_on",
                            models.DateField(blank=True, null=True, verbose_name="资助项目结题日期"),
                        ),
                        (
                            "is_service_invention",
                            models.BooleanField(default=True, verbose_name="职务科技成果"),
                        ),
                        (
                            "conversion_status",
                            models.CharField(
                                choices=[
                                    ("unconverted", "未转化"),
                                    ("converting", "转化中"),
                                    ("converted", "已转化"),
                                ],
                                default="unconverted",
                                max_length=16,
                                verbose_name="转化状态",
                            ),
                        ),
                        (
                            "conversion_method",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("transfer", "转让"),
                                    ("license_exclusive", "独占许可"),
                                    ("license_sole", "排他许可"),
                                    ("license_general", "普通许可"),
                                    ("equity", "作价投资"),
                                    ("use_first", "先用后转"),
                                    ("self_implementation", "自行实施"),
                                ],
                                max_length=32,
                                verbose_name="转化方式",
                            ),
                        ),
                        (
                            "converted_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="转化时间"),
                        ),
                        (
                            "intended_conversion_method",
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
                                verbose_name="拟转化方式",
                            ),
                        ),
                        ("application_status", models.TextField(blank=True, verbose_name="应用状况")),
                        ("conversion_benefit", models.TextField(blank=True, verbose_name="转化效益")),
                        (
                            "first_granted_on",
                            models.DateField(blank=True, db_index=True, null=True, verbose_name="最早授权日"),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True, db_index=True)),
                        (
                            "created_by",
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
                                related_name="achievements",
                                to="accounts.organization",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "科技成果",
                        "verbose_name_plural": "科技成果",
                        "indexes": [],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("maturity__gte", 1), ("maturity__lte", 9)),
                                name="achievement_maturity_trl",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("valuation__isnull", True), ("valuation__gte", 0), _connector="OR"
                                ),
                                name="achievement_valuation_nonneg",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="IntellectualProperty",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "patent_no",
                            models.CharField(blank=True, max_length=32, verbose_name="申请号/专利号"),
                        ),
                        (
                            "ip_type",
                            models.CharField(
                                choices=[
                                    ("invention", "发明专利"),
                                    ("utility_model", "实用新型专利"),
                                    ("design", "外观设计专利"),
                                    ("software", "软件著作权"),
                                    ("plant_variety", "植物新品种"),
                                    ("know_how", "技术秘密"),
                                ],
                                max_length=16,
                                verbose_name="类型",
                            ),
                        ),
                        ("granted_on", models.DateField(blank=True, null=True, verbose_name="授权日")),
                        (
                            "status",
                            models.CharField(
                                choices=[("pending", "申请中"), ("granted", "已授权"), ("lapsed", "已失效")],
                                default="granted",
                                max_length=16,
                                verbose_name="状态",
                            ),
                        ),
                        (
                            "achievement",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="ip",
                                to="listings.achievement",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "知识产权",
                        "verbose_name_plural": "知识产权",
                        "ordering": ("id",),
                        "indexes": [],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("patent_no", ""), _negated=True),
                                fields=("patent_no",),
                                name="ip_patent_no_unique",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Inventor",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=100, verbose_name="姓名")),
                        (
                            "share",
                            models.DecimalField(decimal_places=2, max_digits=5, verbose_name="份额（%）"),
                        ),
                        (
                            "achievement",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="inventors",
                                to="listings.achievement",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ("id",),
                        "indexes": [],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("share__gt", 0), ("share__lte", 100)),
                                name="inventor_share_range",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Justification",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("reason", models.TextField(verbose_name="理由")),
                        ("attachments", models.JSONField(blank=True, default=list, verbose_name="附件")),
                        ("valid_until", models.DateField(verbose_name="有效期至")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "待审核"),
                                    ("accepted", "已认可"),
                                    ("rejected", "未认可"),
                                ],
                                default="pending",
                                max_length=16,
                            ),
                        ),
                        ("decided_at", models.DateTimeField(blank=True, null=True)),
                        ("decision_reason", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "achievement",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="justifications",
                                to="listings.achievement",
                            ),
                        ),
                        (
                            "decided_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "filed_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "正当理由",
                        "verbose_name_plural": "正当理由",
                        "indexes": [
                            models.Index(
                                condition=models.Q(("status", "accepted")),
                                fields=["achievement", "valid_until"],
                                name="justification_accepted_valid",
                            )
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("status", "pending"),
                                    models.Q(
                                        ("decided_at__isnull", False),
                                        models.Q(("decision_reason", ""), _negated=True),
                                    ),
                                    _connector="OR",
                                ),
                                name="justification_decided_with_reason",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Listing",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "mode",
                            models.CharField(
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
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("draft", "草稿"),
                                    ("pending_internal_approval", "待内部审批"),
                                    ("pending_review", "待平台审核"),
                                    ("published", "已挂牌"),
                                    ("closed", "已结束"),
                                    ("rejected", "已驳回"),
                                    ("withdrawn", "已撤回"),
                                    ("taken_down", "已下架"),
                                ],
                                default="draft",
                                max_length=32,
                                verbose_name="状态",
                            ),
                        ),
                        (
                            "asking_price",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=14,
                                null=True,
                                verbose_name="意向价格",
                            ),
                        ),
                        (
                            "notice_days",
                            models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="公示天数"),
                        ),
                        (
                            "price",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=14,
                                null=True,
                                verbose_name="挂牌价格",
                            ),
                        ),
                        (
                            "listing_ends_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="挂牌截止时间"),
                        ),
                        (
                            "start_price",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=14, null=True, verbose_name="起拍价"
                            ),
                        ),
                        (
                            "increment",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=14,
                                null=True,
                                verbose_name="加价幅度",
                            ),
                        ),
                        (
                            "reserve_price",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=14, null=True, verbose_name="保留价"
                            ),
                        ),
                        (
                            "deposit",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=14, null=True, verbose_name="保证金"
                            ),
                        ),
                        ("starts_at", models.DateTimeField(blank=True, null=True, verbose_name="开拍时间")),
                        ("ends_at", models.DateTimeField(blank=True, null=True, verbose_name="结束时间")),
                        (
                            "extension_seconds",
                            models.PositiveIntegerField(blank=True, null=True, verbose_name="延时周期（秒）"),
                        ),
                        ("submitted_at", models.DateTimeField(blank=True, null=True)),
                        ("published_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField()),
                        (
                            "search_vector",
                            django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
                        ),
                        (
                            "achievement",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="listings",
                                to="listings.achievement",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "closes_at",
                            models.GeneratedField(
                                db_persist=True,
                                expression=django.db.models.functions.comparison.Coalesce(
                                    models.F("listing_ends_at"), models.F("ends_at")
                                ),
                                output_field=models.DateTimeField(null=True),
                            ),
                        ),
                        ("engaged_at", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        "verbose_name": "挂牌",
                        "verbose_name_plural": "挂牌",
                        "indexes": [
                            django.contrib.postgres.indexes.GinIndex(
                                fields=["search_vector"], name="listing_search_gin"
                            ),
                            models.Index(fields=["status", "updated_at", "id"], name="listing_status_sync"),
                            models.Index(
                                fields=["status", "published_at", "id"], name="listing_status_newest"
                            ),
                            models.Index(fields=["status", "closes_at", "id"], name="listing_status_closes"),
                            models.Index(
                                fields=["status", "submitted_at", "id"], name="listing_status_queue"
                            ),
                            models.Index(
                                fields=["status", "mode", "published_at", "id"], name="listing_mode_newest"
                            ),
                            models.Index(
                                fields=["status", "mode", "closes_at", "id"], name="listing_mode_closes"
                            ),
                            models.Index(fields=["updated_at", "id"], name="listing_sync"),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("mode", "negotiated"), _negated=True),
                                    ("notice_days__gte", 1),
                                    _connector="OR",
                                ),
                                name="listing_negotiated_terms",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("mode", "fixed_price"), _negated=True),
                                    models.Q(("listing_ends_at__isnull", False), ("price__gt", 0)),
                                    _connector="OR",
                                ),
                                name="listing_fixed_price_terms",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("mode", "auction"), _negated=True),
                                    models.Q(
                                        ("deposit__gte", 0),
                                        ("extension_seconds__gte", 60),
                                        ("extension_seconds__lte", 1800),
                                        ("increment__gt", 0),
                                        ("start_price__gt", 0),
                                        ("starts_at__lt", models.F("ends_at")),
                                    ),
                                    _connector="OR",
                                ),
                                name="listing_auction_terms",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("reserve_price__isnull", True),
                                    ("reserve_price__gte", models.F("start_price")),
                                    _connector="OR",
                                ),
                                name="listing_reserve_at_least_start",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("asking_price__isnull", True), ("asking_price__gt", 0), _connector="OR"
                                ),
                                name="listing_prices_positive",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(
                                    (
                                        "status__in",
                                        ["pending_internal_approval", "pending_review", "published"],
                                    )
                                ),
                                fields=("achievement",),
                                name="listing_one_active_per_achievement",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="InternalApproval",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "decision",
                            models.CharField(
                                choices=[("approved", "同意"), ("rejected", "不同意")], max_length=16
                            ),
                        ),
                        ("comment", models.TextField(blank=True)),
                        (
                            "terms_snapshot",
                            models.JSONField(encoder=django.core.serializers.json.DjangoJSONEncoder),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "approver",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "listing",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="internal_approvals",
                                to="listings.listing",
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
                    name="ListingStatusChange",
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
                                    ("draft", "草稿"),
                                    ("pending_internal_approval", "待内部审批"),
                                    ("pending_review", "待平台审核"),
                                    ("published", "已挂牌"),
                                    ("closed", "已结束"),
                                    ("rejected", "已驳回"),
                                    ("withdrawn", "已撤回"),
                                    ("taken_down", "已下架"),
                                ],
                                max_length=32,
                            ),
                        ),
                        (
                            "to_status",
                            models.CharField(
                                choices=[
                                    ("draft", "草稿"),
                                    ("pending_internal_approval", "待内部审批"),
                                    ("pending_review", "待平台审核"),
                                    ("published", "已挂牌"),
                                    ("closed", "已结束"),
                                    ("rejected", "已驳回"),
                                    ("withdrawn", "已撤回"),
                                    ("taken_down", "已下架"),
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
                            "listing",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="status_changes",
                                to="listings.listing",
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
                    name="UseFirstEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("listed_on", models.DateField(verbose_name="列入日期")),
                        ("reason", models.TextField(verbose_name="列入原因")),
                        (
                            "free_license_eligible",
                            models.BooleanField(default=False, verbose_name="可无偿实施"),
                        ),
                        ("free_license_eligible_on", models.DateField(blank=True, null=True)),
                        ("closed_on", models.DateField(blank=True, null=True)),
                        ("close_reason", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(db_index=True)),
                        (
                            "achievement",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="use_first_entries",
                                to="listings.achievement",
                            ),
                        ),
                        (
                            "holder",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="use_first_entries",
                                to="accounts.organization",
                            ),
                        ),
                        (
                            "listing",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="use_first_entries",
                                to="listings.listing",
                            ),
                        ),
                        (
                            "close_cause",
                            models.CharField(
                                blank=True,
                                choices=[("converted", "已转化"), ("justified", "正当理由获认可")],
                                max_length=16,
                            ),
                        ),
                        (
                            "origin",
                            models.CharField(
                                choices=[("overdue", "逾期未转化"), ("voluntary", "主动纳入")],
                                default="overdue",
                                max_length=16,
                                verbose_name="列入方式",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "先用后转清单条目",
                        "verbose_name_plural": "先用后转清单",
                        "indexes": [
                            models.Index(fields=["updated_at", "id"], name="use_first_entry_sync"),
                            models.Index(
                                condition=models.Q(("closed_on__isnull", True), ("listing__isnull", True)),
                                fields=["id"],
                                name="use_first_entry_unlisted",
                            ),
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("closed_on__isnull", True)),
                                fields=("achievement",),
                                name="use_first_one_open_entry",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("close_cause", ""), ("closed_on__isnull", True)),
                                    models.Q(
                                        ("closed_on__isnull", False),
                                        models.Q(("close_cause", ""), _negated=True),
                                    ),
                                    _connector="OR",
                                ),
                                name="use_first_entry_closed_with_cause",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("free_license_eligible", False),
                                    ("free_license_eligible_on__isnull", False),
                                    _connector="OR",
                                ),
                                name="use_first_entry_eligible_dated",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="AchievementConversionChange",
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
                                choices=[
                                    ("unconverted", "未转化"),
                                    ("converting", "转化中"),
                                    ("converted", "已转化"),
                                ],
                                max_length=16,
                            ),
                        ),
                        (
                            "to_status",
                            models.CharField(
                                choices=[
                                    ("unconverted", "未转化"),
                                    ("converting", "转化中"),
                                    ("converted", "已转化"),
                                ],
                                max_length=16,
                            ),
                        ),
                        (
                            "method",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("transfer", "转让"),
                                    ("license_exclusive", "独占许可"),
                                    ("license_sole", "排他许可"),
                                    ("license_general", "普通许可"),
                                    ("equity", "作价投资"),
                                    ("use_first", "先用后转"),
                                    ("self_implementation", "自行实施"),
                                ],
                                max_length=32,
                            ),
                        ),
                        ("reason", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "achievement",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="conversion_changes",
                                to="listings.achievement",
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
                        "verbose_name": "转化状态变更",
                        "verbose_name_plural": "转化状态变更",
                        "ordering": ("created_at", "id"),
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="AchievementRegistration",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("registration_no", models.CharField(max_length=64, verbose_name="成果登记号")),
                        ("registered_on", models.DateField(verbose_name="登记日期")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "achievement",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="registration",
                                to="listings.achievement",
                            ),
                        ),
                        (
                            "registered_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "成果登记",
                        "verbose_name_plural": "成果登记",
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="RegistrationOverdueNotice",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("due_on", models.DateField()),
                        ("notified_on", models.DateField()),
                        (
                            "achievement",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="listings.achievement",
                            ),
                        ),
                    ],
                    options={
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="SelfImplementation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("description", models.TextField(verbose_name="实施情况")),
                        ("started_on", models.DateField(verbose_name="实施开始日期")),
                        ("attachments", models.JSONField(blank=True, default=list, verbose_name="附件")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "待审核"),
                                    ("accepted", "已认可"),
                                    ("rejected", "未认可"),
                                ],
                                default="pending",
                                max_length=16,
                            ),
                        ),
                        ("decided_at", models.DateTimeField(blank=True, null=True)),
                        ("decision_reason", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "achievement",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="self_implementations",
                                to="listings.achievement",
                            ),
                        ),
                        (
                            "decided_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "declared_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "自行实施声明",
                        "verbose_name_plural": "自行实施声明",
                        "indexes": [],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("status", "pending"),
                                    models.Q(
                                        ("decided_at__isnull", False),
                                        models.Q(("decision_reason", ""), _negated=True),
                                    ),
                                    _connector="OR",
                                ),
                                name="self_implementation_decided_with_reason",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("status", "pending")),
                                fields=("achievement",),
                                name="self_implementation_one_pending",
                            ),
                        ],
                    },
                ),
            ],
        ),
    ]
