from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core.sync import SyncStampedSave

from .achievements import Achievement
from .choices import Rights


class Listing(SyncStampedSave, models.Model):
    """An offer of an achievement on the market, in one trade mode (挂牌).

    Terms are columns per mode; the database refuses a row whose mode lacks its terms. Terms of a
    published listing never change: a change means withdraw and list again.
    """

    class Mode(models.TextChoices):
        NEGOTIATED = "negotiated", _("协议定价")
        FIXED_PRICE = "fixed_price", _("挂牌交易")
        AUCTION = "auction", _("拍卖")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")  # the holder is still editing
        PENDING_INTERNAL_APPROVAL = (
            "pending_internal_approval",
            _("待内部审批"),
        )  # at the holder's approver (安心屋)
        PENDING_REVIEW = "pending_review", _("待平台审核")  # in the operators' queue
        PUBLISHED = "published", _("已挂牌")  # public, open to offers, intents or bids
        CLOSED = "closed", _("已结束")  # the trade mode finished with it (sold, unsold, expired)
        REJECTED = "rejected", _("已驳回")  # refused internally or by an operator; editable, resubmittable
        WITHDRAWN = "withdrawn", _("已撤回")  # withdrawn by the holder before any bid, intent or offer
        TAKEN_DOWN = "taken_down", _("已下架")  # removed by an operator, with reason

    achievement = models.ForeignKey(Achievement, on_delete=models.PROTECT, related_name="listings")
    mode = models.CharField(_("交易方式"), max_length=16, choices=Mode.choices)
    rights = models.CharField(_("转化方式"), max_length=32, choices=Rights.choices)
    status = models.CharField(_("状态"), max_length=32, choices=Status.choices, default=Status.DRAFT)
    # negotiated
    asking_price = models.DecimalField(_("意向价格"), max_digits=14, decimal_places=2, null=True, blank=True)
    notice_days = models.PositiveSmallIntegerField(_("公示天数"), null=True, blank=True)
    # fixed_price
    price = models.DecimalField(_("挂牌价格"), max_digits=14, decimal_places=2, null=True, blank=True)
    listing_ends_at = models.DateTimeField(_("挂牌截止时间"), null=True, blank=True)
    # auction
    start_price = models.DecimalField(_("起拍价"), max_digits=14, decimal_places=2, null=True, blank=True)
    increment = models.DecimalField(_("加价幅度"), max_digits=14, decimal_places=2, null=True, blank=True)
    reserve_price = models.DecimalField(_("保留价"), max_digits=14, decimal_places=2, null=True, blank=True)
    deposit = models.DecimalField(_("保证金"), max_digits=14, decimal_places=2, null=True, blank=True)
    starts_at = models.DateTimeField(_("开拍时间"), null=True, blank=True)
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    extension_seconds = models.PositiveIntegerField(_("延时周期（秒）"), null=True, blank=True)
    # Who put it up: a holder member, or the platform for a use-first listing (then null; its
    # index, ``listing_created_by``, holds only the members' listings).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_index=False,
    )
    # When it entered the operators' queue: the queue is ordered by waiting time.
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # The first offer, intent, registration or bid: from then on the holder may not withdraw.
    engaged_at = models.DateTimeField(null=True, blank=True)
    # When the trade window closes, whatever the mode: the catalogue's "ending soonest" order.
    closes_at = models.GeneratedField(
        expression=Coalesce(F("listing_ends_at"), F("ends_at")),
        output_field=models.DateTimeField(null=True),
        db_persist=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Both set by the table's trigger on every write (``core.sync``): the writing transaction's
    # stamp (display, ``updated_since``) and id (the sync order and watermark).
    updated_at = models.DateTimeField()
    sync_xid = models.BigIntegerField(default=0, editable=False)
    # Chinese full text: jieba-segmented title and summary, maintained by the listing services.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("挂牌")
        verbose_name_plural = _("挂牌")
        indexes = [
            GinIndex(fields=["search_vector"], name="listing_search_gin"),
            # The title's lexemes and the filters' (weight A, ``listings.search.TITLE_SQL``): the
            # relevance order's first tier, listings with every word in the title.
            GinIndex(
                Func(
                    F("search_vector"), Value("{a}"), function="ts_filter", output_field=SearchVectorField()
                ),
                name="listing_title_gin",
            ),
            # The two queues, each a partial index of the few listings waiting in it: a published
            # listing (most of them, all the use-first job's) is in neither, so writing one
            # touches neither index.
            models.Index(
                fields=["updated_at", "id"],
                name="listing_internal_queue",
                condition=Q(status="pending_internal_approval"),
            ),
            models.Index(
                fields=["submitted_at", "id"],
                name="listing_review_queue",
                condition=Q(status="pending_review"),
            ),
            # Who put a listing up (``created_by``): the members' listings only.
            models.Index(
                fields=["created_by"], name="listing_created_by", condition=Q(created_by__isnull=False)
            ),
            # The catalogue's sync (which also returns listings that left it): ``core.sync``.
            models.Index(fields=["sync_xid", "id"], name="listing_sync_xid"),
            # Catalogue orders within one mode: the keyset needs the id as the last column.
            models.Index(fields=["status", "mode", "published_at", "id"], name="listing_mode_newest"),
            models.Index(fields=["status", "mode", "closes_at", "id"], name="listing_mode_closes"),
            models.Index(fields=["status", "published_at", "id"], name="listing_status_newest"),
            models.Index(fields=["status", "closes_at", "id"], name="listing_status_closes"),
        ]
        constraints = [
            models.CheckConstraint(
                name="listing_negotiated_terms",
                condition=~Q(mode="negotiated") | Q(notice_days__gte=1),
            ),
            models.CheckConstraint(
                name="listing_fixed_price_terms",
                condition=~Q(mode="fixed_price") | Q(price__gt=0, listing_ends_at__isnull=False),
            ),
            models.CheckConstraint(
                name="listing_auction_terms",
                condition=~Q(mode="auction")
                | Q(
                    start_price__gt=0,
                    increment__gt=0,
                    deposit__gte=0,
                    starts_at__lt=F("ends_at"),
                    extension_seconds__gte=60,
                    extension_seconds__lte=1800,
                ),
            ),
            models.CheckConstraint(
                name="listing_reserve_at_least_start",
                condition=Q(reserve_price__isnull=True) | Q(reserve_price__gte=F("start_price")),
            ),
            models.CheckConstraint(
                name="listing_prices_positive",
                condition=(Q(asking_price__isnull=True) | Q(asking_price__gt=0)),
            ),
            # One achievement is on offer at most once at a time: the same rights cannot be sold twice.
            models.UniqueConstraint(
                fields=["achievement"],
                condition=Q(status__in=["pending_internal_approval", "pending_review", "published"]),
                name="listing_one_active_per_achievement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.achievement.title} ({self.get_mode_display()})"

    @property
    def auction_not_started(self) -> bool:
        """An auction listing whose bidding is still ahead: its card counts down to the start."""
        from django.utils import timezone

        return self.starts_at is not None and self.starts_at > timezone.now()


class ListingStatusChange(models.Model):
    """Every move of a listing's status, with who and why: the moderation record."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=32, choices=Listing.Status.choices, blank=True)
    to_status = models.CharField(max_length=32, choices=Listing.Status.choices)
    # Null for the platform's own moves (the use-first job's): its index holds the others only.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, db_index=False
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
        indexes = [
            models.Index(fields=["actor"], name="listing_change_actor", condition=Q(actor__isnull=False)),
        ]


class InternalApproval(models.Model):
    """The holder's own decision on a listing (安心屋): who, when, and the terms they saw.
    Kept as the due-diligence record (尽职免责) and shown to operators."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("同意")
        REJECTED = "rejected", _("不同意")

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="internal_approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=16, choices=Decision.choices)
    comment = models.TextField(blank=True)
    terms_snapshot = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
