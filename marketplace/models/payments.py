"""What is owed to or by the escrow (``Payable``) and the money that actually moved (``BankTransfer``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization


class Payable(models.Model):
    """An obligation with a ``payment_reference`` (API.md calls it a "payment").

    Incoming kinds (deposit, balance): ``payer`` owes the escrow ``amount`` and pays it by bank
    transfer quoting ``payment_reference`` into ``settings.MARKET["ESCROW_BANK_ACCOUNT"]``.
    Outgoing kinds (refund, payout): the escrow owes ``amount`` to ``payer`` (the organization the
    money belongs to; for a refund, the one that paid it in), paid out by a finance operator.
    """

    class Kind(models.TextChoices):
        DEPOSIT = "deposit", _("保证金")  # in: frozen in escrow before bidding
        BALANCE = "balance", _("成交价款")  # in: the price of a deal less an applied deposit
        REFUND = "refund", _("退款")  # out: a released deposit, an overpayment, a defaulted part-payment
        PAYOUT = "payout", _("结算付款")  # out: a settled deal's share to the holder, inventors or broker

    class Status(models.TextChoices):
        PENDING = "pending", _("待付款")  # not yet (fully) paid; part-payments leave it here
        PAID = "paid", _("已付清")  # amount_paid == amount
        CANCELLED = "cancelled", _("已取消")  # no longer due (deposit released unpaid, deal defaulted)

    class DepositStatus(models.TextChoices):
        PENDING = "pending", _("待缴纳")  # registered, not fully paid: may not bid
        FROZEN = "frozen", _("已冻结")  # fully paid and held: may bid
        RELEASED = "released", _("已解冻")  # returned (lost the auction, or released unpaid)
        APPLIED = "applied", _("已抵作价款")  # the winner's deposit became part of the price
        FORFEITED = "forfeited", _("已没收")  # the winner defaulted

    INCOMING = (Kind.DEPOSIT, Kind.BALANCE)

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    payer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="payables")
    amount = models.DecimalField(_("应付金额"), max_digits=14, decimal_places=2)
    amount_paid = models.DecimalField(_("已付金额"), max_digits=14, decimal_places=2, default=0)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    deposit_status = models.CharField(
        _("保证金状态"), max_length=16, choices=DepositStatus.choices, blank=True
    )
    # Shown to the payer with the escrow account; random, so nobody can pay into another's payable.
    payment_reference = models.CharField(_("付款识别码"), max_length=32, unique=True)
    listing = models.ForeignKey(
        "listings.Listing", on_delete=models.PROTECT, null=True, blank=True, related_name="payables"
    )
    deal = models.ForeignKey(
        "marketplace.Deal", on_delete=models.PROTECT, null=True, blank=True, related_name="payables"
    )
    # A refund names the payable whose money it returns.
    refund_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    # A payout says which of the payee's ledger accounts it pays from (holder, inventors, broker).
    payout_account = models.CharField(max_length=32, blank=True)
    # The caller's key: the same key returns the same payable (one deposit per registration...).
    idempotency_key = models.CharField(max_length=200, unique=True)
    due_at = models.DateTimeField(_("付款截止"), null=True, blank=True)
    paid_at = models.DateTimeField(_("付清时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("应付款项")
        verbose_name_plural = _("应付款项")
        indexes = [models.Index(fields=["kind", "status"], name="payable_kind_status")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="payable_amount_nonneg"),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0, amount_paid__lte=F("amount")),
                name="payable_paid_within_amount",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(amount_paid=F("amount")), name="payable_paid_means_full"
            ),
            models.CheckConstraint(
                condition=(Q(kind="deposit") & ~Q(deposit_status=""))
                | (~Q(kind="deposit") & Q(deposit_status="")),
                name="payable_deposit_status_only_for_deposits",
            ),
            models.CheckConstraint(
                condition=~Q(deposit_status="frozen") | Q(status="paid"), name="payable_frozen_means_paid"
            ),
            models.UniqueConstraint(
                fields=["deal"], condition=Q(kind="balance"), name="payable_one_balance_per_deal"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.payment_reference}"

    @property
    def is_incoming(self) -> bool:
        return self.kind in self.INCOMING

    @property
    def outstanding(self):  # -> Decimal
        return self.amount - self.amount_paid

    @property
    def purpose(self) -> str:
        """What this item is, in the words of the payment queue (``PURPOSES``): a payout says
        whose share it pays."""
        if self.kind == self.Kind.PAYOUT:
            return {
                "holder_payable": "payout_holder",
                "inventors_payable": "payout_inventors",
                "broker_payable": "payout_broker",
            }.get(self.payout_account, "payout_holder")
        return str(self.kind)

    @property
    def purpose_label(self) -> str:
        return str(PURPOSES[self.purpose])


class PayableStatusChange(models.Model):
    """Every move of a payable's status or deposit status, with who and why."""

    payable = models.ForeignKey(Payable, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    from_deposit_status = models.CharField(max_length=16, blank=True)
    to_deposit_status = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")


class BankTransfer(models.Model):
    """Money that moved through the escrow bank account, as the bank reported it or an operator
    confirmed it. ``bank_transaction_id`` is unique: a replayed notification records nothing."""

    class Direction(models.TextChoices):
        IN = "in", _("收款")
        OUT = "out", _("付款")

    class Source(models.TextChoices):
        BANK_NOTIFICATION = "bank_notification", _("银行到账通知")
        OPERATOR = "operator", _("运营人员确认")

    direction = models.CharField(max_length=8, choices=Direction.choices)
    source = models.CharField(max_length=32, choices=Source.choices)
    bank_transaction_id = models.CharField(_("银行流水号"), max_length=100, unique=True)
    payable = models.ForeignKey(
        Payable, on_delete=models.PROTECT, null=True, blank=True, related_name="transfers"
    )
    reference = models.CharField(_("付款识别码（原文）"), max_length=100, blank=True)
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2)
    # How much of ``amount`` went to the payable; the rest became a refund (or stayed unallocated).
    applied_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    payer_name = models.CharField(_("付款人户名"), max_length=200, blank=True)
    payer_account = models.CharField(_("付款账号"), max_length=64, blank=True)
    occurred_at = models.DateTimeField(_("银行记账时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("备注"), blank=True)
    raw = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("银行流水")
        verbose_name_plural = _("银行流水")
        ordering = ("id",)
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="bank_transfer_amount_positive"),
            models.CheckConstraint(
                condition=Q(applied_amount__gte=0, applied_amount__lte=F("amount")),
                name="bank_transfer_applied_within_amount",
            ),
            models.CheckConstraint(
                condition=~Q(source="operator") | Q(confirmed_by__isnull=False),
                name="bank_transfer_operator_named",
            ),
        ]


# The payment queue's kinds of item: a payout is labelled by whose share it pays.
PURPOSES = {
    "deposit": _("保证金"),
    "balance": _("成交价款"),
    "payout_holder": _("结算付款 · 持有单位所得"),
    "payout_inventors": _("结算付款 · 完成人奖励"),
    "payout_broker": _("结算付款 · 技术经理人佣金"),
    "refund": _("退款"),
}


class PaymentReceipt(models.Model):
    """A payer's "I have paid" (已付款，上传银行回单): the bank receipt of an offline transfer.

    It changes no money: a finance operator sees it in the payment queue and confirms the
    payable (``payable_confirm``) once the transfer is on the escrow account. The file was checked
    by ``core.files`` and is read only by the payer's members and platform staff.
    """

    payable = models.ForeignKey(Payable, on_delete=models.CASCADE, related_name="receipts")
    file = models.FileField(_("银行回单"), max_length=200)
    name = models.CharField(_("文件名"), max_length=120)
    kind = models.CharField(max_length=8)  # a key of core.files.KINDS
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.name
