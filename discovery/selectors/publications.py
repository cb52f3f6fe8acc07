"""The figures of a periodic publication (成果月报、季度发布、年度榜单), read from the market's
listings and published results; the charts' geometry for its page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from listings.models import Field, Listing
from marketplace.selectors import results_on_board
from marketplace.working_days import SHANGHAI

from ..models import Publication

MONTHS = {Publication.Period.MONTH: 1, Publication.Period.QUARTER: 3, Publication.Period.YEAR: 12}


def period_bounds(period: str, starts_on: dt.date) -> tuple[dt.date, dt.date]:
    """``[starts_on, ends_on)`` of the period."""
    months = MONTHS[Publication.Period(period)]
    year, month = divmod(starts_on.month - 1 + months, 12)
    return starts_on, dt.date(starts_on.year + year, month + 1, 1)


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)


def _money(value: Decimal | None) -> str:
    return f"{(value or Decimal(0)):.2f}"


def publication_figures(*, starts_on: dt.date, ends_on: dt.date) -> dict[str, Any]:
    """Listings published, deals and amount by field, mode and institution, the conversion rate
    (deals per listing published) and the top results of ``[starts_on, ends_on)`` in Hangzhou."""
    start, end = _moment(starts_on), _moment(ends_on)
    labels = dict(Field.choices)
    modes = dict(Listing.Mode.choices)
    listings = Listing.objects.filter(published_at__gte=start, published_at__lt=end)
    results = results_on_board().filter(concluded_at__gte=start, concluded_at__lt=end)
    listed_by_field = {
        r["achievement__field"]: r["n"] for r in listings.values("achievement__field").annotate(n=Count("id"))
    }
    deals_by_field = {
        r["field"]: r for r in results.values("field").annotate(n=Count("id"), amount=Sum("price"))
    }
    totals = results.aggregate(n=Count("id"), amount=Sum("price"))
    published = sum(listed_by_field.values())
    return {
        "listings_published": published,
        "deals": totals["n"],
        "amount": _money(totals["amount"]),
        "conversion_rate": None if not published else round(totals["n"] / published, 3),
        "by_field": [
            {
                "field": code,
                "label": str(labels[code]),
                "listings": listed_by_field.get(code, 0),
                "deals": deals_by_field[code]["n"] if code in deals_by_field else 0,
                "amount": _money(deals_by_field[code]["amount"] if code in deals_by_field else None),
            }
            for code in Field.values
        ],
        "by_mode": [
            {
                "mode": r["mode"],
                "label": str(modes.get(r["mode"], r["mode"])),
                "deals": r["n"],
                "amount": _money(r["amount"]),
            }
            for r in results.values("mode").annotate(n=Count("id"), amount=Sum("price")).order_by("mode")
        ],
        "by_institution": [
            {"seller": r["seller"], "deals": r["n"], "amount": _money(r["amount"])}
            for r in results.values("seller")
            .annotate(n=Count("id"), amount=Sum("price"))
            .order_by("-amount", "seller")[:10]
        ],
        "top_results": [
            {
                "result": r.pk,
                "title": r.listing_title,
                "seller": r.seller,
                "field": r.field,
                "mode": r.mode,
                "price": _money(r.price),
            }
            for r in results.order_by("-price", "id")[:10]
        ],
    }


def publications_list() -> Any:
    return Publication.objects.order_by("-published_at", "-id")


def bar_chart(rows: list[dict[str, Any]], *, value: str, width: int = 640, bar: int = 22) -> dict[str, Any]:
    """Horizontal bars of ``rows[value]`` (numbers or money strings) for an inline SVG drawn by the
    template (no script: the pages' Content-Security-Policy allows none inline)."""
    values = [Decimal(str(r[value])) for r in rows]
    top = max(values, default=Decimal(0)) or Decimal(1)
    label_width = 140
    span = width - label_width - 90
    bars = []
    for i, (row, v) in enumerate(zip(rows, values, strict=True)):
        bars.append(
            {
                "label": row.get("label") or row.get("seller") or row.get("mode"),
                "y": i * (bar + 6),
                "width": int(span * v / top),
                "value": row[value],
                "text_x": label_width + int(span * v / top) + 6,
            }
        )
    return {"width": width, "height": len(rows) * (bar + 6) + 4, "bar": bar, "bars": bars, "x": label_width}
