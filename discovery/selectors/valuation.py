"""The valuation band (估值区间, 大数据算法): low / median / high from comparable closed deals in
the market's results, recency-weighted, with the comparables listed and the method stated;
blended with the peer-review band when one is public. It advises; it never refuses a listing.

Comparables: results with the same rights, in the same or a near field (``rules.NEAR_FIELDS``),
concluded before the moment asked (now, or the deal under back-test), not of the same
achievement; the latest ``CANDIDATES``. Each weighs ``recency × (0.5 + similarity) × field``:
recency halves every ``VALUATION_HALF_LIFE_DAYS``; similarity is the share of the listing's
words (jieba, as the catalogue) found in the comparable's achievement; a near field counts half.
The band is the weighted 25th, 50th and 75th percentile of their prices; fewer than
``VALUATION_MIN_COMPARABLES`` comparables give no market band.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from core.dbclock import db_now
from core.money import money_quantize
from listings.models import Field, Listing

from .. import rules
from ..models import AchievementIndex
from .review import peer_review_aggregate

CANDIDATES = 200
SHOWN = 10  # comparables listed, heaviest first

COMPARABLES_SQL = f"""
    SELECT r.id, r.price, r.field, r.rights, r.concluded_at,
           coalesce(cardinality(ARRAY(SELECT unnest(%(words)s::varchar[]) INTERSECT SELECT unnest(i.words)))::float
                    / GREATEST(1, LEAST(cardinality(%(words)s::varchar[]), {rules.TEXT_WORDS_FULL})), 0)
    FROM marketplace_result r
    LEFT JOIN discovery_achievementindex i ON i.achievement_id = r.achievement_id
    WHERE r.rights = %(rights)s AND r.field = ANY(%(fields)s::varchar[]) AND r.concluded_at < %(before)s
      AND r.achievement_id <> %(achievement)s
    ORDER BY r.concluded_at DESC, r.id DESC
    LIMIT {CANDIDATES}
"""


@dataclass
class Comparable:
    result: int
    price: Decimal
    field: str
    rights: str
    concluded_at: dt.datetime
    similarity: float
    weight: float = 0.0

    @property
    def field_label(self) -> str:
        return str(Field(self.field).label)


@dataclass
class Valuation:
    band: dict[str, Decimal] | None
    method: str
    comparables: list[Comparable] = field(default_factory=list)
    peer_review: dict[str, Any] | None = None
    market_band: dict[str, Decimal] | None = None


def _method() -> str:
    return _(
        "可比成交法：取本平台已成交结果中转化方式相同、技术领域相同或相近的最近 %(n)s 项成交为可比案例"
        "（不含本成果）；每项权重 = 时间衰减（每 %(half)s 天减半）×（0.5 + 文本相似度）×（相近领域减半）；"
        "区间为加权第 25、50、75 百分位价格；可比案例少于 %(min)s 项时不给出市场区间。"
        "有 3 份以上同行评议时，与专家估值区间（中位数）各占一半。"
    ) % {
        "n": CANDIDATES,
        "half": settings.MARKET["VALUATION_HALF_LIFE_DAYS"],
        "min": settings.MARKET["VALUATION_MIN_COMPARABLES"],
    }


def comparables(
    *, field_code: str, rights: str, words: list[str], before: dt.datetime, achievement_id: int
) -> list[Comparable]:
    with connection.cursor() as cursor:
        cursor.execute(
            COMPARABLES_SQL,
            {
                "words": words,
                "rights": rights,
                "fields": rules.near_fields(field_code),
                "before": before,
                "achievement": achievement_id,
            },
        )
        rows = cursor.fetchall()
    half_life = float(settings.MARKET["VALUATION_HALF_LIFE_DAYS"])
    out = []
    for rid, price, fcode, rcode, concluded_at, similarity in rows:
        age = (before - concluded_at).total_seconds() / 86400
        weight = (
            rules.recency_weight(age, half_life) * (0.5 + similarity) * (1.0 if fcode == field_code else 0.5)
        )
        out.append(Comparable(rid, price, fcode, rcode, concluded_at, round(similarity, 3), weight))
    return out


def market_band(points: list[Comparable]) -> dict[str, Decimal] | None:
    if len(points) < settings.MARKET["VALUATION_MIN_COMPARABLES"]:
        return None
    pairs = [(c.price, c.weight) for c in points]
    return {
        "low": money_quantize(rules.weighted_quantile(pairs, 0.25)),
        "median": money_quantize(rules.weighted_quantile(pairs, 0.5)),
        "high": money_quantize(rules.weighted_quantile(pairs, 0.75)),
    }


def _blend(market: dict[str, Decimal] | None, peer: dict[str, Any] | None) -> dict[str, Decimal] | None:
    if peer is None:
        return market
    peer_band = {
        "low": peer["value_low"],
        "median": money_quantize((peer["value_low"] + peer["value_high"]) / 2),
        "high": peer["value_high"],
    }
    if market is None:
        return peer_band
    return {k: money_quantize((market[k] + peer_band[k]) / 2) for k in ("low", "median", "high")}


def achievement_valuation(
    *, achievement_id: int, field_code: str, rights: str, before: dt.datetime | None = None, peer: bool = True
) -> Valuation:
    """The band of an achievement offered with ``rights``."""
    index = AchievementIndex.objects.filter(pk=achievement_id).only("words").first()
    words = list(index.words) if index is not None else []
    points = comparables(
        field_code=field_code,
        rights=rights,
        words=words,
        before=before or db_now(),
        achievement_id=achievement_id,
    )
    market = market_band(points)
    review = peer_review_aggregate(achievement_id=achievement_id) if peer else None
    shown = sorted(points, key=lambda c: c.weight, reverse=True)[:SHOWN]
    return Valuation(
        band=_blend(market, review),
        method=_method(),
        comparables=shown,
        peer_review=review,
        market_band=market,
    )


def listing_price(listing: Listing) -> Decimal | None:
    """The price a listing shows: its fixed price, asking price or start price."""
    return listing.price or listing.asking_price or listing.start_price


def listing_valuation(*, listing: Listing) -> Valuation:
    return achievement_valuation(
        achievement_id=listing.achievement_id, field_code=listing.achievement.field, rights=listing.rights
    )


def price_flag(*, listing: Listing, band: dict[str, Decimal] | None) -> str | None:
    """A warning for the holder when the listed price lies far outside the band (below half the
    low end or above twice the high end); advice only."""
    price = listing_price(listing)
    if band is None or price is None:
        return None
    factor = Decimal(settings.MARKET["VALUATION_FLAG_FACTOR"])
    if price < band["low"] / factor:
        return _("挂牌价格远低于估值区间（低于下限的 1/%(f)s），请确认定价。") % {"f": factor}
    if price > band["high"] * factor:
        return _("挂牌价格远高于估值区间（高于上限的 %(f)s 倍），可能影响成交。") % {"f": factor}
    return None


@dataclass(frozen=True)
class Backtest:
    results: int  # deals back-tested
    with_band: int  # of which a band could be computed from earlier deals
    in_band: int  # of which the price fell inside [low, high]

    @property
    def in_band_rate(self) -> float | None:
        return None if not self.with_band else round(self.in_band / self.with_band, 3)

    @property
    def coverage(self) -> float | None:
        return None if not self.results else round(self.with_band / self.results, 3)


def valuation_backtest(*, limit: int = 500) -> Backtest:
    """For each of the latest ``limit`` results, the market band computed only from the deals
    concluded before it (no peer review: it may postdate the deal); how often the price fell inside."""
    from marketplace.models import Result

    results = list(
        Result.objects.order_by("-concluded_at", "-id").values_list(
            "achievement_id", "field", "rights", "price", "concluded_at"
        )[:limit]
    )
    with_band = in_band = 0
    for achievement_id, field_code, rights, price, concluded_at in results:
        valuation = achievement_valuation(
            achievement_id=achievement_id,
            field_code=field_code,
            rights=rights,
            before=concluded_at,
            peer=False,
        )
        if valuation.band is None:
            continue
        with_band += 1
        if valuation.band["low"] <= price <= valuation.band["high"]:
            in_band += 1
    return Backtest(results=len(results), with_band=with_band, in_band=in_band)
