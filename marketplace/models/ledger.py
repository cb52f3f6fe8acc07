"""The escrow ledger: double-entry, append-only (DESIGN.md, "Money").

Sign convention: an entry's ``amount`` is positive for a debit and negative for a credit, so the
entries of a journal sum to zero and an account's balance is the plain sum of its entries. The
bank clearing account is an asset (money in the escrow bank account: a debit balance); escrow,
payables, revenue and forfeits are what that money is owed to (credit balances, shown negated).

What the database enforces (migration 0002): a journal's entries sum to zero and number at least
two, checked by deferred constraint triggers at commit (and at once by ``journal_post``); journals
and entries refuse UPDATE and DELETE. A correction is a reversing journal, never an edit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization


class LedgerAccount(models.Model):
    """One account of the ledger: a platform account, or one of an organization's accounts."""

    class Kind(models.TextChoices):
        BANK_CLEARING = "bank_clearing", _("银行清算户")  # money in the escrow bank account (asset)
        ESCROW_DEPOSITS = "escrow_deposits", _("监管资金：保证金")  # an organization's deposits held
        ESCROW_PAYMENTS = "escrow_payments", _("监管资金：成交价款")  # a buyer's payments held for deals
        PLATFORM_FEE_REVENUE = "platform_fee_revenue", _("平台服务费收入")
        HOLDER_PAYABLE = "holder_payable", _("应付持有单位")  # the holder's net, until paid out
        INVENTORS_PAYABLE = "inventors_payable", _("应付完成人奖励")  # via the holder, to its inventors
        BROKER_PAYABLE = "broker_payable", _("应付技术经纪人")
        FORFEITS = "forfeits", _("没收保证金")  # deposits forfeited on default, by platform policy
        REFUNDS_PAYABLE = "refunds_payable", _("应退款项")  # owed back to an organization
        UNALLOCATED = "unallocated", _("待查明款项")  # bank credits whose reference matched nothing

    PLATFORM_KINDS = (Kind.BANK_CLEARING, Kind.PLATFORM_FEE_REVENUE, Kind.FORFEITS, Kind.UNALLOCATED)

    kind = models.CharField(_("科目"), max_length=32, choices=Kind.choices)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_accounts"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("账户")
        verbose_name_plural = _("账户")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "organization"], nulls_distinct=False, name="ledger_account_unique"
            ),
            models.CheckConstraint(
                name="ledger_account_owner_by_kind",
                condition=(
                    Q(kind__in=["bank_clearing", "platform_fee_revenue", "forfeits", "unallocated"])
                    & Q(organization__isnull=True)
                )
                | (
                    ~Q(kind__in=["bank_clearing", "platform_fee_revenue", "forfeits", "unallocated"])
                    & Q(organization__isnull=False)
                ),
            ),
        ]

    def __str__(self) -> str:
        label = self.get_kind_display()
        return f"{label} · {self.organization}" if self.organization_id else str(label)


class Journal(models.Model):
    """One money movement: a set of entries summing to zero, recorded once (``idempotency_key``)."""

    class Kind(models.TextChoices):
        DEPOSIT_RECEIVED = "deposit_received", _("收到保证金")
        DEPOSIT_RELEASED = "deposit_released", _("保证金解冻退还")
        DEPOSIT_APPLIED = "deposit_applied", _("保证金抵作价款")
        DEPOSIT_FORFEITED = "deposit_forfeited", _("保证金没收")
        PAYMENT_RECEIVED = "payment_received", _("收到成交价款")
        OVERPAYMENT_RECEIVED = "overpayment_received", _("多付款项转应退")
        PAYMENT_REFUNDABLE = "payment_refundable", _("已付价款转应退")  # a defaulted deal's part-payment
        UNALLOCATED_RECEIVED = "unallocated_received", _("收到待查明款项")
        SETTLEMENT = "settlement", _("结算分配")  # the price split into fee, holder, inventors, broker
        SETTLEMENT_PAID_OUT = "settlement_paid_out", _("结算款付出")
        REFUND = "refund", _("退款付出")
        REVERSAL = "reversal", _("冲正")

    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    # What the movement belongs to: a deal and/or a payable (a deposit belongs to a registration
    # through its payable). The check constraint below says at least one is there.
    deal = models.ForeignKey(
        "marketplace.Deal", on_delete=models.PROTECT, null=True, blank=True, related_name="journals"
    )
    payable = models.ForeignKey(
        "marketplace.Payable", on_delete=models.PROTECT, null=True, blank=True, related_name="journals"
    )
    transfer = models.ForeignKey(
        "marketplace.BankTransfer", on_delete=models.PROTECT, null=True, blank=True, related_name="journals"
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    idempotency_key = models.CharField(max_length=200, unique=True)
    memo = models.CharField(_("摘要"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("凭证")
        verbose_name_plural = _("凭证")
        ordering = ("id",)
        constraints = [
            models.CheckConstraint(
                name="journal_belongs_somewhere",
                condition=Q(deal__isnull=False) | Q(payable__isnull=False) | Q(transfer__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"


class LedgerEntry(models.Model):
    """One line of a journal: positive debits, negative credits (see the module docstring)."""

    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="entries")
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("分录")
        verbose_name_plural = _("分录")
        ordering = ("id",)
        indexes = [models.Index(fields=["account", "journal"], name="ledger_entry_account")]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_nonzero")]
