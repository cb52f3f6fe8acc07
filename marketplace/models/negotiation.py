"""Negotiated mode (协议定价): offers and counter-offers, then the public notice of the agreed price."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from listings.models import Listing


class Offer(models.Model):
    """A price proposed by one side of a negotiation; the other side accepts, rejects or counters.
    A counter-offer is a new offer from the other side with ``parent`` set."""

    class Side(models.TextChoices):
        BUYER = "buyer", _("受让方")
        HOLDER = "holder", _("持有单位")

    class Status(models.TextChoices):
        OPEN = "open", _("待答复")  # waiting for the other side
        COUNTERED = "countered", _("已还价")  # answered by a counter-offer
        ACCEPTED = "accepted", _("已接受")  # the agreed price goes into a public notice
        REJECTED = "rejected", _("已拒绝")  # refused by the other side
        SUPERSEDED = "superseded", _("已失效")  # another buyer's offer was accepted on this listing
        WITHDRAWN = "withdrawn", _("已撤销")  # the listing left the market (taken down or withdrawn)

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="offers")
    buyer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="offers")
    side = models.CharField(_("出价方"), max_length=8, choices=Side.choices)
    parent = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="counter_offer"
    )
    amount = models.DecimalField(_("报价"), max_digits=14, decimal_places=2)
    message = models.TextField(_("留言"), max_length=2000, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("报价")
        verbose_name_plural = _("报价")
        ordering = ("id",)
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="offer_amount_positive"),
            # One open thread per buyer and listing: the newest offer in it is the open one.
            models.UniqueConstraint(
                fields=["listing", "buyer"], condition=Q(status="open"), name="offer_one_open_per_buyer"
            ),
            models.UniqueConstraint(
                fields=["listing"], condition=Q(status="accepted"), name="offer_one_accepted_per_listing"
            ),
        ]

    @property
    def answering_organization_id(self) -> int:
        """The side whose turn it is: the holder answers a buyer's offer, the buyer a holder's counter."""
        return self.listing.achievement.holder_id if self.side == self.Side.BUYER else self.buyer_id


class OfferStatusChange(models.Model):
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")


class PublicNotice(models.Model):
    """The public notice (公示) of a negotiated price before the deal: ``notice_days`` long, open to
    objections by anyone signed in; an upheld objection stops it, otherwise it concludes the deal."""

    class Status(models.TextChoices):
        OPEN = "open", _("公示中")  # objections may be raised until ends_at
        CONCLUDED = "concluded", _("已成交")  # ended with no upheld objection: the deal is made
        # An operator upheld an objection, or the listing was taken down: the deal does not proceed.
        STOPPED = "stopped", _("已终止")

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="notices")
    offer = models.OneToOneField(Offer, on_delete=models.PROTECT, related_name="notice")
    buyer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    price = models.DecimalField(_("拟成交价"), max_digits=14, decimal_places=2)
    starts_at = models.DateTimeField(_("公示开始"))
    ends_at = models.DateTimeField(_("公示截止"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    deal = models.OneToOneField(
        "marketplace.Deal", on_delete=models.PROTECT, null=True, blank=True, related_name="notice"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("协议定价公示")
        verbose_name_plural = _("协议定价公示")
        ordering = ("-starts_at", "-id")
        indexes = [models.Index(fields=["status", "ends_at"], name="notice_status_ends")]
        constraints = [
            models.UniqueConstraint(
                fields=["listing"], condition=Q(status="open"), name="notice_one_open_per_listing"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="notice_ends_after_start"
            ),
        ]


class NoticeStatusChange(models.Model):
    notice = models.ForeignKey(PublicNotice, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")


class Objection(models.Model):
    """An objection (异议) to a public notice, decided by an operator."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待处理")  # the notice cannot conclude while one is pending
        UPHELD = "upheld", _("异议成立")  # the deal does not proceed
        DISMISSED = "dismissed", _("异议不成立")

    notice = models.ForeignKey(PublicNotice, on_delete=models.PROTECT, related_name="objections")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("异议理由"), max_length=5000)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("处理意见"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ("id",)


class ObjectionStatusChange(models.Model):
    """Who moved an objection from what to what and why (its decision, with the operator's reason)."""

    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
