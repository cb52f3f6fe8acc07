"""The conversion duty's rules (限时转化): who is obliged, the 2- and 3-year clock, what counts as
converted and what stops the clock. Pure functions and small reads; every other module (the daily
job, the API's ``conversion_deadline``, the pages) asks here instead of doing date arithmetic.

The 29 February rule. The policy counts "满2年/满3年 from the day the IP was granted". We follow
the Civil Code (民法典 第二百零一条、第二百零二条): the grant day itself is not counted, and a period
in years ends on the corresponding day of the last year; when that year has no corresponding day
(a grant on 29 February), the period ends on the last day of that month, 28 February. So:

* ``conversion_deadline(g)`` is the LAST day on which the holder may still convert before the
  duty bites: g + 2 years (29 Feb -> 28 Feb). The achievement goes on the use-first list the day
  AFTER it (``listable_on``).
* ``free_license_date(g)`` is the FIRST day on which free implementation may be licensed: the day
  after g + 3 years (29 Feb + 3 years -> 28 Feb, so 1 March).

PostgreSQL's ``date + interval 'N years'`` clamps 29 Feb the same way; the job nonetheless never
does the arithmetic in SQL: it asks ``overdue_granted_through(today)`` for the latest grant date
that is overdue on ``today`` (the rule is monotone in the grant date) and compares
``first_granted_on <= that`` on the index, so there is exactly one implementation of the rule.

"Today" is the calendar day in Asia/Shanghai (``TIME_ZONE``). The job uses it as an input, not
as a decision that two processes must agree on: two runs with different "todays" each do what is
right for their day and the unique index keeps the list consistent.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from accounts.models import Organization

from ..models import Achievement, ConversionStatus, Justification

OBLIGED_HOLDER_KINDS: tuple[str, ...] = tuple(str(k) for k in Organization.OBLIGED_KINDS)
OBLIGED_ACHIEVEMENT_KIND = str(Achievement.Kind.APPLIED)


def market_today() -> dt.date:
    """The calendar day in the market's time zone (Asia/Shanghai)."""
    return timezone.localdate()


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` plus whole years; 29 February lands on 28 February in a common year (民法典 202)."""
    year = day.year + years
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return day.replace(year=year)


def conversion_deadline(first_granted_on: dt.date | None) -> dt.date | None:
    """The last day to convert before the use-first duty applies: earliest grant + 2 years."""
    if first_granted_on is None:
        return None
    return add_years(first_granted_on, settings.MARKET["USE_FIRST_AFTER_YEARS"])


def listable_on(first_granted_on: dt.date | None) -> dt.date | None:
    """The first day the achievement may be put on the list: the day after the deadline."""
    deadline = conversion_deadline(first_granted_on)
    return None if deadline is None else deadline + dt.timedelta(days=1)


def free_license_date(first_granted_on: dt.date | None) -> dt.date | None:
    """The first day free implementation may be licensed (无偿实施): the day after grant + 3 years."""
    if first_granted_on is None:
        return None
    return add_years(first_granted_on, settings.MARKET["FREE_LICENSE_AFTER_YEARS"]) + dt.timedelta(days=1)


def is_overdue(first_granted_on: dt.date | None, today: dt.date) -> bool:
    deadline = conversion_deadline(first_granted_on)
    return deadline is not None and today > deadline


def is_free_license_due(first_granted_on: dt.date | None, today: dt.date) -> bool:
    start = free_license_date(first_granted_on)
    return start is not None and today >= start


def _latest_grant_where(today: dt.date, holds: object) -> dt.date:
    """The latest grant date g with ``holds(g, today)``; the rules are monotone in g, so every
    earlier grant date holds too and the job can compare ``first_granted_on <= result``."""
    assert callable(holds)
    years = settings.MARKET["FREE_LICENSE_AFTER_YEARS"] + 1
    g = add_years(today, -years)  # certainly holds: well before either deadline
    while holds(g + dt.timedelta(days=1), today):
        g += dt.timedelta(days=1)
    return g


def overdue_granted_through(today: dt.date) -> dt.date:
    """Achievements first granted on or before this day are past their conversion deadline today."""
    return _latest_grant_where(today, is_overdue)


def free_license_granted_through(today: dt.date) -> dt.date:
    """Achievements first granted on or before this day are free-license eligible today."""
    return _latest_grant_where(today, is_free_license_due)


def holder_is_obliged(holder: Organization) -> bool:
    """Universities, institutes, hospitals and state-owned enterprises carry the conversion duty."""
    return holder.kind in OBLIGED_HOLDER_KINDS


def achievement_is_obliged(achievement: Achievement) -> bool:
    """The duty binds applied achievements of obliged holders. Basic ones are never forced onto
    the list; their holder may put them there (``use_first_volunteer``)."""
    return achievement.kind == OBLIGED_ACHIEVEMENT_KIND and holder_is_obliged(achievement.holder)


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


def conversion_duty(achievement: Achievement, *, today: dt.date | None = None) -> ConversionDuty:
    today = today or market_today()
    obliged = achievement_is_obliged(achievement)
    converted = achievement_is_converted(achievement)
    until = justified_until(achievement, today) if obliged and not converted else None
    overdue = obliged and not converted and until is None and is_overdue(achievement.first_granted_on, today)
    return ConversionDuty(
        obliged=obliged,
        conversion_deadline=conversion_deadline(achievement.first_granted_on),
        free_license_date=free_license_date(achievement.first_granted_on),
        converted=converted,
        justified_until=until,
        overdue=overdue,
        free_license_due=overdue and is_free_license_due(achievement.first_granted_on, today),
    )
