"""The figures of a periodic publication (成果月报、季度发布、年度榜单), read from the market's
listings and published results; the charts' geometry for its page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from listings.models import Field, Listing
from marketplace.charts import bar_chart
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


def publication_charts(figures: dict[str, Any]) -> dict[str, Any]:
    """The charts of a publication's page, drawn by the market's one bar chart
    (``marketplace.charts.bar_chart``, ``marketplace/_bar_chart.html``: it scales to a phone)."""
    by_field, by_mode, by_institution = figures["by_field"], figures["by_mode"], figures["by_institution"]
    return {
        "listings": bar_chart([(r["label"], r["listings"]) for r in by_field]),
        "amount": bar_chart([(r["label"], Decimal(r["amount"])) for r in by_field]),
        "modes": bar_chart([(r["label"], Decimal(r["amount"])) for r in by_mode]) if by_mode else None,
        "institutions": bar_chart([(r["seller"], Decimal(r["amount"])) for r in by_institution])
        if by_institution
        else None,
    }
