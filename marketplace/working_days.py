"""Working days for payment deadlines (``PAYMENT_DUE_WORKING_DAYS``).

A working day is Monday to Friday, except the public holidays in ``settings.MARKET["HOLIDAYS"]``,
plus the weekend days the State Council's calendar makes working days (调休,
``settings.MARKET["MAKEUP_WORKDAYS"]``). Both lists are dates the State Council publishes each
year, usually in November, for the next year. A deadline is the end of its last working day in
Asia/Shanghai (midnight starting the next calendar day).

A year whose calendar has not been entered yet still keeps the holidays whose dates the law fixes
(《全国年节及纪念日放假办法》, 2024: 1 January, 1-2 May, 1-3 October), so that a buyer is never
held to a deadline before the official one on those days; the lunar holidays (Spring Festival,
Qingming, Dragon Boat, Mid-Autumn) and the make-up days need the published calendar. While the
calendar of a year that deadlines can reach is missing (``calendar_missing_years``), the
operators' console says so; deployers add it with ``MARKET_HOLIDAYS`` / ``MARKET_MAKEUP_WORKDAYS``
(README, Production) or in ``config/settings.py``.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings

SHANGHAI = ZoneInfo("Asia/Shanghai")


@lru_cache(maxsize=4)
def _calendar(holidays: tuple[str, ...], makeup: tuple[str, ...]) -> tuple[frozenset, frozenset, frozenset]:
    """(holidays, make-up working days, the years the calendar covers)."""
    days = frozenset(dt.date.fromisoformat(d) for d in holidays)
    return days, frozenset(dt.date.fromisoformat(d) for d in makeup), frozenset(d.year for d in days)


# (month, day) of the holidays the law dates: 元旦, 劳动节, 国庆节.
STATUTORY_FIXED_HOLIDAYS = ((1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3))


def _configured() -> tuple[frozenset, frozenset, frozenset]:
    return _calendar(
        tuple(settings.MARKET.get("HOLIDAYS", ())), tuple(settings.MARKET.get("MAKEUP_WORKDAYS", ()))
    )


def calendar_years() -> frozenset[int]:
    """The years whose published holiday calendar has been entered."""
    return _configured()[2]


# Payment deadlines are ten working days away; two months cover every deadline being set now.
HORIZON = dt.timedelta(days=60)


def calendar_missing_years(today: dt.date | None = None) -> list[int]:
    """The years that payment deadlines set from ``today`` can reach whose calendar is missing."""
    from django.utils import timezone

    today = today or timezone.now().astimezone(SHANGHAI).date()
    reach = today + HORIZON
    return [year for year in range(today.year, reach.year + 1) if year not in calendar_years()]


def is_working_day(day: dt.date) -> bool:
    holidays, makeup, years = _configured()
    if day in makeup:
        return True
    if day.weekday() >= 5 or day in holidays:
        return False
    return day.year in years or (day.month, day.day) not in STATUTORY_FIXED_HOLIDAYS


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The end (next midnight, Asia/Shanghai) of the ``days``-th working day after ``start``'s date."""
    day = start.astimezone(SHANGHAI).date()
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=SHANGHAI)
