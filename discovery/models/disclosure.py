"""Disclosure (成果公开): what a holder adds to describe an achievement fully, and the buyers'
yearly use reports (使用报告) on converted ones."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from listings.models import Achievement
from marketplace.models import Deal


class AchievementProfile(models.Model):
    """The parts of a full description the achievement record lacks: the problem it solves, its
    advantage over what is in use today, pictures and publications (yet2's listing quality). Read
    by the ``completeness`` score."""

    achievement = models.OneToOneField(
        Achievement, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    problem = models.TextField(_("解决的问题"), max_length=5000, blank=True)
    advantage = models.TextField(_("相对现有技术的优势"), max_length=5000, blank=True)
    pictures = models.JSONField(_("图片"), default=list, blank=True)  # [{"name", "url"}]
    publications = models.JSONField(_("论文与报道"), default=list, blank=True)  # [{"title", "url"}]
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("成果补充信息")
        verbose_name_plural = _("成果补充信息")


class UseReport(models.Model):
    """The buyer's report on how a converted achievement is used, one per year after the deal
    (AUTM / iEdison utilization reports). The yearly job opens the year's report (``due``) and
    reminds the buyer; a report not filed by ``due_on`` is late and shows on the console."""

    class Status(models.TextChoices):
        DUE = "due", _("待填报")  # opened by the yearly job, waiting for the buyer
        FILED = "filed", _("已填报")  # the buyer filed it

    class Application(models.TextChoices):
        IN_PRODUCTION = "in_production", _("已产业化应用")
        IN_DEVELOPMENT = "in_development", _("中试或开发中")
        NOT_USED = "not_used", _("尚未实施")
        STOPPED = "stopped", _("已停止实施")

    deal = models.ForeignKey(Deal, on_delete=models.PROTECT, related_name="+")
    achievement = models.ForeignKey(Achievement, on_delete=models.PROTECT, related_name="+")
    buyer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    year_no = models.PositiveSmallIntegerField(_("成交后第几年"))
    due_on = models.DateField(_("填报截止日"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DUE)
    application_status = models.CharField(
        _("应用状况"), max_length=32, choices=Application.choices, blank=True
    )
    benefit = models.TextField(_("转化效益"), max_length=5000, blank=True)
    revenue = models.DecimalField(
        _("新增销售额（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    filed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("使用报告")
        verbose_name_plural = _("使用报告")
        constraints = [models.UniqueConstraint(fields=["deal", "year_no"], name="use_report_once_a_year")]
        indexes = [models.Index(fields=["status", "due_on"], name="use_report_status_due")]


class UseReportStatusChange(models.Model):
    report = models.ForeignKey(UseReport, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=UseReport.Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=UseReport.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
