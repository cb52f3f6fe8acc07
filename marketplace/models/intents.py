"""Fixed-price mode (挂牌交易): buyers declare intent during the listing period."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from listings.models import Listing


class PurchaseIntent(models.Model):
    """A verified buyer's declaration that it will buy at the listed price (意向受让方)."""

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="intents")
    buyer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="purchase_intents")
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField(_("登记时间"))  # the database clock, before listing_ends_at
    # Set once when the listing leaves the market (taken down by an operator or withdrawn) before
    # its period ended: the intent no longer counts and the buyer has been told why.
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("撤销原因"), blank=True, default="")

    class Meta:
        verbose_name = _("意向受让方")
        verbose_name_plural = _("意向受让方")
        ordering = ("declared_at", "id")
        constraints = [models.UniqueConstraint(fields=["listing", "buyer"], name="intent_one_per_buyer")]


class FixedPriceOutcome(models.Model):
    """How a fixed-price listing's period ended, recorded once: the job never resolves it twice
    (a contested listing stays published while its auction runs)."""

    class Outcome(models.TextChoices):
        EXPIRED = "expired", _("期满无意向，挂牌结束")
        DEAL = "deal", _("一家意向，按挂牌价成交")
        CONTESTED = "contested", _("多家意向，转为竞价")

    listing = models.OneToOneField(Listing, on_delete=models.PROTECT, related_name="fixed_price_outcome")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    intent_count = models.PositiveIntegerField()
    resolved_at = models.DateTimeField()
