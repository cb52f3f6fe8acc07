"""The results board's chart: stacked bars of deal value by month and mode, drawn on the server."""

import datetime as dt
from decimal import Decimal

from marketplace.charts import deals_by_month_chart, months_back

MODES = [("negotiated", "协议定价"), ("fixed_price", "挂牌交易"), ("auction", "拍卖")]


def test_months_back_crosses_the_year():
    assert months_back(dt.date(2026, 2, 17), 4) == [
        dt.date(2025, 11, 1),
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
    ]


def test_bars_stack_by_mode_and_scale_to_a_round_top():
    months = months_back(dt.date(2026, 3, 1), 3)
    rows = [
        {"month": dt.date(2026, 3, 1), "mode": "auction", "count": 2, "total": Decimal("1200000.00")},
        {"month": dt.date(2026, 3, 1), "mode": "negotiated", "count": 1, "total": Decimal("300000.00")},
        {"month": dt.date(2026, 1, 1), "mode": "fixed_price", "count": 1, "total": Decimal("500000.00")},
        {"month": dt.date(2025, 6, 1), "mode": "auction", "count": 9, "total": Decimal("9.00")},  # outside
    ]
    chart = deals_by_month_chart(rows, months=months, modes=MODES, width=300, height=228)
    jan, feb, mar = chart["bars"]
    assert [s["mode"] for s in mar.segments] == ["negotiated", "auction"]
    assert mar.total == Decimal("1500000.00") and mar.count == 3 and feb.segments == []
    # 150万 rounds up to a 200万 top: the March bar fills three quarters of the 188px plot.
    assert chart["ticks"][-1]["label"] == "200.0"
    assert sum(s["height"] for s in mar.segments) == 141.0
    assert mar.segments[-1]["y"] == chart["baseline"] - 141.0
    assert jan.segments[0]["height"] == 47.0


def test_no_deals_is_an_empty_chart_not_a_division_by_zero():
    chart = deals_by_month_chart([], months=months_back(dt.date(2026, 3, 1), 12), modes=MODES)
    assert chart["empty"] and len(chart["bars"]) == 12
