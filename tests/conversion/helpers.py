"""Small builders for the use-first tests: an achievement granted on a given day."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from accounts.models import Organization
from conversion.services import achievement_clock_set
from listings.models import Achievement, IntellectualProperty

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at_noon(day: dt.date) -> dt.datetime:
    """Noon in Hangzhou on ``day``: what time_machine travels to."""
    return dt.datetime(day.year, day.month, day.day, 12, 0, tzinfo=SHANGHAI)


def make_achievement(
    holder: Organization,
    granted_on: dt.date | None,
    *,
    kind: str = Achievement.Kind.APPLIED,
    title: str = "一种高效光伏逆变器控制方法",
    valuation: Decimal | None = Decimal("800000.00"),
    **extra,
) -> Achievement:
    achievement = Achievement.objects.create(
        holder=holder,
        title=title,
        summary="基于模型预测控制的光伏逆变器，转换效率提高 1.2 个百分点。",
        field="new_energy",
        kind=kind,
        maturity=6,
        valuation=valuation,
        first_granted_on=granted_on,
        created_by=extra.pop("created_by", None) or holder.created_by,
        **extra,
    )
    # The row is written directly (fast); the deadlines stored on it are the conversion app's, as
    # the ``achievement_granted`` seam writes them after the IP service sets the grant date.
    achievement_clock_set(achievement=achievement)
    if granted_on is not None:
        IntellectualProperty.objects.create(
            achievement=achievement,
            ip_type=IntellectualProperty.IpType.INVENTION,
            granted_on=granted_on,
        )
    return achievement
