"""Technology brokers (技术经理人): a person's broker profile, a holder's mandate (委托) on a listing,
and the contribution points (贡献积分) each settled deal earns the broker."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from listings.models import Field, Listing

from .deals import Deal


class BrokerProfile(models.Model):
    """A person who brokers technology trades. ``organization`` is the one the broker acts for and
    through which its commission is paid (settlement pays organizations, never persons)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="broker_profile"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="brokers")
    name = models.CharField(_("姓名"), max_length=50)
    certificate_no = models.CharField(_("技术经理人证书编号"), max_length=64, unique=True)
    fields = ArrayField(
        models.CharField(max_length=32, choices=Field.choices), verbose_name=_("服务领域"), default=list
    )
    bio = models.TextField(_("简介"), blank=True)
    # The sums of its ``BrokerPoints`` rows, kept with each award (the ranking orders by them).
    points = models.PositiveIntegerField(_("贡献积分"), default=0)
    deal_count = models.PositiveIntegerField(_("促成成交数"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("技术经理人")
        verbose_name_plural = _("技术经理人")
        indexes = [models.Index(fields=["-points", "id"], name="broker_ranking")]

    def __str__(self) -> str:
        return self.name

    @property
    def field_labels(self) -> list[str]:
        labels = dict(Field.choices)
        return [str(labels.get(code, code)) for code in self.fields]


class Mandate(models.Model):
    """委托: a holder gives a broker a listing to broker, at a commission rate (a fraction of the
    holder's net, at least the market's minimum broker share) until ``ends_on``. A deal the broker
    brought (the buyer names it) pays the commission as its settlement's broker line."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")  # the broker may bring buyers until ends_on
        REVOKED = "revoked", _("已撤销")  # the holder ended it early; deals concluded before keep it

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="mandates")
    broker = models.ForeignKey(BrokerProfile, on_delete=models.PROTECT, related_name="mandates")
    commission_rate = models.DecimalField(_("佣金比例"), max_digits=5, decimal_places=4)
    ends_on = models.DateField(_("委托截止日"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The database's clock, as the deal's ``concluded_at`` it is compared with.
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("委托")
        verbose_name_plural = _("委托")
        constraints = [
            models.CheckConstraint(
                condition=Q(commission_rate__gt=0, commission_rate__lte=1), name="mandate_rate_fraction"
            ),
            models.UniqueConstraint(
                fields=["listing", "broker"], condition=Q(status="active"), name="mandate_one_active"
            ),
            models.CheckConstraint(
                condition=Q(status="revoked", revoked_at__isnull=False) | ~Q(status="revoked"),
                name="mandate_revoked_stamped",
            ),
        ]

    def __str__(self) -> str:
        return f"委托 #{self.pk}"


class MandateStatusChange(models.Model):
    mandate = models.ForeignKey(Mandate, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")


class BrokerPoints(models.Model):
    """贡献积分 earned by one settled deal, by the rule in force when it was settled (kept as applied)."""

    broker = models.ForeignKey(BrokerProfile, on_delete=models.PROTECT, related_name="points_rows")
    deal = models.OneToOneField(Deal, on_delete=models.PROTECT, related_name="broker_points")
    points = models.PositiveIntegerField(_("贡献积分"))
    rule = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("贡献积分")
        verbose_name_plural = _("贡献积分")
