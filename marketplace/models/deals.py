"""Deals (成交) from every mode, and the credit record of organizations that broke one."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from listings.models import Listing, Rights


class Deal(models.Model):
    """A concluded trade. One live deal per listing: the database refuses a second one; a defaulted
    deal does not count, so the listing can be relisted and sold again."""

    class Status(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", _("待付款")  # concluded; the balance is due by payment_due_at
        PAID = "paid", _("已付款")  # the whole price is held in escrow
        CONTRACT_REGISTERED = (
            "contract_registered",
            _("合同已登记"),
        )  # the holder entered the registration no.
        SETTLED = "settled", _("已结算")  # the price was split and paid out
        DEFAULTED = "defaulted", _("已违约")  # unpaid at payment_due_at: deposit forfeited

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="deals")
    mode = models.CharField(_("交易方式"), max_length=16, choices=Listing.Mode.choices)
    rights = models.CharField(_("转化方式"), max_length=32, choices=Rights.choices)
    price = models.DecimalField(_("成交价"), max_digits=14, decimal_places=2)
    buyer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="deals_bought")
    seller = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="deals_sold")
    # The broker's mandate (委托) when the buyer named the broker that brought it: the mandate's
    # commission rate is the settlement's broker line, paid to ``broker``, the organization the
    # broker acts for (set with the mandate, never alone).
    mandate = models.ForeignKey(
        "marketplace.Mandate", on_delete=models.PROTECT, null=True, blank=True, related_name="deals"
    )
    broker = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="deals_brokered"
    )
    status = models.CharField(
        _("状态"), max_length=32, choices=Status.choices, default=Status.AWAITING_PAYMENT
    )
    concluded_at = models.DateTimeField(_("成交时间"))
    payment_due_at = models.DateTimeField(_("付款截止"))
    bid_count = models.PositiveIntegerField(_("出价次数"), default=0)
    bidder_count = models.PositiveIntegerField(_("竞买人数"), default=0)
    # The winner's deposit, applied to the price at conclusion (auctions only).
    deposit = models.OneToOneField(
        "marketplace.Payable", on_delete=models.PROTECT, null=True, blank=True, related_name="deal_applied_to"
    )
    applied_deposit = models.DecimalField(_("抵作价款的保证金"), max_digits=14, decimal_places=2, default=0)
    amount_due = models.DecimalField(_("应付余款"), max_digits=14, decimal_places=2)
    # The balance's payable (API.md ``payment``); set in the transaction that creates the deal.
    payment = models.OneToOneField(
        "marketplace.Payable", on_delete=models.PROTECT, null=True, blank=True, related_name="deal_balance_of"
    )
    contract_registration_no = models.CharField(_("技术合同认定登记号"), max_length=64, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    defaulted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("成交")
        verbose_name_plural = _("成交")
        indexes = [
            models.Index(fields=["status", "payment_due_at"], name="deal_status_due"),
            models.Index(fields=["buyer", "id"], name="deal_buyer"),
            models.Index(fields=["seller", "id"], name="deal_seller"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["listing"], condition=~Q(status="defaulted"), name="deal_one_per_listing"
            ),
            models.CheckConstraint(condition=Q(price__gt=0), name="deal_price_positive"),
            models.CheckConstraint(
                condition=Q(applied_deposit__gte=0, applied_deposit__lte=F("price")),
                name="deal_applied_deposit_within_price",
            ),
            models.CheckConstraint(
                condition=Q(amount_due=F("price") - F("applied_deposit")), name="deal_amount_due_is_rest"
            ),
            models.CheckConstraint(condition=~Q(buyer=F("seller")), name="deal_buyer_not_seller"),
            models.CheckConstraint(
                condition=Q(mandate__isnull=True, broker__isnull=True)
                | Q(mandate__isnull=False, broker__isnull=False),
                name="deal_broker_with_its_mandate",
            ),
            models.CheckConstraint(
                condition=Q(payment_due_at__gt=F("concluded_at")), name="deal_due_after_conclusion"
            ),
        ]

    def __str__(self) -> str:
        return f"成交 {self.number}"

    @property
    def amount_paid(self) -> Any:
        """What the buyer has paid towards the price: the applied deposit and the balance paid so
        far (``payment`` must be loaded; ``deals_visible_to`` selects it)."""
        return self.applied_deposit + (self.payment.amount_paid if self.payment else 0)

    @property
    def amount_outstanding(self) -> Any:
        """What the buyer still owes: the unpaid balance while it is due, nothing otherwise."""
        if self.status != self.Status.AWAITING_PAYMENT or self.payment is None:
            return self.amount_due * 0
        return self.payment.outstanding

    @property
    def number(self) -> str:
        """The deal's document number, printed on its 成交确认书: ZJCJ, the day it was concluded
        in Hangzhou, and a six-digit sequence. People see this, never the row's id."""
        return f"ZJCJ{timezone.localtime(self.concluded_at):%Y%m%d}{self.pk:06d}"


class DealConfirmation(models.Model):
    """成交确认书 (``Deal.confirmation``): the deal's terms as concluded, in words and figures, which
    both parties sign on the platform. Issued with the deal and never changed; ``digest`` is the
    SHA-256 of ``terms`` in canonical JSON, so a signature is a signature of exactly these terms."""

    deal = models.OneToOneField(Deal, on_delete=models.PROTECT, related_name="confirmation")
    number = models.CharField(_("确认书编号"), max_length=32, unique=True)
    terms = models.JSONField()
    digest = models.CharField(max_length=64)
    issued_at = models.DateTimeField(_("出具时间"))
    buyer_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    buyer_signed_at = models.DateTimeField(_("受让方签署时间"), null=True, blank=True)
    seller_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    seller_signed_at = models.DateTimeField(_("转让方签署时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("成交确认书")
        verbose_name_plural = _("成交确认书")
        constraints = [
            models.CheckConstraint(
                condition=Q(buyer_signed_by__isnull=True, buyer_signed_at__isnull=True)
                | Q(buyer_signed_by__isnull=False, buyer_signed_at__isnull=False),
                name="deal_confirmation_buyer_signature_whole",
            ),
            models.CheckConstraint(
                condition=Q(seller_signed_by__isnull=True, seller_signed_at__isnull=True)
                | Q(seller_signed_by__isnull=False, seller_signed_at__isnull=False),
                name="deal_confirmation_seller_signature_whole",
            ),
        ]

    @property
    def signed_by_both(self) -> bool:
        return self.buyer_signed_at is not None and self.seller_signed_at is not None


class DealStatusChange(models.Model):
    """Every move of a deal's status, with who (null: the system) and why."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=32, choices=Deal.Status.choices, blank=True)
    to_status = models.CharField(max_length=32, choices=Deal.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")


class ContractRegistrationChange(models.Model):
    """Every entry and correction of a deal's 技术合同认定登记号: from what, to what, by whom, why.
    The holder's first entry has an empty ``from_no``; an operator's correction has its reason."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="contract_registration_changes")
    from_no = models.CharField(_("原登记号"), max_length=64, blank=True)
    to_no = models.CharField(_("新登记号"), max_length=64)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("理由"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("技术合同登记号变更")
        verbose_name_plural = _("技术合同登记号变更")
        ordering = ("created_at", "id")


class CreditEvent(models.Model):
    """A breach recorded against an organization (失信记录): a default, for now."""

    class Kind(models.TextChoices):
        DEAL_DEFAULT = "deal_default", _("成交后未按期付款（违约）")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="credit_events")
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    deal = models.ForeignKey(
        Deal, on_delete=models.PROTECT, null=True, blank=True, related_name="credit_events"
    )
    detail = models.TextField(_("说明"), blank=True)
    occurred_at = models.DateTimeField(_("发生时间"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("信用记录")
        verbose_name_plural = _("信用记录")
        ordering = ("-occurred_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["deal", "kind"], condition=Q(deal__isnull=False), name="credit_event_once_per_deal"
            ),
        ]
