"""conversion: the migrations 0001_initial … 0005_justification_one_pending in one (Django uses it where none of
them has been applied, and takes it as applied where all have). Every operation of theirs, data
steps included (a database that has the migrations before them may have rows), through
Django's optimizer as squashmigrations does; a run of new models is made at once
(core.migration_operations.CreateModels)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.migration_operations


# from 0003_achievement_dates_and_history
def achievement_dates(apps, schema_editor):
    from conversion import rules

    Achievement = apps.get_model("listings", "Achievement")
    granted = (
        Achievement.objects.filter(first_granted_on__isnull=False)
        .values_list("first_granted_on", flat=True)
        .distinct()
    )
    for day in granted:  # one statement per distinct grant date, not per achievement
        Achievement.objects.filter(first_granted_on=day).update(
            conversion_deadline=rules.conversion_deadline(day), free_license_date=rules.free_license_date(day)
        )


class Migration(migrations.Migration):
    replaces = [
        ("conversion", "0001_initial"),
        ("conversion", "0002_tables_renamed_status_changes"),
        ("conversion", "0003_achievement_dates_and_history"),
        ("conversion", "0004_sync_xid"),
        ("conversion", "0005_justification_one_pending"),
    ]

    initial = True

    dependencies = [
        ("accounts", "0005_related_party_function_plpgsql"),
        ("core", "0001_sync"),
        ("listings", "0010_sync_xid"),
        ("marketplace", "0010_conversion_models_leave"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                core.migration_operations.CreateModels(
                    operations=[
                        migrations.CreateModel(
                            name="AchievementRegistration",
                            fields=[
                                (
                                    "id",
                                    models.BigAutoField(
                                        auto_created=True,
                                        primary_key=True,
                                        serialize=False,
                                        verbose_name="ID",
                                    ),
                                ),
                                (
                                    "registration_no",
                                    models.CharField(max_length=64, verbose_name="成果登记号"),
                                ),
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
                                "db_table": "listings_achievementregistration",
                            },
                        ),
                        migrations.CreateModel(
                            name="RegistrationOverdueNotice",
                            fields=[
                                (
                                    "id",
                                    models.BigAutoField(
                                        auto_created=True,
                                        primary_key=True,
                                        serialize=False,
                                        verbose_name="ID",
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
                                "db_table": "listings_registrationoverduenotice",
                            },
                        ),
                        migrations.CreateModel(
                            name="UseFirstAgreement",
                            fields=[
                                (
                                    "id",
                                    models.BigAutoField(
                                        auto_created=True,
                                        primary_key=True,
                                        serialize=False,
                                        verbose_name="ID",
                                    ),
                                ),
                                (
                                    "status",
                                    models.CharField(
                                        choices=[
                                            ("in_trial", "试用中"),
                                            ("converted", "已转化"),
                                            ("returned", "已退还"),
                                            ("licensed", "无偿实施中"),
                                        ],
                                        max_length=16,
                                        verbose_name="状态",
                                    ),
                                ),
                                ("trial_starts_on", models.DateField(verbose_name="试用开始")),
                                (
                                    "trial_ends_on",
                                    models.DateField(blank=True, null=True, verbose_name="试用结束"),
                                ),
                                (
                                    "conversion_price",
                                    models.DecimalField(
                                        blank=True,
                                        decimal_places=2,
                                        max_digits=14,
                                        null=True,
                                        verbose_name="转化价格（元）",
                                    ),
                                ),
                                ("price_formula", models.TextField(blank=True, verbose_name="定价公式")),
                                (
                                    "decision_on",
                                    models.DateField(blank=True, null=True, verbose_name="决定日期"),
                                ),
                                ("reminded_on", models.DateField(blank=True, null=True)),
                                ("lapse_reported_on", models.DateField(blank=True, null=True)),
                                ("return_reason", models.TextField(blank=True)),
                                ("created_at", models.DateTimeField(auto_now_add=True)),
                                ("updated_at", models.DateTimeField(auto_now=True)),
                                (
                                    "company",
                                    models.ForeignKey(
                                        on_delete=django.db.models.deletion.PROTECT,
                                        related_name="use_first_agreements",
                                        to="accounts.organization",
                                    ),
                                ),
                                (
                                    "deal",
                                    models.OneToOneField(
                                        blank=True,
                                        null=True,
                                        on_delete=django.db.models.deletion.PROTECT,
                                        related_name="use_first_agreement",
                                        to="marketplace.deal",
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
                                        related_name="use_first_agreements",
                                        to="listings.listing",
                                    ),
                                ),
                                (
                                    "application",
                                    models.OneToOneField(
                                        on_delete=django.db.models.deletion.PROTECT,
                                        related_name="agreement",
                                        to="conversion.usefirstapplication",
                                    ),
                                ),
                            ],
                            options={
                                "verbose_name": "先用后转协议",
                                "verbose_name_plural": "先用后转协议",
                                "db_table": "marketplace_usefirstagreement",
                            },
                        ),
                        migrations.CreateModel(
                            name="UseFirstAgreementStatusChange",
                            fields=[
                                (
                                    "id",
                                    models.BigAutoField(
                                        auto_created=True,
                                        primary_key=True,
                                        serialize=False,
                                        verbose_name="ID",
                                    ),
                                ),
                                (
                                    "from_status",
                                    models.CharField(
                                        blank=True,
                                        choices=[
                                            ("in_trial", "试用中"),
                                            ("converted", "已转化"),
                                            ("returned", "已退还"),
                                            ("licensed", "无偿实施中"),
                                        ],
                                        max_length=16,
                                    ),
                                ),
                                (
                                    "to_status",
                                    models.CharField(
                                        choices=[
                                            ("in_trial", "试用中"),
                                            ("converted", "已转化"),
                                            ("returned", "已退还"),
                                            ("licensed", "无偿实施中"),
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
                                    "agreement",
                                    models.ForeignKey(
                                        on_delete=django.db.models.deletion.CASCADE,
                                        related_name="status_changes",
                                        to="conversion.usefirstagreement",
                                    ),
                                ),
                            ],
                            options={
                                "db_table": "marketplace_usefirstagreementstatuschange",
                                "ordering": ("created_at", "id"),
                            },
                        ),
                        migrations.CreateModel(
                            name="UseFirstApplication",
                            fields=[
                                (
                                    "id",
                                    models.BigAutoField(
                                        auto_created=True,
                                        primary_key=True,
                                        serialize=False,
                                        verbose_name="ID",
                                    ),
                                ),
                                (
                                    "kind",
                                    models.CharField(
                                        choices=[("use_first", "先用后转"), ("free_license", "无偿实施")],
                                        max_length=16,
                                        verbose_name="申请类型",
                                    ),
                                ),
                                ("plan", models.TextField(verbose_name="实施计划")),
                                (
                                    "status",
                                    models.CharField(
                                        choices=[
                                            ("pending", "待持有单位答复"),
                                            ("escalated", "已逾期转平台处理"),
                                            ("decline_review", "拒绝理由待平台审核"),
                                            ("accepted", "已同意"),
                                            ("declined", "已拒绝"),
                                        ],
                                        default="pending",
                                        max_length=16,
                                        verbose_name="状态",
                                    ),
                                ),
                                ("respond_by", models.DateTimeField(verbose_name="答复期限")),
                                ("decline_reason", models.TextField(blank=True, verbose_name="拒绝理由")),
                                ("created_at", models.DateTimeField(auto_now_add=True)),
                                ("updated_at", models.DateTimeField(auto_now=True)),
                                (
                                    "applicant",
                                    models.ForeignKey(
                                        on_delete=django.db.models.deletion.PROTECT,
                                        related_name="use_first_applications",
                                        to="accounts.organization",
                                    ),
                                ),
                                (
                                    "applied_by",
                                    models.ForeignKey(
                                        on_delete=django.db.models.deletion.PROTECT,
                                        related_name="+",
                                        to=settings.AUTH_USER_MODEL,
                                    ),
                                ),
                            ],
                            options={
                                "verbose_name": "先用后转申请",
                                "verbose_name_plural": "先用后转申请",
                                "db_table": "marketplace_usefirstapplication",
                            },
                        ),
                    ],
                ),
                core.migration_operations.CreateModels(
                    operations=[
                        migrations.CreateModel(
                            name="UseFirstApplicationStatusChange",
                            fields=[
                                (
                                    "id",
                                    models.BigAutoField(
                                        auto_created=True,
                                        primary_key=True,
                                        serialize=False,
                                        verbose_name="ID",
                                    ),
                                ),
                                (
                                    "from_status",
                                    models.CharField(
                                        blank=True,
                                        choices=[
                                            ("pending", "待持有单位答复"),
                                            ("escalated", "已逾期转平台处理"),
                                            ("decline_review", "拒绝理由待平台审核"),
                                            ("accepted", "已同意"),
                                            ("declined", "已拒绝"),
                                        ],
                                        max_length=16,
                                    ),
                                ),
                                (
                                    "to_status",
                                    models.CharField(
                                        choices=[
                                            ("pending", "待持有单位答复"),
                                            ("escalated", "已逾期转平台处理"),
                                            ("decline_review", "拒绝理由待平台审核"),
                                            ("accepted", "已同意"),
                                            ("declined", "已拒绝"),
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
                                    "application",
                                    models.ForeignKey(
                                        on_delete=django.db.models.deletion.CASCADE,
                                        related_name="status_changes",
                                        to="conversion.usefirstapplication",
                                    ),
                                ),
                            ],
                            options={
                                "db_table": "marketplace_usefirstapplicationstatuschange",
                                "ordering": ("created_at", "id"),
                            },
                        ),
                        migrations.CreateModel(
                            name="UseFirstEntry",
                            fields=[
                                (
                                    "id",
                                    models.BigAutoField(
                                        auto_created=True,
                                        primary_key=True,
                                        serialize=False,
                                        verbose_name="ID",
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
                                ("listed_on", models.DateField(verbose_name="列入日期")),
                                ("reason", models.TextField(verbose_name="列入原因")),
                                (
                                    "free_license_eligible",
                                    models.BooleanField(default=False, verbose_name="可无偿实施"),
                                ),
                                ("free_license_eligible_on", models.DateField(blank=True, null=True)),
                                ("closed_on", models.DateField(blank=True, null=True)),
                                (
                                    "close_cause",
                                    models.CharField(
                                        blank=True,
                                        choices=[("converted", "已转化"), ("justified", "正当理由获认可")],
                                        max_length=16,
                                    ),
                                ),
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
                            ],
                            options={
                                "verbose_name": "先用后转清单条目",
                                "verbose_name_plural": "先用后转清单",
                                "db_table": "listings_usefirstentry",
                            },
                        ),
                    ],
                ),
                migrations.AddField(
                    model_name="usefirstapplication",
                    name="entry",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="applications",
                        to="conversion.usefirstentry",
                    ),
                ),
                migrations.AddField(
                    model_name="usefirstagreement",
                    name="entry",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="agreements",
                        to="conversion.usefirstentry",
                    ),
                ),
                core.migration_operations.CreateModels(
                    operations=[
                        migrations.CreateModel(
                            name="Justification",
                            fields=[
                                (
                                    "id",
                                    models.BigAutoField(
                                        auto_created=True,
                                        primary_key=True,
                                        serialize=False,
                                        verbose_name="ID",
                                    ),
                                ),
                                ("reason", models.TextField(verbose_name="理由")),
                                (
                                    "attachments",
                                    models.JSONField(blank=True, default=list, verbose_name="附件"),
                                ),
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
                                "db_table": "listings_justification",
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
                            name="SelfImplementation",
                            fields=[
                                (
                                    "id",
                                    models.BigAutoField(
                                        auto_created=True,
                                        primary_key=True,
                                        serialize=False,
                                        verbose_name="ID",
                                    ),
                                ),
                                ("description", models.TextField(verbose_name="实施情况")),
                                ("started_on", models.DateField(verbose_name="实施开始日期")),
                                (
                                    "attachments",
                                    models.JSONField(blank=True, default=list, verbose_name="附件"),
                                ),
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
                                "db_table": "listings_selfimplementation",
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
                migrations.AddIndex(
                    model_name="usefirstentry",
                    index=models.Index(fields=["updated_at", "id"], name="use_first_entry_sync"),
                ),
                migrations.AddIndex(
                    model_name="usefirstentry",
                    index=models.Index(
                        condition=models.Q(("closed_on__isnull", True), ("listing__isnull", True)),
                        fields=["id"],
                        name="use_first_entry_unlisted",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="usefirstentry",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("closed_on__isnull", True)),
                        fields=("achievement",),
                        name="use_first_one_open_entry",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="usefirstentry",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("close_cause", ""), ("closed_on__isnull", True)),
                            models.Q(
                                ("closed_on__isnull", False), models.Q(("close_cause", ""), _negated=True)
                            ),
                            _connector="OR",
                        ),
                        name="use_first_entry_closed_with_cause",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="usefirstentry",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("free_license_eligible", False),
                            ("free_license_eligible_on__isnull", False),
                            _connector="OR",
                        ),
                        name="use_first_entry_eligible_dated",
                    ),
                ),
                migrations.AddIndex(
                    model_name="usefirstapplication",
                    index=models.Index(fields=["status", "respond_by"], name="use_first_app_status_due"),
                ),
                migrations.AddConstraint(
                    model_name="usefirstapplication",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("status__in", ["pending", "escalated", "decline_review"])),
                        fields=("entry", "applicant"),
                        name="use_first_app_one_open",
                    ),
                ),
                migrations.AddIndex(
                    model_name="usefirstagreement",
                    index=models.Index(fields=["status", "decision_on"], name="use_first_agr_status_due"),
                ),
                migrations.AddConstraint(
                    model_name="usefirstagreement",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("status", "licensed"),
                            models.Q(
                                ("decision_on__isnull", False),
                                ("trial_ends_on__isnull", False),
                                models.Q(
                                    ("conversion_price__gt", 0),
                                    models.Q(("price_formula", ""), _negated=True),
                                    _connector="OR",
                                ),
                            ),
                            _connector="OR",
                        ),
                        name="use_first_agr_terms",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="usefirstagreement",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("decision_on__isnull", True),
                            ("decision_on__gte", models.F("trial_starts_on")),
                            _connector="OR",
                        ),
                        name="use_first_agr_decision_after_start",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="usefirstagreement",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "converted"), _negated=True),
                            ("deal__isnull", False),
                            _connector="OR",
                        ),
                        name="use_first_agr_converted_deal",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="usefirstagreement",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("status", "in_trial")),
                        fields=("entry",),
                        name="use_first_agr_one_trial",
                    ),
                ),
            ],
        ),
        migrations.AlterModelTable(
            name="achievementregistration",
            table=None,
        ),
        migrations.AlterModelTable(
            name="justification",
            table=None,
        ),
        migrations.AlterModelTable(
            name="registrationoverduenotice",
            table=None,
        ),
        migrations.AlterModelTable(
            name="selfimplementation",
            table=None,
        ),
        migrations.AlterModelTable(
            name="usefirstagreement",
            table=None,
        ),
        migrations.AlterModelTable(
            name="usefirstagreementstatuschange",
            table=None,
        ),
        migrations.AlterModelTable(
            name="usefirstapplication",
            table=None,
        ),
        migrations.AlterModelTable(
            name="usefirstapplicationstatuschange",
            table=None,
        ),
        migrations.AlterModelTable(
            name="usefirstentry",
            table=None,
        ),
        core.migration_operations.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="JustificationStatusChange",
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
                                    ("accepted", "已认可"),
                                    ("rejected", "未认可"),
                                ],
                                max_length=16,
                            ),
                        ),
                        (
                            "to_status",
                            models.CharField(
                                choices=[
                                    ("pending", "待审核"),
                                    ("accepted", "已认可"),
                                    ("rejected", "未认可"),
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
                            "justification",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="status_changes",
                                to="conversion.justification",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ("created_at", "id"),
                    },
                ),
                migrations.CreateModel(
                    name="SelfImplementationStatusChange",
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
                                    ("accepted", "已认可"),
                                    ("rejected", "未认可"),
                                ],
                                max_length=16,
                            ),
                        ),
                        (
                            "to_status",
                            models.CharField(
                                choices=[
                                    ("pending", "待审核"),
                                    ("accepted", "已认可"),
                                    ("rejected", "未认可"),
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
                            "declaration",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="status_changes",
                                to="conversion.selfimplementation",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ("created_at", "id"),
                    },
                ),
            ],
        ),
        migrations.RunPython(
            code=achievement_dates,
            reverse_code=migrations.RunPython.noop,
        ),
        migrations.RunSQL(
            sql="\n    INSERT INTO conversion_justificationstatuschange (justification_id, from_status, to_status, actor_id, reason, created_at)\n    SELECT id, '', 'pending', filed_by_id, '', created_at FROM conversion_justification\n    UNION ALL\n    SELECT id, 'pending', status, decided_by_id, decision_reason, decided_at FROM conversion_justification\n    WHERE status <> 'pending'\n",
            reverse_sql="",
        ),
        migrations.RunSQL(
            sql="\n    INSERT INTO conversion_selfimplementationstatuschange (declaration_id, from_status, to_status, actor_id, reason, created_at)\n    SELECT id, '', 'pending', declared_by_id, '', created_at FROM conversion_selfimplementation\n    UNION ALL\n    SELECT id, 'pending', status, decided_by_id, decision_reason, decided_at FROM conversion_selfimplementation\n    WHERE status <> 'pending'\n",
            reverse_sql="",
        ),
        migrations.AddField(
            model_name="usefirstentry",
            name="sync_xid",
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.RunSQL(
            sql="\n    UPDATE conversion_usefirstentry t SET sync_xid = r.n - r.total - 1\n    FROM (SELECT id, row_number() OVER (ORDER BY updated_at, id) AS n, count(*) OVER () AS total\n          FROM conversion_usefirstentry) r\n    WHERE t.id = r.id\n",
            reverse_sql="",
        ),
        migrations.RemoveIndex(
            model_name="usefirstentry",
            name="use_first_entry_sync",
        ),
        migrations.AlterField(
            model_name="usefirstentry",
            name="updated_at",
            field=models.DateTimeField(),
        ),
        migrations.AddIndex(
            model_name="usefirstentry",
            index=models.Index(fields=["sync_xid", "id"], name="use_first_entry_sync_xid"),
        ),
        migrations.RunSQL(
            sql="CREATE TRIGGER conversion_usefirstentry_sync BEFORE INSERT OR UPDATE ON conversion_usefirstentry FOR EACH ROW EXECUTE FUNCTION market_sync_row()",
            reverse_sql="DROP TRIGGER IF EXISTS conversion_usefirstentry_sync ON conversion_usefirstentry",
        ),
        migrations.AddConstraint(
            model_name="justification",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "pending")),
                fields=("achievement",),
                name="justification_one_pending",
            ),
        ),
    ]
