from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization

from .choices import ConversionMethod, ConversionStatus, Field, Rights


class Achievement(models.Model):
    """A research result held by an organization (科技成果)."""

    class Kind(models.TextChoices):
        APPLIED = "applied", _("应用技术类")  # bound by the conversion deadlines
        BASIC = "basic", _("基础研究类")

    holder = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="achievements")
    title = models.CharField(_("成果名称"), max_length=200)
    summary = models.TextField(_("成果简介"), max_length=5000)
    field = models.CharField(_("技术领域"), max_length=32, choices=Field.choices)
    kind = models.CharField(_("成果类型"), max_length=16, choices=Kind.choices)
    maturity = models.PositiveSmallIntegerField(_("技术成熟度 (TRL)"))
    valuation = models.DecimalField(
        _("市场估值（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    fiscally_funded = models.BooleanField(_("财政资金支持"), default=False)
    funding_project_no = models.CharField(_("资助项目编号"), max_length=100, blank=True)
    funding_project_ended_on = models.DateField(_("资助项目结题日期"), null=True, blank=True)
    is_service_invention = models.BooleanField(_("职务科技成果"), default=True)
    conversion_status = models.CharField(
        _("转化状态"), max_length=16, choices=ConversionStatus.choices, default=ConversionStatus.UNCONVERTED
    )
    conversion_method = models.CharField(
        _("转化方式"), max_length=32, choices=ConversionMethod.choices, blank=True
    )
    converted_at = models.DateTimeField(_("转化时间"), null=True, blank=True)
    # Public disclosure (成果公开): for unconverted ones the intended method, for converted ones the result.
    intended_conversion_method = models.CharField(
        _("拟转化方式"), max_length=32, choices=Rights.choices, blank=True
    )
    application_status = models.TextField(_("应用状况"), blank=True)
    conversion_benefit = models.TextField(_("转化效益"), blank=True)
    # The earliest grant date of its rights: starts the conversion clock. Kept by the IP service so
    # the daily use-first job can use an index instead of aggregating patents.
    first_granted_on = models.DateField(_("最早授权日"), null=True, blank=True, db_index=True)
    # 限时转化: the last day to convert (earliest grant + 2 years) and the first day free
    # implementation may be licensed (grant + 3 years, the day after). Facts of the conversion duty
    # shown here; computed and written by the conversion app (``conversion.rules``, through the
    # ``achievement_granted`` seam whenever ``first_granted_on`` changes), never by listings.
    conversion_deadline = models.DateField(_("限时转化截止日"), null=True, blank=True, editable=False)
    free_license_date = models.DateField(_("可无偿实施日"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("科技成果")
        verbose_name_plural = _("科技成果")
        constraints = [
            models.CheckConstraint(
                condition=Q(maturity__gte=1, maturity__lte=9), name="achievement_maturity_trl"
            ),
            models.CheckConstraint(
                condition=Q(valuation__isnull=True) | Q(valuation__gte=0), name="achievement_valuation_nonneg"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AchievementConversionChange(models.Model):
    """Every move of an achievement's conversion status, with who (null: the platform) and why."""

    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="conversion_changes")
    from_status = models.CharField(max_length=16, choices=ConversionStatus.choices)
    to_status = models.CharField(max_length=16, choices=ConversionStatus.choices)
    method = models.CharField(max_length=32, choices=ConversionMethod.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("转化状态变更")
        verbose_name_plural = _("转化状态变更")


class Inventor(models.Model):
    """A person who made the achievement (完成人), with a share of the inventors' reward in percent."""

    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="inventors")
    name = models.CharField(_("姓名"), max_length=100)
    share = models.DecimalField(_("份额（%）"), max_digits=5, decimal_places=2)

    class Meta:
        ordering = ("id",)
        constraints = [
            models.CheckConstraint(condition=Q(share__gt=0, share__lte=100), name="inventor_share_range"),
        ]

    def __str__(self) -> str:
        return self.name


class IntellectualProperty(models.Model):
    """A right that makes the achievement tradeable (知识产权)."""

    class IpType(models.TextChoices):
        INVENTION = "invention", _("发明专利")
        UTILITY_MODEL = "utility_model", _("实用新型专利")
        DESIGN = "design", _("外观设计专利")
        SOFTWARE = "software", _("软件著作权")
        PLANT_VARIETY = "plant_variety", _("植物新品种")
        KNOW_HOW = "know_how", _("技术秘密")

    class Status(models.TextChoices):
        PENDING = "pending", _("申请中")
        GRANTED = "granted", _("已授权")
        LAPSED = "lapsed", _("已失效")

    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="ip")
    patent_no = models.CharField(_("申请号/专利号"), max_length=32, blank=True)
    ip_type = models.CharField(_("类型"), max_length=16, choices=IpType.choices)
    granted_on = models.DateField(_("授权日"), null=True, blank=True)
    # The patent office's record (granted, lapsed...), copied by the holder: a fact, not a state
    # this market moves, hence not named ``status`` (which every market workflow has).
    legal_status = models.CharField(
        _("法律状态"), max_length=16, choices=Status.choices, default=Status.GRANTED
    )

    class Meta:
        ordering = ("id",)
        verbose_name = _("知识产权")
        verbose_name_plural = _("知识产权")
        constraints = [
            models.UniqueConstraint(
                fields=["patent_no"], condition=~Q(patent_no=""), name="ip_patent_no_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.patent_no or self.get_ip_type_display()
