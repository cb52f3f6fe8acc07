from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization

from .achievements import Achievement


class UseFirstEntry(models.Model):
    """An achievement on the public 先用后转 list because its conversion is overdue.

    At most one open entry per achievement (the database says so); a closed entry stays as history.
    """

    achievement = models.ForeignKey(Achievement, on_delete=models.PROTECT, related_name="use_first_entries")
    holder = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="use_first_entries")
    listed_on = models.DateField(_("列入日期"))
    reason = models.TextField(_("列入原因"))
    free_license_eligible = models.BooleanField(_("可无偿实施"), default=False)
    free_license_eligible_on = models.DateField(null=True, blank=True)
    listing = models.ForeignKey(
        "listings.Listing", on_delete=models.PROTECT, null=True, blank=True, related_name="use_first_entries"
    )
    closed_on = models.DateField(null=True, blank=True)
    close_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("先用后转清单条目")
        verbose_name_plural = _("先用后转清单")
        constraints = [
            models.UniqueConstraint(
                fields=["achievement"], condition=Q(closed_on__isnull=True), name="use_first_one_open_entry"
            ),
        ]


class Justification(models.Model):
    """A holder's reason for not converting (正当理由); once accepted it stops the clock until ``valid_until``."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        ACCEPTED = "accepted", _("已认可")
        REJECTED = "rejected", _("未认可")

    achievement = models.ForeignKey(Achievement, on_delete=models.PROTECT, related_name="justifications")
    reason = models.TextField(_("理由"))
    attachments = models.JSONField(_("附件"), default=list, blank=True)
    valid_until = models.DateField(_("有效期至"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("正当理由")
        verbose_name_plural = _("正当理由")
