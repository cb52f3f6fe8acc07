"""Push (信息推送) and periodic publication (成果月报、季度发布、年度榜单)."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from listings.models import Field, Listing, Rights


class Subscription(models.Model):
    """A saved search (订阅): new matching listings or demands reach the user in-app (and by
    e-mail with ``email``), batched, at most once a day per subscription."""

    class Target(models.TextChoices):
        LISTINGS = "listings", _("成果挂牌")
        DEMANDS = "demands", _("技术需求")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    target = models.CharField(_("订阅对象"), max_length=16, choices=Target.choices)
    q = models.CharField(_("关键词"), max_length=200, blank=True)
    field = models.CharField(_("技术领域"), max_length=32, choices=Field.choices, blank=True)
    mode = models.CharField(_("交易方式"), max_length=16, choices=Listing.Mode.choices, blank=True)
    rights = models.CharField(_("转化方式"), max_length=32, choices=Rights.choices, blank=True)
    email = models.BooleanField(_("邮件推送"), default=True)
    # Where the last batch stopped: items written by transactions from ``seen_xid`` on (the sync
    # watermark then, ``core.sync``) and published after ``seen_until`` less a day are new, less
    # the ids the last batch sent (``last_ids``): a late-committing publication is never missed.
    seen_until = models.DateTimeField()
    seen_xid = models.BigIntegerField(default=0)
    last_ids = models.JSONField(default=list, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("订阅")
        verbose_name_plural = _("订阅")
        indexes = [models.Index(fields=["user", "id"], name="subscription_user")]


class Publication(models.Model):
    """Published periodic figures (成果月报 / 季度发布 / 年度榜单). Written once by the scheduled job;
    a database trigger refuses any later change or deletion (discovery migration 0001)."""

    class Period(models.TextChoices):
        MONTH = "month", _("成果月报")
        QUARTER = "quarter", _("季度发布")
        YEAR = "year", _("年度榜单")

    period = models.CharField(_("周期"), max_length=16, choices=Period.choices)
    starts_on = models.DateField(_("起始日"))
    ends_on = models.DateField(_("截止日"))  # exclusive
    published_at = models.DateTimeField(_("发布时间"))
    figures = models.JSONField(encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("定期发布")
        verbose_name_plural = _("定期发布")
        constraints = [
            models.UniqueConstraint(fields=["period", "starts_on"], name="publication_once_per_period"),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="publication_period_ordered"
            ),
        ]
        indexes = [models.Index(fields=["-published_at", "-id"], name="publication_newest")]
