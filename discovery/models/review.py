"""Peer review (垂直同行在线评议): an operator's invitation of an expert and the expert's scores."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from listings.models import Achievement


class PeerReview(models.Model):
    """One expert's review of one achievement: made as an invitation, submitted with scores.
    Individual reviews are the holder's and operators'; the public sees the aggregate (at least
    ``PEER_REVIEW_MIN_COUNT`` submitted)."""

    class Status(models.TextChoices):
        INVITED = "invited", _("已邀请")  # waiting for the expert
        SUBMITTED = "submitted", _("已提交")  # scores in, final
        WITHDRAWN = "withdrawn", _("已撤回")  # the operator withdrew the invitation

    achievement = models.ForeignKey(Achievement, on_delete=models.PROTECT, related_name="+")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.INVITED)
    trl = models.PositiveSmallIntegerField(_("技术成熟度 (TRL)"), null=True, blank=True)
    novelty = models.PositiveSmallIntegerField(_("新颖性 (1-5)"), null=True, blank=True)
    value_low = models.DecimalField(
        _("估值下限（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    value_high = models.DecimalField(
        _("估值上限（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    comment = models.TextField(_("评议意见"), max_length=5000, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("同行评议")
        verbose_name_plural = _("同行评议")
        constraints = [
            models.UniqueConstraint(
                fields=["achievement", "expert"],
                condition=~Q(status="withdrawn"),
                name="peer_review_once_per_expert",
            ),
            models.CheckConstraint(
                name="peer_review_scores_when_submitted",
                condition=~Q(status="submitted")
                | Q(
                    trl__gte=1,
                    trl__lte=9,
                    novelty__gte=1,
                    novelty__lte=5,
                    value_low__gte=0,
                    value_high__gte=F("value_low"),
                ),
            ),
        ]


class PeerReviewStatusChange(models.Model):
    review = models.ForeignKey(PeerReview, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=PeerReview.Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=PeerReview.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
