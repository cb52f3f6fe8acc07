"""风险预警 (``RiskAlert``): a signal for operators, with the rule that fired and its evidence, and the
operators' decision on record. The rules read bids, registrations, payments, deals, memberships
and questions of every app, so they live here, on the top floor, beside the console."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskAlert(models.Model):
    class Rule(models.TextChoices):
        SHARED_MEMBER = "shared_member", _("竞买人之间或与持有单位共用人员")
        SHARED_ADDRESS = "shared_address", _("竞买人从同一地址登记")
        SHARED_DEVICE = "shared_device", _("竞买人从同一设备登记")
        SHARED_BANK_ACCOUNT = "shared_bank_account", _("竞买人之间或与持有单位共用银行账户")
        SHARED_PHONE = "shared_phone", _("竞买人之间或与持有单位共用联系电话")
        BID_JUMP = "bid_jump", _("出价跳涨")
        BID_BURST = "bid_burst", _("短时密集出价")
        NEW_ORGANIZATION_LARGE_BID = "new_organization_large_bid", _("新注册机构大额出价")
        REPEATED_DEFAULTS = "repeated_defaults", _("多次违约")
        UNANSWERED_QUESTIONS = "unanswered_questions", _("持有单位逾期未答复提问")

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")  # fired, no decision yet
        INVESTIGATING = "investigating", _("调查中")  # an operator is looking into it
        ACKNOWLEDGED = "acknowledged", _("已知悉")  # seen; nothing to do
        ACTIONED = "actioned", _("已处置")  # acted on; what was done is in the decision's reason

    rule = models.CharField(_("规则"), max_length=40, choices=Rule.choices)
    # What fired, once: a rule fires once per key (the pair of bidders in an auction, a bid, ...).
    key = models.CharField(max_length=200)
    subject = models.CharField(_("对象"), max_length=300)
    evidence = models.JSONField(_("证据"), encoder=DjangoJSONEncoder)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("风险预警")
        verbose_name_plural = _("风险预警")
        constraints = [models.UniqueConstraint(fields=["rule", "key"], name="risk_alert_once_per_key")]
        indexes = [models.Index(fields=["status", "-id"], name="risk_alert_status")]

    def __str__(self) -> str:
        return f"{self.get_rule_display()}：{self.subject}"


class RiskAlertStatusChange(models.Model):
    """Every decision on an alert: who, which word (``core.decisions``), why."""

    alert = models.ForeignKey(RiskAlert, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    decision = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
