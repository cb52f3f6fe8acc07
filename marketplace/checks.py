"""System checks of the marketplace's configuration (run by ``manage.py migrate``, ``check``...)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.checks import CheckMessage, Warning, register
from django.utils import timezone

from .working_days import SHANGHAI, calendar_years

# Payment deadlines are ten working days away; a month or two covers every deadline being set.
HORIZON = dt.timedelta(days=60)


@register()
def holiday_calendar_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """W001: a year that payment deadlines can reach has no published holiday calendar yet."""
    today = timezone.now().astimezone(SHANGHAI).date()
    reach = today + HORIZON
    missing = [year for year in range(today.year, reach.year + 1) if year not in calendar_years()]
    if not missing:
        return []
    years = ", ".join(str(y) for y in missing)
    return [
        Warning(
            f"No public-holiday calendar for {years} in MARKET['HOLIDAYS'] / MARKET['MAKEUP_WORKDAYS'].",
            hint="Enter the State Council's calendar (放假安排) for that year. Until then payment "
            "deadlines there skip only the fixed-date statutory holidays (1 Jan, 1-2 May, 1-3 Oct).",
            id="marketplace.W001",
        )
    ]
