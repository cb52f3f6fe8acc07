"""The conversion duty's clock (限时转化): who is obliged, the 2- and 3-year deadlines and the 30-day
registration duty. Pure functions of dates and kinds, no database access; every other module (the
daily job, the deadlines stored on ``Achievement``, the pages) asks here instead of doing date
arithmetic. What stops the clock for one achievement (an accepted justification) is a read, in
``conversion.selectors.duty``.

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

from django.conf import settings
from django.utils import timezone

from accounts.models import Organization
from listings.models import Achievement

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


def holder_is_obliged(holder_kind: str) -> bool:
    """Universities, institutes, hospitals and state-owned enterprises carry the conversion duty."""
    return holder_kind in OBLIGED_HOLDER_KINDS


def is_obliged(*, achievement_kind: str, holder_kind: str) -> bool:
    """The duty binds applied achievements of obliged holders. Basic ones are never forced onto
    the list; their holder may put them there (``use_first_volunteer``)."""
    return achievement_kind == OBLIGED_ACHIEVEMENT_KIND and holder_is_obliged(holder_kind)


def registration_due_on(funding_project_ended_on: dt.date) -> dt.date:
    """The last day to register a fiscally funded achievement: project end + REGISTRATION_DUE_DAYS
    (the 30-day registration duty)."""
    return funding_project_ended_on + dt.timedelta(days=settings.MARKET["REGISTRATION_DUE_DAYS"])


def registration_overdue_ended_before(today: dt.date) -> dt.date:
    """Projects that ended before this day have an overdue registration today, if unregistered."""
    return today - dt.timedelta(days=settings.MARKET["REGISTRATION_DUE_DAYS"])
