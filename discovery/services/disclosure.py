"""Disclosure (成果公开): the holder's fuller description of an achievement, and the buyers'
yearly use reports (使用报告) on converted ones, opened and reminded by a daily job."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import ACTING_ROLES, membership_for_action
from accounts.services import notify_organizations
from core import locks
from core.dbclock import db_now
from core.errors import Conflict, InvalidInput
from core.transitions import status_move
from listings.models import Achievement
from marketplace.models import Deal
from marketplace.working_days import SHANGHAI

from ..models import AchievementProfile, UseReport, UseReportStatusChange
from .common import USE_REPORT_TRANSITIONS


def _links(items: Any, *, key: str, field: str) -> list[dict[str, str]]:
    clean = []
    for item in items or []:
        if not isinstance(item, dict) or not str(item.get(key, "")).strip():
            raise InvalidInput(
                "invalid_input", _("每一项都要有名称。"), fields={field: [_("每一项都要有名称。")]}
            )
        clean.append({key: str(item[key]).strip()[:200], "url": str(item.get("url", "")).strip()[:500]})
    return clean[:20]


@transaction.atomic
def achievement_profile_update(
    *,
    achievement: Achievement,
    actor: User,
    problem: str = "",
    advantage: str = "",
    pictures: Any = (),
    publications: Any = (),
) -> AchievementProfile:
    """A holder's member describes the achievement more fully (what raises its completeness)."""
    membership_for_action(user=actor, organization=achievement.holder_id, roles=ACTING_ROLES, verified=True)
    profile, _created = AchievementProfile.objects.update_or_create(
        achievement=achievement,
        defaults={
            "problem": (problem or "").strip(),
            "advantage": (advantage or "").strip(),
            "pictures": _links(pictures, key="name", field="pictures"),
            "publications": _links(publications, key="title", field="publications"),
            "updated_by": actor,
        },
    )
    return profile


# Deals whose achievement the buyer holds and uses: paid or further, never defaulted.
REPORTED_DEALS = (Deal.Status.PAID, Deal.Status.CONTRACT_REGISTERED, Deal.Status.SETTLED)

OPEN_SQL = """
    INSERT INTO discovery_usereport
        (deal_id, achievement_id, buyer_id, year_no, due_on, status, application_status, benefit,
         created_at, updated_at)
    SELECT d.id, l.achievement_id, d.buyer_id, n,
           ((d.concluded_at AT TIME ZONE 'Asia/Shanghai')::date + make_interval(years => n))::date + %(grace)s,
           %(due)s, '', '', now(), now()
    FROM marketplace_deal d
    JOIN listings_listing l ON l.id = d.listing_id
    CROSS JOIN LATERAL generate_series(
        1, extract(year FROM age(%(today)s::date, (d.concluded_at AT TIME ZONE 'Asia/Shanghai')::date))::int) AS n
    WHERE d.status = ANY(%(statuses)s::varchar[])
    ON CONFLICT (deal_id, year_no) DO NOTHING
    RETURNING id, buyer_id, year_no
"""


@transaction.atomic
def use_reports_open() -> int:
    """The daily job: on each anniversary of a paid deal, open the buyer's use report for that
    year (due ``USE_REPORT_GRACE_DAYS`` later) and remind the buyer, once. Idempotent (one
    report per deal and year); returns how many it opened."""
    locks.advisory_xact_lock("discovery.use_reports_open")
    today = db_now().astimezone(SHANGHAI).date()
    with connection.cursor() as cursor:
        cursor.execute(
            OPEN_SQL,
            {
                "grace": settings.MARKET["USE_REPORT_GRACE_DAYS"],
                "due": UseReport.Status.DUE.value,
                "today": today,
                "statuses": [str(s) for s in REPORTED_DEALS],
            },
        )
        opened = cursor.fetchall()
    if not opened:
        return 0
    UseReportStatusChange.objects.bulk_create(
        UseReportStatusChange(report_id=rid, from_status="", to_status=UseReport.Status.DUE)
        for rid, _b, _y in opened
    )
    counts: dict[int, int] = {}
    for _rid, buyer, _year in opened:
        counts[buyer] = counts.get(buyer, 0) + 1
    notify_organizations(
        messages={
            buyer: (
                _("请填报科技成果年度使用报告（%(n)s 份）") % {"n": n},
                _("成交满一年后，受让方每年填报成果的应用状况与转化效益，请在 %(days)s 天内完成。")
                % {"days": settings.MARKET["USE_REPORT_GRACE_DAYS"]},
            )
            for buyer, n in counts.items()
        },
        roles=ACTING_ROLES,
        kind="use_report_due",
        link=reverse("discovery:my_use_reports"),
    )
    return len(opened)


@transaction.atomic
def use_report_file(
    *,
    report: UseReport,
    actor: User,
    application_status: str,
    benefit: str = "",
    revenue: Decimal | None = None,
) -> UseReport:
    """The buyer's member files the year's report: application status, benefit, new revenue."""
    locked = locks.row_lock(UseReport, report)
    membership_for_action(user=actor, organization=locked.buyer_id, roles=ACTING_ROLES, verified=False)
    if application_status not in UseReport.Application.values:
        raise InvalidInput(
            "invalid_input", _("请选择应用状况。"), fields={"application_status": [_("无效的选项。")]}
        )
    if locked.status != UseReport.Status.DUE:
        raise Conflict("already_filed", _("该年度报告已填报。"))
    status_move(
        locked,
        to_status=UseReport.Status.FILED,
        transitions=USE_REPORT_TRANSITIONS,
        noun=_("使用报告"),
        record=lambda **change: UseReportStatusChange.objects.create(report=locked, **change),
        actor=actor,
        changes={
            "application_status": application_status,
            "benefit": (benefit or "").strip(),
            "revenue": revenue,
            "filed_by": actor,
            "filed_at": db_now(),
        },
    )
    return locked
