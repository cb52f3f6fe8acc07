"""Use-first applications and agreements (先用后转): a company uses an achievement on the use-first
list first and converts it (a deal) or returns it at the decision date. A conversion is a deal
of the marketplace, made through its services; the agreement points at it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization

from .duty import UseFirstEntry


class UseFirstApplication(models.Model):
    """A verified company asks to use an entry's achievement first, or, once the entry is
    free-license eligible, for a free license (无偿实施)."""

    class Kind(models.TextChoices):
        USE_FIRST = "use_first", _("先用后转")  # trial use, then convert at a price or return
        FREE_LICENSE = "free_license", _("无偿实施")  # 3 years overdue: free implementation

    class Status(models.TextChoices):
        PENDING = "pending", _("待持有单位答复")  # the holder must answer by respond_by
        ESCALATED = "escalated", _("已逾期转平台处理")  # no answer in time: operators see it
        DECLINE_REVIEW = "decline_review", _("拒绝理由待平台审核")  # free licence: the holder declined
        ACCEPTED = "accepted", _("已同意")  # an agreement was made
        DECLINED = "declined", _("已拒绝")  # declined with a reason (free licence: upheld by an operator)

    entry = models.ForeignKey(UseFirstEntry, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="use_first_applications"
    )
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("申请类型"), max_length=16, choices=Kind.choices)
    plan = models.TextField(_("实施计划"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    respond_by = models.DateTimeField(_("答复期限"))
    decline_reason = models.TextField(_("拒绝理由"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("先用后转申请")
        verbose_name_plural = _("先用后转申请")
        indexes = [models.Index(fields=["status", "respond_by"], name="use_first_app_status_due")]
        constraints = [
            # One open application per company and entry.
            models.UniqueConstraint(
                fields=["entry", "applicant"],
                condition=Q(status__in=["pending", "escalated", "decline_review"]),
                name="use_first_app_one_open",
            ),
        ]


class UseFirstApplicationStatusChange(models.Model):
    application = models.ForeignKey(
        UseFirstApplication, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=16, choices=UseFirstApplication.Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=UseFirstApplication.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")


class UseFirstAgreement(models.Model):
    """What an accepted application becomes: a trial period, a conversion price (or a formula for
    it) and a decision date; at the decision the company converts (a deal through escrow) or
    returns the rights. A free-licence agreement has no price and no decision: it is the licence."""

    class Status(models.TextChoices):
        IN_TRIAL = "in_trial", _("试用中")  # the company uses it; decides by decision_on
        CONVERTED = "converted", _("已转化")  # the company bought it: a deal was concluded
        RETURNED = "returned", _("已退还")  # the company gave the rights back
        LICENSED = "licensed", _("无偿实施中")  # a free licence (no price, no decision)

    application = models.OneToOneField(
        UseFirstApplication, on_delete=models.PROTECT, related_name="agreement"
    )
    entry = models.ForeignKey(UseFirstEntry, on_delete=models.PROTECT, related_name="agreements")
    listing = models.ForeignKey(
        "listings.Listing", on_delete=models.PROTECT, related_name="use_first_agreements"
    )
    holder = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="use_first_agreements")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    trial_starts_on = models.DateField(_("试用开始"))
    trial_ends_on = models.DateField(_("试用结束"), null=True, blank=True)
    conversion_price = models.DecimalField(
        _("转化价格（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    price_formula = models.TextField(_("定价公式"), blank=True)
    decision_on = models.DateField(_("决定日期"), null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)  # the reminder before decision_on went out
    # The decision date passed with the agreement still in trial: operators were told that day (once).
    lapse_reported_on = models.DateField(null=True, blank=True)
    deal = models.OneToOneField(
        "marketplace.Deal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="use_first_agreement",
    )
    return_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("先用后转协议")
        verbose_name_plural = _("先用后转协议")
        indexes = [models.Index(fields=["status", "decision_on"], name="use_first_agr_status_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="licensed")
                | Q(trial_ends_on__isnull=False, decision_on__isnull=False)
                & (Q(conversion_price__gt=0) | ~Q(price_formula="")),
                name="use_first_agr_terms",
            ),
            models.CheckConstraint(
                condition=Q(decision_on__isnull=True) | Q(decision_on__gte=models.F("trial_starts_on")),
                name="use_first_agr_decision_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(status="converted") | Q(deal__isnull=False), name="use_first_agr_converted_deal"
            ),
            # Trial use is exclusive: one company at a time per entry (free licences are not).
            models.UniqueConstraint(
                fields=["entry"], condition=Q(status="in_trial"), name="use_first_agr_one_trial"
            ),
        ]


class UseFirstAgreementStatusChange(models.Model):
    agreement = models.ForeignKey(UseFirstAgreement, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=UseFirstAgreement.Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=UseFirstAgreement.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
