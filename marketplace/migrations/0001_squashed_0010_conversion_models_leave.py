"""marketplace: the migrations 0001_initial … 0010_conversion_models_leave in one, for a fresh database (Django uses
it where none of them has been applied, and takes it as applied where all have). The final state
of their models, created at once (core.migration_operations.CreateModels), then every SQL step
that makes a function, trigger or data the schema needs, in their order. Left out: the steps
that only rework existing rows (a fresh database has none)."""

import django.core.serializers.json
import django.db.models.deletion
import django.db.models.expressions
from django.conf import settings
from django.db import migrations, models

import core.migration_operations

SQL_0002_0 = """
CREATE FUNCTION marketplace_journal_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    jid bigint;
    total numeric;
    n integer;
BEGIN
    IF TG_TABLE_NAME = 'marketplace_journal' THEN
        jid := NEW.id;
    ELSE
        jid := NEW.journal_id;
    END IF;
    SELECT coalesce(sum(amount), 0), count(*) INTO total, n
      FROM marketplace_ledgerentry WHERE journal_id = jid;
    IF n < 2 OR total <> 0 THEN
        RAISE EXCEPTION 'journal % is unbalanced: % entries summing to %', jid, n, total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER ledger_entry_balanced
    AFTER INSERT ON marketplace_ledgerentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION marketplace_journal_check_balanced();

CREATE CONSTRAINT TRIGGER ledger_journal_has_entries
    AFTER INSERT ON marketplace_journal
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION marketplace_journal_check_balanced();

CREATE FUNCTION marketplace_ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: % on % refused (post a reversing journal)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER ledger_entry_append_only
    BEFORE UPDATE OR DELETE ON marketplace_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION marketplace_ledger_refuse_change();

CREATE TRIGGER ledger_journal_append_only
    BEFORE UPDATE OR DELETE ON marketplace_journal
    FOR EACH ROW EXECUTE FUNCTION marketplace_ledger_refuse_change();
"""

SQL_0002_0_BACK = """
DROP TRIGGER ledger_journal_append_only ON marketplace_journal;
DROP TRIGGER ledger_entry_append_only ON marketplace_ledgerentry;
DROP FUNCTION marketplace_ledger_refuse_change();
DROP TRIGGER ledger_journal_has_entries ON marketplace_journal;
DROP TRIGGER ledger_entry_balanced ON marketplace_ledgerentry;
DROP FUNCTION marketplace_journal_check_balanced();
"""

SQL_0009_0 = """
CREATE FUNCTION marketplace_dealconfirmation_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'a deal confirmation is never deleted' USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.number IS DISTINCT FROM OLD.number OR NEW.deal_id IS DISTINCT FROM OLD.deal_id
       OR NEW.terms IS DISTINCT FROM OLD.terms OR NEW.digest IS DISTINCT FROM OLD.digest
       OR NEW.issued_at IS DISTINCT FROM OLD.issued_at THEN
        RAISE EXCEPTION 'a deal confirmation''s terms are fixed' USING ERRCODE = 'restrict_violation';
    END IF;
    IF (OLD.buyer_signed_at IS NOT NULL AND (NEW.buyer_signed_at IS DISTINCT FROM OLD.buyer_signed_at
            OR NEW.buyer_signed_by_id IS DISTINCT FROM OLD.buyer_signed_by_id))
       OR (OLD.seller_signed_at IS NOT NULL AND (NEW.seller_signed_at IS DISTINCT FROM OLD.seller_signed_at
            OR NEW.seller_signed_by_id IS DISTINCT FROM OLD.seller_signed_by_id)) THEN
        RAISE EXCEPTION 'a signature is given once' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER deal_confirmation_guard
    BEFORE UPDATE OR DELETE ON marketplace_dealconfirmation
    FOR EACH ROW EXECUTE FUNCTION marketplace_dealconfirmation_guard();
"""

SQL_0009_0_BACK = """
DROP TRIGGER deal_confirmation_guard ON marketplace_dealconfirmation;
DROP FUNCTION marketplace_dealconfirmation_guard();
"""


class Migration(migrations.Migration):
    replaces = [
        ("marketplace", "0001_initial"),
        ("marketplace", "0002_ledger_triggers"),
        ("marketplace", "0003_negotiation_intents_settlement"),
        ("marketplace", "0004_fixed_price_outcome"),
        ("marketplace", "0005_use_first_agreements"),
        ("marketplace", "0006_listing_left_market"),
        ("marketplace", "0007_use_first_lapse_reported"),
        ("marketplace", "0008_deal_confirmation"),
        ("marketplace", "0009_deal_confirmation_immutable"),
        ("marketplace", "0010_conversion_models_leave"),
    ]

    initial = True

    dependencies = [
        ("accounts", "0003_notification"),
        ("listings", "0005_merge_catalogue_and_use_first"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        core.migration_operations.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="BankTransfer",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "direction",
                            models.CharField(choices=[("in", "收款"), ("out", "付款")], max_length=8),
                        ),
                        (
                            "source",
                            models.CharField(
                                choices=[("bank_notification", "银行到账通知"), ("operator", "运营人员确认")],
                                max_length=32,
                            ),
                        ),
                        (
                            "bank_transaction_id",
                            models.CharField(max_length=100, unique=True, verbose_name="银行流水号"),
                        ),
                        (
                            "reference",
                            models.CharField(blank=True, max_length=100, verbose_name="付款识别码（原文）"),
                        ),
                        ("amount", models.DecimalField(decimal_places=2, max_digits=14, verbose_name="金额")),
                        ("applied_amount", models.DecimalField(decimal_places=2, default=0, max_digits=14)),
                        (
                            "payer_name",
                            models.CharField(blank=True, max_length=200, verbose_name="付款人户名"),
                        ),
                        (
                            "payer_account",
                            models.CharField(blank=True, max_length=64, verbose_name="付款账号"),
                        ),
                        (
                            "occurred_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="银行记账时间"),
                        ),
                        ("note", models.TextField(blank=True, verbose_name="备注")),
                        ("raw", models.JSONField(blank=True, default=dict)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "confirmed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "payable",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="transfers",
                                to="marketplace.payable",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "银行流水",
                        "verbose_name_plural": "银行流水",
                        "ordering": ("id",),
                        "indexes": [],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("amount__gt", 0)), name="bank_transfer_amount_positive"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("applied_amount__gte", 0), ("applied_amount__lte", models.F("amount"))
                                ),
                                name="bank_transfer_applied_within_amount",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("source", "operator"), _negated=True),
                                    ("confirmed_by__isnull", False),
                                    _connector="OR",
                                ),
                                name="bank_transfer_operator_named",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Deal",
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
                            "price",
                            models.DecimalField(decimal_places=2, max_digits=14, verbose_name="成交价"),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("awaiting_payment", "待付款"),
                                    ("paid", "已付款"),
                                    ("contract_registered", "合同已登记"),
                                    ("settled", "已结算"),
                                    ("defaulted", "已违约"),
                                ],
                                default="awaiting_payment",
                                max_length=32,
                                verbose_name="状态",
                            ),
                        ),
                        ("concluded_at", models.DateTimeField(verbose_name="成交时间")),
                        ("payment_due_at", models.DateTimeField(verbose_name="付款截止")),
                        ("bid_count", models.PositiveIntegerField(default=0, verbose_name="出价次数")),
                        ("bidder_count", models.PositiveIntegerField(default=0, verbose_name="竞买人数")),
                        (
                            "applied_deposit",
                            models.DecimalField(
                                decimal_places=2, default=0, max_digits=14, verbose_name="抵作价款的保证金"
                            ),
                        ),
                        (
                            "amount_due",
                            models.DecimalField(decimal_places=2, max_digits=14, verbose_name="应付余款"),
                        ),
                        (
                            "contract_registration_no",
                            models.CharField(blank=True, max_length=64, verbose_name="技术合同认定登记号"),
                        ),
                        ("paid_at", models.DateTimeField(blank=True, null=True)),
                        ("settled_at", models.DateTimeField(blank=True, null=True)),
                        ("defaulted_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "broker",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="deals_brokered",
                                to="accounts.organization",
                            ),
                        ),
                        (
                            "buyer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="deals_bought",
                                to="accounts.organization",
                            ),
                        ),
                        (
                            "listing",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="deals",
                                to="listings.listing",
                            ),
                        ),
                        (
                            "seller",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="deals_sold",
                                to="accounts.organization",
                            ),
                        ),
                        (
                            "deposit",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="deal_applied_to",
                                to="marketplace.payable",
                            ),
                        ),
                        (
                            "payment",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="deal_balance_of",
                                to="marketplace.payable",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "成交",
                        "verbose_name_plural": "成交",
                        "indexes": [
                            models.Index(fields=["status", "payment_due_at"], name="deal_status_due"),
                            models.Index(fields=["buyer", "id"], name="deal_buyer"),
                            models.Index(fields=["seller", "id"], name="deal_seller"),
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("status", "defaulted"), _negated=True),
                                fields=("listing",),
                                name="deal_one_per_listing",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("price__gt", 0)), name="deal_price_positive"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("applied_deposit__gte", 0), ("applied_deposit__lte", models.F("price"))
                                ),
                                name="deal_applied_deposit_within_price",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    (
                                        "amount_due",
                                        django.db.models.expressions.CombinedExpression(
                                            models.F("price"), "-", models.F("applied_deposit")
                                        ),
                                    )
                                ),
                                name="deal_amount_due_is_rest",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("buyer", models.F("seller")), _negated=True),
                                name="deal_buyer_not_seller",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("payment_due_at__gt", models.F("concluded_at"))),
                                name="deal_due_after_conclusion",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="DealStatusChange",
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
                                    ("awaiting_payment", "待付款"),
                                    ("paid", "已付款"),
                                    ("contract_registered", "合同已登记"),
                                    ("settled", "已结算"),
                                    ("defaulted", "已违约"),
                                ],
                                max_length=32,
                            ),
                        ),
                        (
                            "to_status",
                            models.CharField(
                                choices=[
                                    ("awaiting_payment", "待付款"),
                                    ("paid", "已付款"),
                                    ("contract_registered", "合同已登记"),
                                    ("settled", "已结算"),
                                    ("defaulted", "已违约"),
                                ],
                                max_length=32,
                            ),
                        ),
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
                            "deal",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="status_changes",
                                to="marketplace.deal",
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
                    name="Journal",
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
                                choices=[
                                    ("deposit_received", "收到保证金"),
                                    ("deposit_released", "保证金解冻退还"),
                                    ("deposit_applied", "保证金抵作价款"),
                                    ("deposit_forfeited", "保证金没收"),
                                    ("payment_received", "收到成交价款"),
                                    ("overpayment_received", "多付款项转应退"),
                                    ("payment_refundable", "已付价款转应退"),
                                    ("unallocated_received", "收到待查明款项"),
                                    ("settlement", "结算分配"),
                                    ("settlement_paid_out", "结算款付出"),
                                    ("refund", "退款付出"),
                                    ("reversal", "冲正"),
                                ],
                                max_length=32,
                                verbose_name="类型",
                            ),
                        ),
                        ("idempotency_key", models.CharField(max_length=200, unique=True)),
                        ("memo", models.CharField(blank=True, max_length=300, verbose_name="摘要")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
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
                            "deal",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="journals",
                                to="marketplace.deal",
                            ),
                        ),
                        (
                            "reverses",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="reversed_by",
                                to="marketplace.journal",
                            ),
                        ),
                        (
                            "transfer",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="journals",
                                to="marketplace.banktransfer",
                            ),
                        ),
                        (
                            "payable",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="journals",
                                to="marketplace.payable",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "凭证",
                        "verbose_name_plural": "凭证",
                        "ordering": ("id",),
                        "indexes": [],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("deal__isnull", False),
                                    ("payable__isnull", False),
                                    ("transfer__isnull", False),
                                    _connector="OR",
                                ),
                                name="journal_belongs_somewhere",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="LedgerAccount",
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
                                choices=[
                                    ("bank_clearing", "银行清算户"),
                                    ("escrow_deposits", "监管资金：保证金"),
                                    ("escrow_payments", "监管资金：成交价款"),
                                    ("platform_fee_revenue", "平台服务费收入"),
                                    ("holder_payable", "应付持有单位"),
                                    ("inventors_payable", "应付完成人奖励"),
                                    ("broker_payable", "应付技术经纪人"),
                                    ("forfeits", "没收保证金"),
                                    ("refunds_payable", "应退款项"),
                                    ("unallocated", "待查明款项"),
                                ],
                                max_length=32,
                                verbose_name="科目",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "organization",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="ledger_accounts",
                                to="accounts.organization",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "账户",
                        "verbose_name_plural": "账户",
                        "indexes": [],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("kind", "organization"),
                                name="ledger_account_unique",
                                nulls_distinct=False,
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(
                                        (
                                            "kind__in",
                                            [
                                                "bank_clearing",
                                                "platform_fee_revenue",
                                                "forfeits",
                                                "unallocated",
                                            ],
                                        ),
                                        ("organization__isnull", True),
                                    ),
                                    models.Q(
                                        models.Q(
                                            (
                                                "kind__in",
                                                [
                                                    "bank_clearing",
                                                    "platform_fee_revenue",
                                                    "forfeits",
                                                    "unallocated",
                                                ],
                                            ),
                                            _negated=True,
                                        ),
                                        ("organization__isnull", False),
                                    ),
                                    _connector="OR",
                                ),
                                name="ledger_account_owner_by_kind",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="LedgerEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("amount", models.DecimalField(decimal_places=2, max_digits=14, verbose_name="金额")),
                        (
                            "account",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="entries",
                                to="marketplace.ledgeraccount",
                            ),
                        ),
                        (
                            "journal",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="entries",
                                to="marketplace.journal",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "分录",
                        "verbose_name_plural": "分录",
                        "ordering": ("id",),
                        "indexes": [models.Index(fields=["account", "journal"], name="ledger_entry_account")],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("amount", 0), _negated=True), name="ledger_entry_nonzero"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Payable",
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
                                choices=[
                                    ("deposit", "保证金"),
                                    ("balance", "成交价款"),
                                    ("refund", "退款"),
                                    ("payout", "结算付款"),
                                ],
                                max_length=16,
                                verbose_name="类型",
                            ),
                        ),
                        (
                            "amount",
                            models.DecimalField(decimal_places=2, max_digits=14, verbose_name="应付金额"),
                        ),
                        (
                            "amount_paid",
                            models.DecimalField(
                                decimal_places=2, default=0, max_digits=14, verbose_name="已付金额"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[("pending", "待付款"), ("paid", "已付清"), ("cancelled", "已取消")],
                                default="pending",
                                max_length=16,
                                verbose_name="状态",
                            ),
                        ),
                        (
                            "deposit_status",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("pending", "待缴纳"),
                                    ("frozen", "已冻结"),
                                    ("released", "已解冻"),
                                    ("applied", "已抵作价款"),
                                    ("forfeited", "已没收"),
                                ],
                                max_length=16,
                                verbose_name="保证金状态",
                            ),
                        ),
                        (
                            "payment_reference",
                            models.CharField(max_length=32, unique=True, verbose_name="付款识别码"),
                        ),
                        ("payout_account", models.CharField(blank=True, max_length=32)),
                        ("idempotency_key", models.CharField(max_length=200, unique=True)),
                        ("due_at", models.DateTimeField(blank=True, null=True, verbose_name="付款截止")),
                        ("paid_at", models.DateTimeField(blank=True, null=True, verbose_name="付清时间")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "deal",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="payables",
                                to="marketplace.deal",
                            ),
                        ),
                        (
                            "listing",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="payables",
                                to="listings.listing",
                            ),
                        ),
                        (
                            "payer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="payables",
                                to="accounts.organization",
                            ),
                        ),
                        (
                            "refund_of",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="refunds",
                                to="marketplace.payable",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "应付款项",
                        "verbose_name_plural": "应付款项",
                        "indexes": [models.Index(fields=["kind", "status"], name="payable_kind_status")],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("amount__gte", 0)), name="payable_amount_nonneg"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("amount_paid__gte", 0), ("amount_paid__lte", models.F("amount"))
                                ),
                                name="payable_paid_within_amount",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("status", "paid"), _negated=True),
                                    ("amount_paid", models.F("amount")),
                                    _connector="OR",
                                ),
                                name="payable_paid_means_full",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(
                                        ("kind", "deposit"), models.Q(("deposit_status", ""), _negated=True)
                                    ),
                                    models.Q(
                                        models.Q(("kind", "deposit"), _negated=True), ("deposit_status", "")
                                    ),
                                    _connector="OR",
                                ),
                                name="payable_deposit_status_only_for_deposits",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("deposit_status", "frozen"), _negated=True),
                                    ("status", "paid"),
                                    _connector="OR",
                                ),
                                name="payable_frozen_means_paid",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("kind", "balance")),
                                fields=("deal",),
                                name="payable_one_balance_per_deal",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="PayableStatusChange",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("from_status", models.CharField(blank=True, max_length=16)),
                        ("to_status", models.CharField(max_length=16)),
                        ("from_deposit_status", models.CharField(blank=True, max_length=16)),
                        ("to_deposit_status", models.CharField(blank=True, max_length=16)),
                        ("note", models.TextField(blank=True)),
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
                            "payable",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="status_changes",
                                to="marketplace.payable",
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
                    name="Result",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("listing_title", models.CharField(max_length=200, verbose_name="成果名称")),
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
                            "price",
                            models.DecimalField(decimal_places=2, max_digits=14, verbose_name="成交价"),
                        ),
                        ("seller", models.CharField(max_length=200, verbose_name="转让方")),
                        ("buyer", models.CharField(max_length=200, verbose_name="受让方")),
                        ("concluded_at", models.DateTimeField(verbose_name="成交时间")),
                        ("bid_count", models.PositiveIntegerField(default=0, verbose_name="出价次数")),
                        (
                            "contract_registration_no",
                            models.CharField(blank=True, max_length=64, verbose_name="技术合同认定登记号"),
                        ),
                        ("published_at", models.DateTimeField(verbose_name="公示时间")),
                        ("updated_at", models.DateTimeField(unique=True, verbose_name="更新时间")),
                        (
                            "achievement",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="listings.achievement",
                            ),
                        ),
                        (
                            "deal",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="result",
                                to="marketplace.deal",
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
                    ],
                    options={
                        "verbose_name": "成交结果",
                        "verbose_name_plural": "成交结果",
                        "indexes": [
                            models.Index(fields=["updated_at", "id"], name="result_sync"),
                            models.Index(fields=["mode", "updated_at", "id"], name="result_mode_sync"),
                            models.Index(fields=["field", "updated_at", "id"], name="result_field_sync"),
                            models.Index(fields=["concluded_at"], name="result_concluded"),
                        ],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="CreditEvent",
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
                                choices=[("deal_default", "成交后未按期付款（违约）")],
                                max_length=32,
                                verbose_name="类型",
                            ),
                        ),
                        ("detail", models.TextField(blank=True, verbose_name="说明")),
                        ("occurred_at", models.DateTimeField(verbose_name="发生时间")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="credit_events",
                                to="accounts.organization",
                            ),
                        ),
                        (
                            "deal",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="credit_events",
                                to="marketplace.deal",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "信用记录",
                        "verbose_name_plural": "信用记录",
                        "ordering": ("-occurred_at", "-id"),
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("deal__isnull", False)),
                                fields=("deal", "kind"),
                                name="credit_event_once_per_deal",
                            )
                        ],
                        "indexes": [],
                    },
                ),
                migrations.CreateModel(
                    name="ReconciliationRun",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("started_at", models.DateTimeField()),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "status",
                            models.CharField(
                                choices=[("running", "进行中"), ("ok", "一致"), ("mismatch", "存在差异")],
                                default="running",
                                max_length=16,
                            ),
                        ),
                        ("journals_checked", models.PositiveIntegerField(default=0)),
                        ("accounts_checked", models.PositiveIntegerField(default=0)),
                        ("payables_checked", models.PositiveIntegerField(default=0)),
                        (
                            "mismatches",
                            models.JSONField(
                                default=list, encoder=django.core.serializers.json.DjangoJSONEncoder
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "对账",
                        "verbose_name_plural": "对账",
                        "ordering": ("-started_at", "-id"),
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="Offer",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "side",
                            models.CharField(
                                choices=[("buyer", "受让方"), ("holder", "持有单位")],
                                max_length=8,
                                verbose_name="出价方",
                            ),
                        ),
                        ("amount", models.DecimalField(decimal_places=2, max_digits=14, verbose_name="报价")),
                        ("message", models.TextField(blank=True, max_length=2000, verbose_name="留言")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("open", "待答复"),
                                    ("countered", "已还价"),
                                    ("accepted", "已接受"),
                                    ("rejected", "已拒绝"),
                                    ("superseded", "已失效"),
                                    ("withdrawn", "已撤销"),
                                ],
                                default="open",
                                max_length=16,
                                verbose_name="状态",
                            ),
                        ),
                        ("answered_at", models.DateTimeField(blank=True, null=True)),
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
                            "buyer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="offers",
                                to="accounts.organization",
                            ),
                        ),
                        (
                            "listing",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="offers",
                                to="listings.listing",
                            ),
                        ),
                        (
                            "made_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "parent",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="counter_offer",
                                to="marketplace.offer",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "报价",
                        "verbose_name_plural": "报价",
                        "ordering": ("id",),
                        "indexes": [],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("amount__gt", 0)), name="offer_amount_positive"
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("status", "open")),
                                fields=("listing", "buyer"),
                                name="offer_one_open_per_buyer",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("status", "accepted")),
                                fields=("listing",),
                                name="offer_one_accepted_per_listing",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="OfferStatusChange",
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
                            "offer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="status_changes",
                                to="marketplace.offer",
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
                    name="PublicNotice",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "price",
                            models.DecimalField(decimal_places=2, max_digits=14, verbose_name="拟成交价"),
                        ),
                        ("starts_at", models.DateTimeField(verbose_name="公示开始")),
                        ("ends_at", models.DateTimeField(verbose_name="公示截止")),
                        (
                            "status",
                            models.CharField(
                                choices=[("open", "公示中"), ("concluded", "已成交"), ("stopped", "已终止")],
                                default="open",
                                max_length=16,
                                verbose_name="状态",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
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
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="notice",
                                to="marketplace.deal",
                            ),
                        ),
                        (
                            "listing",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="notices",
                                to="listings.listing",
                            ),
                        ),
                        (
                            "offer",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="notice",
                                to="marketplace.offer",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "协议定价公示",
                        "verbose_name_plural": "协议定价公示",
                        "ordering": ("-starts_at", "-id"),
                        "indexes": [models.Index(fields=["status", "ends_at"], name="notice_status_ends")],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("status", "open")),
                                fields=("listing",),
                                name="notice_one_open_per_listing",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("ends_at__gt", models.F("starts_at"))),
                                name="notice_ends_after_start",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Objection",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("reason", models.TextField(max_length=5000, verbose_name="异议理由")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "待处理"),
                                    ("upheld", "异议成立"),
                                    ("dismissed", "异议不成立"),
                                ],
                                default="pending",
                                max_length=16,
                                verbose_name="状态",
                            ),
                        ),
                        ("decided_at", models.DateTimeField(blank=True, null=True)),
                        ("decision_reason", models.TextField(blank=True, verbose_name="处理意见")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
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
                            "raised_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "notice",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="objections",
                                to="marketplace.publicnotice",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "异议",
                        "verbose_name_plural": "异议",
                        "ordering": ("id",),
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="NoticeStatusChange",
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
                            "notice",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="status_changes",
                                to="marketplace.publicnotice",
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
                    name="PurchaseIntent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("declared_at", models.DateTimeField(verbose_name="登记时间")),
                        (
                            "buyer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="purchase_intents",
                                to="accounts.organization",
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
                        (
                            "listing",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="intents",
                                to="listings.listing",
                            ),
                        ),
                        (
                            "withdrawal_reason",
                            models.TextField(blank=True, default="", verbose_name="撤销原因"),
                        ),
                        (
                            "withdrawn_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="撤销时间"),
                        ),
                    ],
                    options={
                        "verbose_name": "意向受让方",
                        "verbose_name_plural": "意向受让方",
                        "ordering": ("declared_at", "id"),
                        "indexes": [],
                        "constraints": [
                            models.UniqueConstraint(fields=("listing", "buyer"), name="intent_one_per_buyer")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Settlement",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("price", models.DecimalField(decimal_places=2, max_digits=14)),
                        (
                            "platform_fee",
                            models.DecimalField(decimal_places=2, max_digits=14, verbose_name="平台服务费"),
                        ),
                        (
                            "inventors_amount",
                            models.DecimalField(decimal_places=2, max_digits=14, verbose_name="完成人奖励"),
                        ),
                        (
                            "broker_amount",
                            models.DecimalField(
                                decimal_places=2, max_digits=14, verbose_name="技术经纪人佣金"
                            ),
                        ),
                        (
                            "holder_amount",
                            models.DecimalField(decimal_places=2, max_digits=14, verbose_name="持有单位所得"),
                        ),
                        ("inventors_share", models.DecimalField(decimal_places=4, max_digits=5)),
                        ("broker_share", models.DecimalField(decimal_places=4, max_digits=5)),
                        (
                            "fee_schedule",
                            models.JSONField(encoder=django.core.serializers.json.DjangoJSONEncoder),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "deal",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="settlement",
                                to="marketplace.deal",
                            ),
                        ),
                        (
                            "settled_by",
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
                        "verbose_name": "结算",
                        "verbose_name_plural": "结算",
                        "indexes": [],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("broker_amount__gte", 0),
                                    ("holder_amount__gte", 0),
                                    ("inventors_amount__gte", 0),
                                    ("platform_fee__gte", 0),
                                ),
                                name="settlement_parts_nonneg",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    (
                                        "price",
                                        django.db.models.expressions.CombinedExpression(
                                            django.db.models.expressions.CombinedExpression(
                                                django.db.models.expressions.CombinedExpression(
                                                    models.F("platform_fee"),
                                                    "+",
                                                    models.F("inventors_amount"),
                                                ),
                                                "+",
                                                models.F("broker_amount"),
                                            ),
                                            "+",
                                            models.F("holder_amount"),
                                        ),
                                    )
                                ),
                                name="settlement_parts_sum_to_price",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="SettlementPolicy",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "inventors_share",
                            models.DecimalField(
                                decimal_places=4, max_digits=5, verbose_name="完成人奖励比例"
                            ),
                        ),
                        (
                            "broker_share",
                            models.DecimalField(
                                decimal_places=4, max_digits=5, verbose_name="技术经纪人比例"
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "organization",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="settlement_policy",
                                to="accounts.organization",
                            ),
                        ),
                        (
                            "updated_by",
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
                        "verbose_name": "收益分配方案",
                        "verbose_name_plural": "收益分配方案",
                        "indexes": [],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("broker_share__gte", "0.05"),
                                    ("inventors_share__gte", 0),
                                    (
                                        "inventors_share__lte",
                                        django.db.models.expressions.CombinedExpression(
                                            models.Value(1), "-", models.F("broker_share")
                                        ),
                                    ),
                                ),
                                name="settlement_policy_shares_valid",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="FixedPriceOutcome",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "outcome",
                            models.CharField(
                                choices=[
                                    ("expired", "期满无意向，挂牌结束"),
                                    ("deal", "一家意向，按挂牌价成交"),
                                    ("contested", "多家意向，转为竞价"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("intent_count", models.PositiveIntegerField()),
                        ("resolved_at", models.DateTimeField()),
                        (
                            "listing",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="fixed_price_outcome",
                                to="listings.listing",
                            ),
                        ),
                    ],
                    options={
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="UseFirstAgreement",
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
                        ("trial_ends_on", models.DateField(blank=True, null=True, verbose_name="试用结束")),
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
                        ("decision_on", models.DateField(blank=True, null=True, verbose_name="决定日期")),
                        ("reminded_on", models.DateField(blank=True, null=True)),
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
                            "entry",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="agreements",
                                to="listings.usefirstentry",
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
                                to="marketplace.usefirstapplication",
                            ),
                        ),
                        ("lapse_reported_on", models.DateField(blank=True, null=True)),
                    ],
                    options={
                        "verbose_name": "先用后转协议",
                        "verbose_name_plural": "先用后转协议",
                        "indexes": [
                            models.Index(fields=["status", "decision_on"], name="use_first_agr_status_due")
                        ],
                        "constraints": [
                            models.CheckConstraint(
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
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("decision_on__isnull", True),
                                    ("decision_on__gte", models.F("trial_starts_on")),
                                    _connector="OR",
                                ),
                                name="use_first_agr_decision_after_start",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("status", "converted"), _negated=True),
                                    ("deal__isnull", False),
                                    _connector="OR",
                                ),
                                name="use_first_agr_converted_deal",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("status", "in_trial")),
                                fields=("entry",),
                                name="use_first_agr_one_trial",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="UseFirstAgreementStatusChange",
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
                                to="marketplace.usefirstagreement",
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
                    name="UseFirstApplication",
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
                        (
                            "entry",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="applications",
                                to="listings.usefirstentry",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "先用后转申请",
                        "verbose_name_plural": "先用后转申请",
                        "indexes": [
                            models.Index(fields=["status", "respond_by"], name="use_first_app_status_due")
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(
                                    ("status__in", ["pending", "escalated", "decline_review"])
                                ),
                                fields=("entry", "applicant"),
                                name="use_first_app_one_open",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="UseFirstApplicationStatusChange",
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
                                to="marketplace.usefirstapplication",
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
                    name="DealConfirmation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("number", models.CharField(max_length=32, unique=True, verbose_name="确认书编号")),
                        ("terms", models.JSONField()),
                        ("digest", models.CharField(max_length=64)),
                        ("issued_at", models.DateTimeField(verbose_name="出具时间")),
                        (
                            "buyer_signed_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="受让方签署时间"),
                        ),
                        (
                            "seller_signed_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="转让方签署时间"),
                        ),
                        (
                            "buyer_signed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "deal",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="confirmation",
                                to="marketplace.deal",
                            ),
                        ),
                        (
                            "seller_signed_by",
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
                        "verbose_name": "成交确认书",
                        "verbose_name_plural": "成交确认书",
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(
                                        ("buyer_signed_at__isnull", True), ("buyer_signed_by__isnull", True)
                                    ),
                                    models.Q(
                                        ("buyer_signed_at__isnull", False), ("buyer_signed_by__isnull", False)
                                    ),
                                    _connector="OR",
                                ),
                                name="deal_confirmation_buyer_signature_whole",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(
                                        ("seller_signed_at__isnull", True), ("seller_signed_by__isnull", True)
                                    ),
                                    models.Q(
                                        ("seller_signed_at__isnull", False),
                                        ("seller_signed_by__isnull", False),
                                    ),
                                    _connector="OR",
                                ),
                                name="deal_confirmation_seller_signature_whole",
                            ),
                        ],
                        "indexes": [],
                    },
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name="UseFirstAgreementStatusChange",
                ),
                migrations.DeleteModel(
                    name="UseFirstApplicationStatusChange",
                ),
                migrations.DeleteModel(
                    name="UseFirstAgreement",
                ),
                migrations.DeleteModel(
                    name="UseFirstApplication",
                ),
            ],
        ),
        # from 0002_ledger_triggers
        migrations.RunSQL(SQL_0002_0, SQL_0002_0_BACK),
        # from 0009_deal_confirmation_immutable
        migrations.RunSQL(SQL_0009_0, SQL_0009_0_BACK),
    ]
