"""Reads of the use-first list, justifications, declarations and the registration duty, for the
API and the pages (the pages engineer shows these; the rules stay in ``services.conversion``)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Organization, User
from accounts.selectors import is_operator
from core.sync import sync_since

from .models import Achievement, AchievementRegistration, Justification, SelfImplementation, UseFirstEntry
from .services.conversion import market_today

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
        qs = qs.filter(sync_since(updated_since))
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
    days = settings.MARKET["REGISTRATION_DUE_DAYS"]
    qs = (
        Achievement.objects.filter(
            fiscally_funded=True,
            funding_project_ended_on__lt=today - dt.timedelta(days=days),
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
