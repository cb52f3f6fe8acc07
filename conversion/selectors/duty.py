"""Reads of the use-first list, justifications, declarations and the registration duty, for the
API and the pages; where one achievement stands with the duty today (``conversion_duty``). The
clock itself is ``conversion.rules``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Organization, User
from accounts.selectors import is_operator
from core.sync import sync_since
from listings.models import Achievement, ConversionStatus

from .. import rules
from ..models import AchievementRegistration, Justification, SelfImplementation, UseFirstEntry
from ..rules import market_today

ENTRY_STATES = ("active", "closed", "all")


def use_first_entries(
    *,
    state: str = "active",
    holder: Organization | int | None = None,
    achievement: Achievement | int | None = None,
    free_license_eligible: bool | None = None,
    updated_since: dt.datetime | None = None,
) -> QuerySet[UseFirstEntry]:
    """The public use-first list: active entries by default, the closed history with
    ``state="closed"``, both with ``state="all"``. Sync it with ``core.sync.sync_page``
    (``(sync_xid, id)`` below the watermark); ``updated_since`` as ``core.sync.sync_since`` maps it."""
    qs = UseFirstEntry.objects.select_related("achievement", "holder")
    if state == "active":
        qs = qs.filter(closed_on__isnull=True)
    elif state == "closed":
        qs = qs.filter(closed_on__isnull=False)
    if holder is not None:
        qs = qs.filter(holder=holder)
    if achievement is not None:
        qs = qs.filter(achievement=achievement)
    if free_license_eligible is not None:
        qs = qs.filter(free_license_eligible=free_license_eligible)
    if updated_since is not None:
        qs = qs.filter(sync_since(updated_since, UseFirstEntry))
    return qs


def _visible(qs: QuerySet, user: User, holder_path: str) -> QuerySet:
    if is_operator(user):
        return qs
    return qs.filter(**{f"{holder_path}__memberships__user": user}).distinct()


def justifications_for(*, user: User, status: str | None = None) -> QuerySet[Justification]:
    """Operators see every justification (their queue: ``status="pending"``, oldest first);
    a holder's members see their organization's."""
    qs = _visible(Justification.objects.select_related("achievement__holder"), user, "achievement__holder")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("created_at", "id")


def self_implementations_for(*, user: User, status: str | None = None) -> QuerySet[SelfImplementation]:
    qs = _visible(
        SelfImplementation.objects.select_related("achievement__holder"), user, "achievement__holder"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("created_at", "id")


def registration_overdue(
    *, holder: Organization | int | None = None, today: dt.date | None = None
) -> QuerySet[Achievement]:
    """Fiscally funded achievements not registered although their project ended more than
    ``REGISTRATION_DUE_DAYS`` days ago, longest overdue first ."""
    today = today or market_today()
    qs = (
        Achievement.objects.filter(
            fiscally_funded=True,
            funding_project_ended_on__lt=rules.registration_overdue_ended_before(today),
        )
        .filter(~Exists(AchievementRegistration.objects.filter(achievement=OuterRef("pk"))))
        .select_related("holder")
        .order_by("funding_project_ended_on", "id")
    )
    if holder is not None:
        qs = qs.filter(holder=holder)
    return qs


def registration_overdue_for(*, user: User, today: dt.date | None = None) -> QuerySet[Achievement]:
    """Operators: every overdue registration; holders' members: their organization's."""
    qs = registration_overdue(today=today)
    return qs if is_operator(user) else qs.filter(Q(holder__memberships__user=user)).distinct()


def achievement_is_obliged(achievement: Achievement) -> bool:
    return rules.is_obliged(achievement_kind=achievement.kind, holder_kind=achievement.holder.kind)


def achievement_is_converted(achievement: Achievement) -> bool:
    """Converted means a concluded deal (any mode, including a use-first conversion) or a
    self-implementation an operator accepted: both set ``conversion_status`` through
    ``achievement_set_conversion``; nothing else does."""
    return achievement.conversion_status == ConversionStatus.CONVERTED


def justified_until(achievement: Achievement, today: dt.date) -> dt.date | None:
    """The end of the accepted justification that covers ``today``, if any: while one does, the
    clock is stopped (the achievement leaves the duty); the day after, it runs again."""
    return (
        Justification.objects.filter(
            achievement=achievement, status=Justification.Status.ACCEPTED, valid_until__gte=today
        )
        .order_by("-valid_until")
        .values_list("valid_until", flat=True)
        .first()
    )


@dataclass(frozen=True)
class ConversionDuty:
    """Where an achievement stands with the duty today (for the API and the pages)."""

    obliged: bool
    conversion_deadline: dt.date | None
    free_license_date: dt.date | None
    converted: bool
    justified_until: dt.date | None
    overdue: bool  # would be (or is) on the list today
    free_license_due: bool


def conversion_duty(*, achievement: Achievement, today: dt.date | None = None) -> ConversionDuty:
    """Also the answer of the ``achievement_conversion_duty`` seam: listings shows it on the
    achievement's API record without importing this app."""
    today = today or market_today()
    obliged = achievement_is_obliged(achievement)
    converted = achievement_is_converted(achievement)
    until = justified_until(achievement, today) if obliged and not converted else None
    granted = achievement.first_granted_on
    overdue = obliged and not converted and until is None and rules.is_overdue(granted, today)
    return ConversionDuty(
        obliged=obliged,
        conversion_deadline=rules.conversion_deadline(granted),
        free_license_date=rules.free_license_date(granted),
        converted=converted,
        justified_until=until,
        overdue=overdue,
        free_license_due=overdue and rules.is_free_license_due(granted, today),
    )
