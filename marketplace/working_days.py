"""Working days for payment deadlines (``PAYMENT_DUE_WORKING_DAYS``).

A working day is Monday to Friday, except the public holidays in ``settings.MARKET["HOLIDAYS"]``,
plus the weekend days the State Council's calendar makes working days (调休,
``settings.MARKET["MAKEUP_WORKDAYS"]``). Both lists are dates published each December for the next
year; a year not in them falls back to plain Monday-to-Friday, which is never shorter than the
official count by more than that year's holidays. A deadline is the end of its last working day in
Asia/Shanghai (midnight starting the next calendar day).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings

SHANGHAI = ZoneInfo("Asia/Shanghai")


@lru_cache(maxsize=4)
def _calendar(holidays: tuple[str, ...], makeup: tuple[str, ...]) -> tuple[frozenset, frozenset]:
    return (
        frozenset(dt.date.fromisoformat(d) for d in holidays),
        frozenset(dt.date.fromisoformat(d) for d in makeup),
    )


def is_working_day(day: dt.date) -> bool:
    holidays, makeup = _calendar(
        tuple(settings.MARKET.get("HOLIDAYS", ())), tuple(settings.MARKET.get("MAKEUP_WORKDAYS", ()))
    )
    if day in makeup:
        return True
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The end (next midnight, Asia/Shanghai) of the ``days``-th working day after ``start``'s date."""
    day = start.astimezone(SHANGHAI).date()
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=SHANGHAI)
