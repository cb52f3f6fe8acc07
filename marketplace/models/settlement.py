"""Settlement: the holder's split policy, the record of each settled deal, and reconciliation runs."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization

from .deals import Deal


class SettlementPolicy(models.Model):
    """A holder's policy for its net proceeds (after the platform fee): the inventors' reward share
    and the broker's share when a broker took part; the rest is the holder's. Shares are fractions."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="settlement_policy"
    )
    inventors_share = models.DecimalField(_("完成人奖励比例"), max_digits=5, decimal_places=4)
    broker_share = models.DecimalField(_("技术经纪人比例"), max_digits=5, decimal_places=4)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("收益分配方案")
        verbose_name_plural = _("收益分配方案")
        constraints = [
            models.CheckConstraint(
                condition=Q(inventors_share__gte=0, broker_share__gte="0.05")
                & Q(inventors_share__lte=1 - F("broker_share")),
                name="settlement_policy_shares_valid",
            ),
        ]


class Settlement(models.Model):
    """How a deal's price was split. The parts sum to the price exactly (a database check)."""

    deal = models.OneToOneField(Deal, on_delete=models.PROTECT, related_name="settlement")
    price = models.DecimalField(max_digits=14, decimal_places=2)
    platform_fee = models.DecimalField(_("平台服务费"), max_digits=14, decimal_places=2)
    inventors_amount = models.DecimalField(_("完成人奖励"), max_digits=14, decimal_places=2)
    broker_amount = models.DecimalField(_("技术经纪人佣金"), max_digits=14, decimal_places=2)
    holder_amount = models.DecimalField(_("持有单位所得"), max_digits=14, decimal_places=2)
    inventors_share = models.DecimalField(max_digits=5, decimal_places=4)
    broker_share = models.DecimalField(max_digits=5, decimal_places=4)
    fee_schedule = models.JSONField(encoder=DjangoJSONEncoder)  # the schedule as applied
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("结算")
        verbose_name_plural = _("结算")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    platform_fee__gte=0, inventors_amount__gte=0, broker_amount__gte=0, holder_amount__gte=0
                ),
                name="settlement_parts_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(
                    price=F("platform_fee") + F("inventors_amount") + F("broker_amount") + F("holder_amount")
                ),
                name="settlement_parts_sum_to_price",
            ),
        ]


class ReconciliationRun(models.Model):
    """One run of the daily reconciliation: what was checked and every mismatch found."""

    class Status(models.TextChoices):
        RUNNING = "running", _("进行中")
        OK = "ok", _("一致")  # no mismatch
        MISMATCH = "mismatch", _("存在差异")  # operators were notified

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    journals_checked = models.PositiveIntegerField(default=0)
    accounts_checked = models.PositiveIntegerField(default=0)
    payables_checked = models.PositiveIntegerField(default=0)
    mismatches = models.JSONField(default=list, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("对账")
        verbose_name_plural = _("对账")
        ordering = ("-started_at", "-id")

    @property
    def mismatch_count(self) -> int:
        return len(self.mismatches)


class ReconciliationRunStatusChange(models.Model):
    """A run's moves: opened ``running``, finished ``ok`` or ``mismatch`` (the platform moves it)."""

    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
