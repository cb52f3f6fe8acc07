from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from core.sync import SyncStampedSave
from listings.models import Achievement


class UseFirstEntry(SyncStampedSave, models.Model):
    """An achievement on the public 先用后转 list because its conversion is overdue.

    At most one open entry per achievement (the database says so); a closed entry stays as history.
    The daily job (``conversion.services.job.use_first_run``) writes these rows set-based, with
    ``INSERT ... ON CONFLICT DO NOTHING`` against ``use_first_one_open_entry``.
    """

    class Origin(models.TextChoices):
        OVERDUE = (
            "overdue",
            _("逾期未转化"),
        )  # the job listed it: 2 years after grant, unconverted, unjustified
        VOLUNTARY = "voluntary", _("主动纳入")  # the holder put it on the list (e.g. a basic achievement)

    class CloseCause(models.TextChoices):
        CONVERTED = "converted", _("已转化")  # a concluded deal or an accepted self-implementation
        JUSTIFIED = "justified", _("正当理由获认可")  # an operator accepted a justification

    achievement = models.ForeignKey(Achievement, on_delete=models.PROTECT, related_name="use_first_entries")
    holder = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="use_first_entries")
    origin = models.CharField(_("列入方式"), max_length=16, choices=Origin.choices, default=Origin.OVERDUE)
    listed_on = models.DateField(_("列入日期"))
    reason = models.TextField(_("列入原因"))
    free_license_eligible = models.BooleanField(_("可无偿实施"), default=False)
    free_license_eligible_on = models.DateField(null=True, blank=True)
    listing = models.ForeignKey(
        "listings.Listing", on_delete=models.PROTECT, null=True, blank=True, related_name="use_first_entries"
    )
    closed_on = models.DateField(null=True, blank=True)
    close_cause = models.CharField(max_length=16, choices=CloseCause.choices, blank=True)
    close_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Both set by the table's trigger on every write, the job's statements included (``core.sync``):
    # the writing transaction's stamp (display, ``updated_since``) and id (sync order, watermark).
    updated_at = models.DateTimeField()
    sync_xid = models.BigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("先用后转清单条目")
        verbose_name_plural = _("先用后转清单")
        indexes = [
            models.Index(fields=["sync_xid", "id"], name="use_first_entry_sync_xid"),
            # The job's sweep for open entries still waiting for their listing.
            models.Index(
                fields=["id"],
                condition=Q(closed_on__isnull=True, listing__isnull=True),
                name="use_first_entry_unlisted",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["achievement"], condition=Q(closed_on__isnull=True), name="use_first_one_open_entry"
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True, close_cause="")
                | Q(closed_on__isnull=False) & ~Q(close_cause=""),
                name="use_first_entry_closed_with_cause",
            ),
            models.CheckConstraint(
                condition=Q(free_license_eligible=False) | Q(free_license_eligible_on__isnull=False),
                name="use_first_entry_eligible_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.achievement_id} @ {self.listed_on}"


class Justification(models.Model):
    """A holder's reason for not converting (正当理由); once accepted it stops the clock until ``valid_until``.

    One transition only (pending -> accepted | rejected, by an operator, with a reason); the decision
    columns on the row are its record, written once by ``justification_decide``.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")  # filed by the holder, in the operators' queue
        ACCEPTED = "accepted", _("已认可")  # the duty is suspended through valid_until
        REJECTED = "rejected", _("未认可")  # refused with a reason; the clock runs on

    achievement = models.ForeignKey(Achievement, on_delete=models.PROTECT, related_name="justifications")
    reason = models.TextField(_("理由"))
    # References to the supporting documents: [{"name": ..., "url": ...}] (the files live elsewhere).
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
        indexes = [
            # The job's anti-join: is there an accepted justification still valid today?
            models.Index(
                fields=["achievement", "valid_until"],
                condition=Q(status="accepted"),
                name="justification_accepted_valid",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False) & ~Q(decision_reason=""),
                name="justification_decided_with_reason",
            ),
            # Two filings at once cannot both wait for a decision (as self-implementation).
            models.UniqueConstraint(
                fields=["achievement"], condition=Q(status="pending"), name="justification_one_pending"
            ),
        ]


class SelfImplementation(models.Model):
    """The holder's declaration that it implements the achievement itself (自行实施).

    Accepted by an operator, it converts the achievement (``conversion_status = converted``).
    Same shape as a justification: one decision, recorded on the row.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")  # declared by the holder, in the operators' queue
        ACCEPTED = "accepted", _("已认可")  # the achievement is converted
        REJECTED = "rejected", _("未认可")  # refused with a reason

    achievement = models.ForeignKey(
        Achievement, on_delete=models.PROTECT, related_name="self_implementations"
    )
    description = models.TextField(_("实施情况"))
    started_on = models.DateField(_("实施开始日期"))
    attachments = models.JSONField(_("附件"), default=list, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("自行实施声明")
        verbose_name_plural = _("自行实施声明")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False) & ~Q(decision_reason=""),
                name="self_implementation_decided_with_reason",
            ),
            models.UniqueConstraint(
                fields=["achievement"], condition=Q(status="pending"), name="self_implementation_one_pending"
            ),
        ]


class AchievementRegistration(models.Model):
    """The achievement's registration in the 科技成果登记系统 (成果登记).

    Fiscally funded achievements must be registered within ``MARKET["REGISTRATION_DUE_DAYS"]``
    days of their project's end; the registration job lists the overdue ones.
    """

    achievement = models.OneToOneField(Achievement, on_delete=models.PROTECT, related_name="registration")
    registration_no = models.CharField(_("成果登记号"), max_length=64)
    registered_on = models.DateField(_("登记日期"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("成果登记")
        verbose_name_plural = _("成果登记")


class RegistrationOverdueNotice(models.Model):
    """That the holder and the operators were told an achievement's registration is overdue.

    One row per achievement (unique): the job inserts with ``ON CONFLICT DO NOTHING`` and notifies
    only about the rows it inserted, so people are told once, however often the job runs.
    """

    achievement = models.OneToOneField(Achievement, on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField()
    notified_on = models.DateField()


class JustificationStatusChange(models.Model):
    """Every move of a justification's status (pending -> accepted | rejected), with who and why."""

    justification = models.ForeignKey(Justification, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=Justification.Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Justification.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")


class SelfImplementationStatusChange(models.Model):
    """Every move of a self-implementation declaration's status, with who and why."""

    declaration = models.ForeignKey(
        SelfImplementation, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=16, choices=SelfImplementation.Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=SelfImplementation.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
