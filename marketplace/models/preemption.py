"""Inventors' pre-emption (优先受让权, Civil Code Art. 847): per inventor a waiver or a holder."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from listings.models import Achievement, Inventor, Listing


class Preemption(models.Model):
    """What the holder recorded for one inventor of a service invention: a waiver (with its
    document) or the pre-emption holder (the inventor's own organization, or the one the inventors
    designate), which registers or claims at equal terms in a transfer. Recording again replaces
    the inventor's record (the old one stays, ``superseded_at`` set)."""

    achievement = models.ForeignKey(Achievement, on_delete=models.PROTECT, related_name="preemptions")
    # Editing an achievement's inventors replaces their rows: the record keeps the name it was for.
    inventor = models.ForeignKey(
        Inventor, on_delete=models.SET_NULL, null=True, blank=True, related_name="preemptions"
    )
    inventor_name = models.CharField(_("完成人"), max_length=100)
    waived = models.BooleanField(_("已放弃"))
    # The waiver's document: the holder uploads it (``core.files``: its kind read from its content);
    # ``document`` is what the server read of it, {name, kind, size, sha256}, kept on record and
    # copied into the 成交确认书; ``document_file`` is the stored file (holder and operators open it).
    document = models.JSONField(null=True, blank=True)
    document_file = models.FileField(_("放弃声明文件"), max_length=200, blank=True)
    holder_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="preemptions_held"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("优先受让权登记")
        verbose_name_plural = _("优先受让权登记")
        ordering = ("inventor_name", "id")
        constraints = [
            models.CheckConstraint(
                condition=Q(waived=True, document__isnull=False, holder_organization__isnull=True)
                & ~Q(document_file="")
                | Q(waived=False, holder_organization__isnull=False),
                name="preemption_waiver_or_holder",
            ),
            models.UniqueConstraint(
                fields=["achievement", "inventor_name"],
                condition=Q(superseded_at__isnull=True),
                name="preemption_one_current",
            ),
        ]


class PreemptionClaim(models.Model):
    """A pre-emption holder takes a negotiated or fixed-price transfer at equal terms: at the
    noticed price within the public notice, or at the listed price within the intent period."""

    class Status(models.TextChoices):
        OPEN = "open", _("待成交")  # the period runs; the deal goes to the claimant when it ends
        EXERCISED = "exercised", _("已行使")  # the deal was made with the claimant
        LAPSED = "lapsed", _("已失效")  # the notice was stopped or the listing left the market

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="preemption_claims")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    notice = models.ForeignKey(
        "marketplace.PublicNotice", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    price = models.DecimalField(_("同等条件价格"), max_digits=14, decimal_places=2)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    claimed_at = models.DateTimeField()
    deal = models.ForeignKey(
        "marketplace.Deal", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("优先受让主张")
        verbose_name_plural = _("优先受让主张")
        constraints = [
            models.UniqueConstraint(
                fields=["listing"], condition=Q(status="open"), name="preemption_claim_one_open"
            ),
            models.CheckConstraint(condition=Q(price__gt=0), name="preemption_claim_price_positive"),
        ]


class PreemptionClaimStatusChange(models.Model):
    claim = models.ForeignKey(PreemptionClaim, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
