"""The conversion duty's rules (限时转化). Owned by the use-first work, which extends this module;
the listings side only calls ``conversion_deadline`` (``Achievement.conversion_deadline``).

The 29 February rule (民法典 第二百零二条): a period in years ends on the corresponding day of the
last year; a grant on 29 February ends on 28 February in a common year.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings


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
