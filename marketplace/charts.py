"""Inline SVG charts drawn on the server (no chart library, nothing from a CDN).

Only geometry is computed here; the template draws it. Money is summed as Decimal and only
turned into pixel heights at the end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

# One colour per trade mode, distinguishable in grey print as well (light, mid, dark).
MODE_COLOURS = {"negotiated": "#f0a202", "fixed_price": "#1f5fbf", "auction": "#c0392b"}


@dataclass
class MonthBar:
    label: str  # "2026-03"
    x: float
    width: float
    segments: list[dict[str, Any]] = field(default_factory=list)
    count: int = 0
    total: Decimal = Decimal("0.00")


def _nice_ceiling(value: Decimal) -> Decimal:
    """The smallest 1, 2 or 5 times a power of ten at or above ``value`` (at least 1)."""
    if value <= 0:
        return Decimal(1)
    exponent = len(str(int(value))) - 1
    base = Decimal(10) ** exponent
    for step in (1, 2, 5, 10):
        if value <= base * step:
            return base * step
    return base * 10


def months_back(last: dt.date, n: int) -> list[dt.date]:
    """The first days of the ``n`` months ending with ``last``'s month, oldest first."""
    year, month = last.year, last.month
    out = []
    for _ in range(n):
        out.append(dt.date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(out))


def deals_by_month_chart(
    rows: list[dict[str, Any]],
    *,
    months: list[dt.date],
    modes: list[tuple[str, str]],
    width: int = 720,
    height: int = 260,
) -> dict[str, Any]:
    """Stacked bars of deal value per month, one segment per mode.

    ``rows``: ``{"month": date, "mode": str, "count": int, "total": Decimal}``. Returns what the
    template needs: the bars with their segments, the y ticks in 万元 and the legend.
    """
    left, right, top, bottom = 56, 8, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    by_month: dict[dt.date, dict[str, dict[str, Any]]] = {m: {} for m in months}
    for item in rows:
        first_day = dt.date(item["month"].year, item["month"].month, 1)
        if first_day in by_month:
            by_month[first_day][item["mode"]] = item
    totals = [sum((r["total"] for r in by_month[m].values()), Decimal("0")) for m in months]
    top_value = _nice_ceiling(max(totals, default=Decimal(0)) / Decimal(10000)) * Decimal(10000)
    slot = plot_w / max(len(months), 1)
    bars = []
    for i, month in enumerate(months):
        bar = MonthBar(label=f"{month:%Y-%m}", x=left + i * slot + slot * 0.15, width=slot * 0.7)
        y = float(top + plot_h)
        for mode, mode_label in modes:
            row: dict[str, Any] | None = by_month[month].get(mode)
            if not row or not row["total"]:
                continue
            h = float(Decimal(plot_h) * row["total"] / top_value)
            y -= h
            bar.segments.append(
                {
                    "mode": mode,
                    "label": mode_label,
                    "y": round(y, 2),
                    "height": round(h, 2),
                    "colour": MODE_COLOURS.get(mode, "#888"),
                    "count": row["count"],
                    "total": row["total"],
                }
            )
            bar.count += row["count"]
            bar.total += row["total"]
        bars.append(bar)
    ticks = []
    for k in range(5):
        value = top_value * k / 4
        ticks.append(
            {
                "y": round(top + plot_h - plot_h * k / 4, 2),
                "label": f"{(value / Decimal(10000)).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):,}",
            }
        )
    return {
        "width": width,
        "height": height,
        "left": left,
        "plot_right": width - right,
        "baseline": top + plot_h,
        "bars": bars,
        "ticks": ticks,
        "legend": [{"mode": m, "label": label, "colour": MODE_COLOURS.get(m, "#888")} for m, label in modes],
        "empty": not any(totals),
    }


def bar_chart(
    items: list[tuple[str, Decimal | int]], *, width: int = 420, bar: int = 20, label_w: int = 128
) -> dict[str, Any]:
    """Horizontal bars, one per ``(label, value)`` in the given order (rankings, report counts).

    The longest bar is the largest value; the template writes the value at each bar's end, so a
    chart of counts and a chart of money read the same way."""
    gap = 8
    top = 4
    plot_w = width - label_w - 80  # room for the value written after the bar
    largest = max((Decimal(v) for _, v in items), default=Decimal(0))
    bars = []
    for i, (label, value) in enumerate(items):
        share = Decimal(value) / largest if largest > 0 else Decimal(0)
        bars.append(
            {
                "label": label,
                "value": value,
                "x": label_w,
                "y": top + i * (bar + gap),
                "text_y": top + i * (bar + gap) + bar / 2,
                "width": round(float(share) * plot_w, 2),
                "value_x": round(label_w + float(share) * plot_w + 6, 2),
            }
        )
    return {
        "width": width,
        "height": top * 2 + len(items) * (bar + gap),
        "bar": bar,
        "label_x": label_w - 8,
        "bars": bars,
        "empty": not items,
    }


def line_chart(
    points: list[tuple[dt.datetime, Decimal]], *, width: int = 400, height: int = 200
) -> dict[str, Any]:
    """A price over time (an auction's bids): one point per bid, joined by a step-free line.

    x is the bid's time between the first and the last bid; y runs from the lowest to a round
    ceiling above the highest price (in 元)."""
    left, right, top, bottom = 64, 12, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    if not points:
        return {"width": width, "height": height, "points": [], "empty": True}
    t0, t1 = points[0][0], points[-1][0]
    span = max((t1 - t0).total_seconds(), 1.0)
    low = min(p for _, p in points)
    high = max(p for _, p in points)
    floor = (low * Decimal("0.9")).quantize(Decimal(1))
    ceiling = _nice_ceiling(high - floor) + floor if high > floor else floor + 1
    out = []
    for when, price in points:
        x = left + plot_w * ((when - t0).total_seconds() / span) if len(points) > 1 else left + plot_w / 2
        y = top + plot_h - float(Decimal(plot_h) * (price - floor) / (ceiling - floor))
        out.append({"x": round(x, 2), "y": round(y, 2), "price": price, "when": when})
    ticks = [
        {"y": round(top + plot_h - plot_h * k / 4, 2), "value": floor + (ceiling - floor) * k / 4}
        for k in range(5)
    ]
    return {
        "width": width,
        "height": height,
        "left": left,
        "plot_right": width - right,
        "baseline": top + plot_h,
        "points": out,
        "path": " ".join(f"{p['x']},{p['y']}" for p in out),
        "ticks": ticks,
        "first": t0,
        "last": t1,
        "empty": False,
    }
