"""Reads of use-first applications and agreements, and the conversion reports (科技成果转化年度报告)
and the institution ranking (绩效排名).

The reports join what the holders listed (listings) with what was traded (marketplace's deals)
and the conversion duty's own records; conversion sits above both. Auctions adds nothing they
need (an auction's outcome is a deal with ``mode = auction``, and "auctioned" counts the auction
listings published), so nothing here imports its sibling ``auctions``.

Counts by period use the moment each fact happened: a listing when published, a deal when
concluded, an entry when listed, a justification when filed or decided. A deal counts by the one
rule of ``marketplace.selectors.results_on_board``: once its result is on the public board (paid),
never before, so the reports show exactly what the board shows. Income is the sum of those
results' prices (the contract value, before fees).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import asdict, dataclass, fields
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import Membership, Organization, User
from accounts.selectors import is_operator
from listings.models import AchievementConversionChange, ConversionStatus, Listing
from marketplace.selectors import results_on_board

from ..models import (
    Justification,
    SelfImplementation,
    UseFirstAgreement,
    UseFirstApplication,
    UseFirstEntry,
)

ZERO = Decimal("0.00")
PERIODS = ("month", "quarter", "year")
RANKING_ORDERS = ("amount", "conversions", "listings", "auctions")


def _day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Aware datetimes (market time zone) for [start, end): facts are counted by local day."""
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end, dt.time.min, tzinfo=tz),
    )


def period_bounds(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar month, quarter or year containing ``day``, as [start, end)."""
    if period == "month":
        start = day.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1)
    elif period == "quarter":
        start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        end = (start + dt.timedelta(days=95)).replace(day=1)
    elif period == "year":
        start, end = dt.date(day.year, 1, 1), dt.date(day.year + 1, 1, 1)
    else:
        raise ValueError(period)
    return start, end


@dataclass
class AnnualReport:
    holder: int
    holder_name: str
    year: int
    listed: int  # listings published in the year
    auctioned: int  # of which auctions
    converted: int  # achievements that became converted in the year (deals and self-implementation)
    deals: int  # deals concluded in the year whose result is on the public board (paid)
    income: Decimal  # the sum of their prices
    self_implementations: int  # accepted in the year
    use_first_listed: int  # entries put on the use-first list in the year
    use_first_open: int  # entries on the list at the end of the year (or today)
    use_first_closed: int  # entries taken off in the year
    justifications_filed: int
    justifications_accepted: int
    justifications_rejected: int

    def as_json(self) -> dict:
        data = asdict(self)
        data["income"] = f"{self.income:.2f}"
        return data


def conversion_annual_report(*, holder: Organization, year: int) -> AnnualReport:
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    t0, t1 = _day_bounds(start, end)
    listings = Listing.objects.filter(
        achievement__holder=holder, published_at__gte=t0, published_at__lt=t1
    ).aggregate(listed=Count("id"), auctioned=Count("id", filter=Q(mode=Listing.Mode.AUCTION)))
    deals = (
        results_on_board()
        .filter(deal__seller=holder, concluded_at__gte=t0, concluded_at__lt=t1)
        .aggregate(n=Count("id"), income=Sum("price"))
    )
    converted = (
        AchievementConversionChange.objects.filter(
            achievement__holder=holder,
            to_status=ConversionStatus.CONVERTED,
            created_at__gte=t0,
            created_at__lt=t1,
        )
        .values("achievement")
        .distinct()
        .count()
    )
    entries = UseFirstEntry.objects.filter(holder=holder)
    today = timezone.localdate()
    as_of = min(end - dt.timedelta(days=1), today)
    justifications = Justification.objects.filter(achievement__holder=holder)
    return AnnualReport(
        holder=holder.pk,
        holder_name=holder.name,
        year=year,
        listed=listings["listed"],
        auctioned=listings["auctioned"],
        converted=converted,
        deals=deals["n"],
        income=deals["income"] or ZERO,
        self_implementations=SelfImplementation.objects.filter(
            achievement__holder=holder,
            status=SelfImplementation.Status.ACCEPTED,
            decided_at__gte=t0,
            decided_at__lt=t1,
        ).count(),
        use_first_listed=entries.filter(listed_on__gte=start, listed_on__lt=end).count(),
        use_first_open=entries.filter(listed_on__lte=as_of)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=as_of))
        .count(),
        use_first_closed=entries.filter(closed_on__gte=start, closed_on__lt=end).count(),
        justifications_filed=justifications.filter(created_at__gte=t0, created_at__lt=t1).count(),
        justifications_accepted=justifications.filter(
            status=Justification.Status.ACCEPTED, decided_at__gte=t0, decided_at__lt=t1
        ).count(),
        justifications_rejected=justifications.filter(
            status=Justification.Status.REJECTED, decided_at__gte=t0, decided_at__lt=t1
        ).count(),
    )


REPORT_CSV_HEADERS = {
    "holder": "单位ID",
    "holder_name": "单位名称",
    "year": "年度",
    "listed": "挂牌数",
    "auctioned": "拍卖数",
    "converted": "转化成果数",
    "deals": "成交数",
    "income": "转化收入（元）",
    "self_implementations": "自行实施（认可）",
    "use_first_listed": "新列入先用后转清单",
    "use_first_open": "年末在清单中",
    "use_first_closed": "移出清单",
    "justifications_filed": "提交正当理由",
    "justifications_accepted": "正当理由获认可",
    "justifications_rejected": "正当理由未获认可",
}


def conversion_annual_report_csv(report: AnnualReport) -> str:
    """The report as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese headers)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    names = [f.name for f in fields(AnnualReport)]
    writer.writerow([REPORT_CSV_HEADERS[n] for n in names])
    row = report.as_json()
    writer.writerow([row[n] for n in names])
    return out.getvalue()


@dataclass
class RankingRow:
    rank: int
    holder: int
    holder_name: str
    kind: str
    listings: int
    auctions: int
    conversions: int
    amount: Decimal

    def as_json(self) -> dict:
        data = asdict(self)
        data["amount"] = f"{self.amount:.2f}"
        return data


def institution_ranking(
    *, period: str, day: dt.date, order: str = "amount", limit: int = 100
) -> tuple[tuple[dt.date, dt.date], list[RankingRow]]:
    """Obliged institutions (universities, institutes, hospitals, state-owned enterprises) ranked
    for the month, quarter or year containing ``day``: listings published, of which auctions,
    deals concluded and on the public board (``results_on_board``) and their amount. Ties break on the other measures, then id.
    Three grouped queries, whatever the number of institutions."""
    start, end = period_bounds(period, day)
    t0, t1 = _day_bounds(start, end)
    holders = Organization.objects.filter(kind__in=Organization.OBLIGED_KINDS)
    listed: dict[int, dict[str, Any]] = {
        r["achievement__holder"]: dict(r)
        for r in Listing.objects.filter(
            achievement__holder__in=holders, published_at__gte=t0, published_at__lt=t1
        )
        .values("achievement__holder")
        .annotate(n=Count("id"), auctions=Count("id", filter=Q(mode=Listing.Mode.AUCTION)))
    }
    dealt: dict[int, dict[str, Any]] = {
        r["deal__seller"]: dict(r)
        for r in results_on_board()
        .filter(deal__seller__in=holders, concluded_at__gte=t0, concluded_at__lt=t1)
        .values("deal__seller")
        .annotate(n=Count("id"), amount=Sum("price"))
    }
    ids = set(listed) | set(dealt)
    names = dict(Organization.objects.filter(pk__in=ids).values_list("pk", "name"))
    kinds = dict(Organization.objects.filter(pk__in=ids).values_list("pk", "kind"))
    rows = [
        RankingRow(
            rank=0,
            holder=pk,
            holder_name=names[pk],
            kind=kinds[pk],
            listings=listed.get(pk, {}).get("n", 0),
            auctions=listed.get(pk, {}).get("auctions", 0),
            conversions=dealt.get(pk, {}).get("n", 0),
            amount=dealt.get(pk, {}).get("amount") or ZERO,
        )
        for pk in ids
    ]
    keys = {
        "amount": lambda r: (-r.amount, -r.conversions, -r.listings, -r.auctions, r.holder),
        "conversions": lambda r: (-r.conversions, -r.amount, -r.listings, -r.auctions, r.holder),
        "listings": lambda r: (-r.listings, -r.auctions, -r.conversions, -r.amount, r.holder),
        "auctions": lambda r: (-r.auctions, -r.listings, -r.conversions, -r.amount, r.holder),
    }
    rows.sort(key=keys[order])
    for i, row in enumerate(rows, start=1):
        row.rank = i
    return (start, end), rows[:limit]


def use_first_applications_for(*, user: User, status: str | None = None) -> QuerySet[UseFirstApplication]:
    """Operators: every application (``status=escalated`` and ``decline_review`` are their queues);
    others: those of their organizations, as applicant or as holder. Oldest first."""
    qs = UseFirstApplication.objects.select_related("entry__achievement", "applicant", "agreement")
    if not is_operator(user):
        orgs = list(Membership.objects.filter(user=user).values_list("organization_id", flat=True))
        qs = qs.filter(Q(applicant_id__in=orgs) | Q(entry__holder_id__in=orgs))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("id")


def use_first_agreements_for(*, user: User) -> QuerySet[UseFirstAgreement]:
    qs = UseFirstAgreement.objects.select_related("entry__achievement", "company", "holder", "deal")
    if not is_operator(user):
        orgs = list(Membership.objects.filter(user=user).values_list("organization_id", flat=True))
        qs = qs.filter(Q(company_id__in=orgs) | Q(holder_id__in=orgs))
    return qs.order_by("id")
