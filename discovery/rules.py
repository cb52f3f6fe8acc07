"""The numbers behind matching and the valuation band, pure (no database): stated once, shown in
the reasons and in the band's ``method``."""

from __future__ import annotations

import math
from decimal import Decimal

# Fields close enough that a match or a comparable across them still says something.
NEAR_FIELDS: dict[str, frozenset[str]] = {
    "electronics": frozenset({"advanced_manufacturing", "tech_services", "aerospace"}),
    "biomedicine": frozenset({"agriculture"}),
    "aerospace": frozenset({"advanced_manufacturing", "new_materials", "electronics"}),
    "new_materials": frozenset({"advanced_manufacturing", "new_energy", "aerospace"}),
    "tech_services": frozenset({"electronics"}),
    "new_energy": frozenset({"new_materials", "environment"}),
    "environment": frozenset({"new_energy", "agriculture"}),
    "advanced_manufacturing": frozenset({"electronics", "new_materials", "aerospace"}),
    "agriculture": frozenset({"biomedicine", "environment"}),
    "other": frozenset(),
}


def near_fields(field: str) -> list[str]:
    """``field`` and its neighbours."""
    return [field, *sorted(NEAR_FIELDS.get(field, ()))]


# Matching: each part's weight (they sum to 100, the best score).
WEIGHT_TEXT = 50  # share of the demand's words found in the achievement (jieba, as the catalogue)
WEIGHT_FIELD = 20  # same field; half for a near one
WEIGHT_RIGHTS = 10  # the listing offers the rights wanted; half when not listed (open to talk)
WEIGHT_BUDGET = 10  # the price lies in the budget; half within 1.5 times it or without a price
WEIGHT_MATURITY = 10  # TRL / 9
# A demand's words counted for the text share: matching 8 telling words is a full match.
TEXT_WORDS_FULL = 8
# Words of a demand or an achievement put into a matching query (the most telling first).
QUERY_WORDS = 24


def recency_weight(age_days: float, half_life_days: float) -> float:
    """A comparable's weight by age: 1 today, one half after ``half_life_days``."""
    return math.pow(0.5, max(age_days, 0.0) / half_life_days)


def weighted_quantile(points: list[tuple[Decimal, float]], q: float) -> Decimal:
    """The ``q`` quantile of prices weighted by their weights (the smallest price at which the
    cumulative weight reaches ``q`` of the total). ``points`` is not empty."""
    ordered = sorted(points, key=lambda p: p[0])
    total = sum(w for _p, w in ordered)
    running = 0.0
    for price, weight in ordered:
        running += weight
        if running >= q * total - 1e-12:
            return price
    return ordered[-1][0]
