"""Demands (供需荟), the holders' responses to them, and the achievement index that matching reads."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from core.sync import SyncStampedSave
from listings.models import Achievement, Field, Listing, Rights


class Demand(SyncStampedSave, models.Model):
    """A company's published technology need (供需荟 / 技术需求). Synced like the catalogue
    (``core.sync``): the table's trigger stamps ``updated_at`` and ``sync_xid`` on every write."""

    class Status(models.TextChoices):
        PENDING_REVIEW = "pending_review", _("待平台审核")  # in the operators' queue
        PUBLISHED = "published", _("已发布")  # public, matched, open to responses
        REJECTED = "rejected", _("已驳回")  # refused by an operator, with reason
        CLOSED = "closed", _("已关闭")  # the company closed it, or its deadline passed

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="demands")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("需求名称"), max_length=200)
    description = models.TextField(_("需求描述"), max_length=5000)
    field = models.CharField(_("技术领域"), max_length=32, choices=Field.choices)
    budget_min = models.DecimalField(
        _("预算下限（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    budget_max = models.DecimalField(
        _("预算上限（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    rights = models.CharField(_("期望转化方式"), max_length=32, choices=Rights.choices)
    deadline = models.DateField(_("截止日期"))
    # Whether the public sees the company's name; the operators and the company always do.
    public_name = models.BooleanField(_("公开企业名称"), default=True)
    status = models.CharField(_("状态"), max_length=32, choices=Status.choices, default=Status.PENDING_REVIEW)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField()
    sync_xid = models.BigIntegerField(default=0, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    # The jieba words of title and description (for matching's "which words matched" reasons).
    words = ArrayField(models.CharField(max_length=64), default=list, editable=False)

    class Meta:
        verbose_name = _("技术需求")
        verbose_name_plural = _("技术需求")
        indexes = [
            GinIndex(fields=["search_vector"], name="demand_search_gin"),
            models.Index(fields=["sync_xid", "id"], name="demand_sync_xid"),
            models.Index(fields=["status", "published_at", "id"], name="demand_status_newest"),
            models.Index(fields=["status", "submitted_at", "id"], name="demand_status_queue"),
        ]
        constraints = [
            models.CheckConstraint(
                name="demand_budget_ordered",
                condition=Q(budget_min__isnull=True)
                | Q(budget_max__isnull=True)
                | Q(budget_min__lte=F("budget_max")),
            ),
            models.CheckConstraint(
                name="demand_budget_nonneg",
                condition=(Q(budget_min__isnull=True) | Q(budget_min__gte=0))
                & (Q(budget_max__isnull=True) | Q(budget_max__gt=0)),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class DemandStatusChange(models.Model):
    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=32, choices=Demand.Status.choices, blank=True)
    to_status = models.CharField(max_length=32, choices=Demand.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")


class FeedbackReason(models.TextChoices):
    """Why a company is not (or is) interested in a response: a fixed list, so holders can learn."""

    PRICE = "price", _("价格")
    MATURITY = "maturity", _("成熟度")
    FIELD_FIT = "field_fit", _("领域契合度")
    RIGHTS = "rights", _("转化方式")
    TIMING = "timing", _("时机")
    OTHER = "other", _("其他")


class DemandResponse(models.Model):
    """A holder's answer to a demand (需求响应): one of its achievements, optionally its listing,
    and a message; the company answers with structured ``feedback``."""

    class Status(models.TextChoices):
        SENT = "sent", _("待反馈")  # waiting for the company's feedback
        INTERESTED = "interested", _("有意向")  # the company wants to go on: a negotiation opens
        NOT_INTERESTED = "not_interested", _("无意向")  # the company declined, with a reason

    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="responses")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    achievement = models.ForeignKey(Achievement, on_delete=models.PROTECT, related_name="+")
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    message = models.TextField(_("留言"), max_length=5000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=32, choices=Status.choices, default=Status.SENT)
    feedback_reason = models.CharField(_("原因"), max_length=16, choices=FeedbackReason.choices, blank=True)
    feedback_comment = models.TextField(_("反馈说明"), max_length=5000, blank=True)
    feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    feedback_at = models.DateTimeField(null=True, blank=True)
    # What the interest opened: the offer on a negotiated listing, or a request to list.
    offer_id = models.BigIntegerField(null=True, blank=True)
    listing_requested = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("需求响应")
        verbose_name_plural = _("需求响应")
        constraints = [
            models.UniqueConstraint(
                fields=["demand", "achievement"], name="demand_response_once_per_achievement"
            ),
        ]


class DemandResponseStatusChange(models.Model):
    response = models.ForeignKey(DemandResponse, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=32, choices=DemandResponse.Status.choices, blank=True)
    to_status = models.CharField(max_length=32, choices=DemandResponse.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")


class AchievementIndex(models.Model):
    """What matching and the valuation band read about an achievement: its jieba words and search
    vector (title and summary, as the catalogue's), its field and maturity, copied when the
    achievement changes (``discovery.services.index``; ``source_updated_at`` tells what is stale).

    Achievement-level, so that achievements without a listing (and the platform's use-first
    listings) are matched too."""

    achievement = models.OneToOneField(
        Achievement, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    holder = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=32, choices=Field.choices)
    maturity = models.PositiveSmallIntegerField()
    words = ArrayField(models.CharField(max_length=64), default=list)
    search_vector = SearchVectorField(null=True)
    source_updated_at = models.DateTimeField()

    class Meta:
        indexes = [GinIndex(fields=["search_vector"], name="achievement_index_gin")]
