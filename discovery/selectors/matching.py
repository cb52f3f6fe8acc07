"""Matches (供需匹配): achievements and listings for a demand, demands for an achievement, ranked
by one score with its reasons shown (``discovery.rules``: text 50, field 20, rights 10,
budget 10, maturity 10).

Text is the catalogue's Chinese full text: the demand's jieba words (``listings.search``, stop
words dropped) as an OR query against each achievement's vector (GIN index), and the share of
the demand's words the achievement contains. The candidates are found by the demand's most
telling words only (``telling_words``: the rarest in the index, by PostgreSQL's own statistics of
the vector column), so that a demand full of common words does not read most of the index; they
are ranked by all its words. The price is the listing's (fixed price, asking
price or start price); an achievement without a published listing has none and is open to talk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from listings.models import Field, Rights

from .. import rules
from ..models import Demand
from ..text import or_query, text_words

CANDIDATES = 400  # text candidates scored in full (the best by ts_rank)
# The candidate query's words: the rarest first, while the index rows they are estimated to hit
# stay within CANDIDATE_ROWS; at least MIN_QUERY_WORDS of them.
CANDIDATE_ROWS = 5000
MIN_QUERY_WORDS = 3

# How often each of the given words occurs in the index's vectors, from ANALYZE's statistics of
# the column (pg_stats: for a tsvector, its most common lexemes and their document frequencies;
# after them, the smallest frequency kept, which bounds the frequency of every other lexeme), and
# the table's estimated rows. No row when the table was never analyzed.
WORD_FREQUENCIES_SQL = """
    SELECT c.reltuples,
           s.most_common_elem_freqs[cardinality(s.most_common_elems::text::text[]) + 1],
           ARRAY(SELECT t.word FROM unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs)
                     AS t(word, freq) WHERE t.word = ANY(%(words)s::text[]) ORDER BY t.word),
           ARRAY(SELECT t.freq FROM unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs)
                     AS t(word, freq) WHERE t.word = ANY(%(words)s::text[]) ORDER BY t.word)
    FROM pg_stats s JOIN pg_class c ON c.oid = 'discovery_achievementindex'::regclass
    WHERE s.schemaname = current_schema() AND s.tablename = 'discovery_achievementindex'
      AND s.attname = 'search_vector' AND s.most_common_elems IS NOT NULL
"""


def telling_words(
    words: list[str], *, budget: int = CANDIDATE_ROWS, minimum: int = MIN_QUERY_WORDS
) -> list[str]:
    """The words of ``words`` the candidate query looks for (in their order). A word the statistics
    do not list is rarer than the least common one they keep (or absent): each is looked for. Of
    the listed ones, the rarest first, while the rows all of them are estimated to hit stay within
    ``budget``, and at least ``minimum``. Every word when there are no statistics."""
    if len(words) <= minimum:
        return words
    with connection.cursor() as cursor:
        cursor.execute(WORD_FREQUENCIES_SQL, {"words": words})
        row = cursor.fetchone()
    if row is None or not row[0] or row[0] <= 0:
        return words
    rows, least, listed, freqs = row
    frequency = dict(zip(listed, freqs, strict=True))
    chosen = {w for w in words if w not in frequency}
    hit = len(chosen) * (least or 0.0) * rows
    for taken, word in enumerate(sorted(frequency, key=lambda w: (frequency[w], words.index(w)))):
        estimate = frequency[word] * rows
        if taken >= minimum and hit + estimate > budget:
            break
        chosen.add(word)
        hit += estimate
    return [w for w in words if w in chosen]


@dataclass
class Match:
    achievement: int
    listing: int | None
    score: float
    reasons: list[str] = field(default_factory=list)
    title: str = ""
    holder: str = ""
    demand: int | None = None


def score_sql(*, words: str, field: str, near: str, rights: str, budget_min: str, budget_max: str) -> str:
    """One score, in SQL, for both directions: the demand's side given as SQL expressions (its
    words, field, near fields as an array, rights, budget), the achievement's columns as ``i``
    (its index row) and ``l`` (its published listing, or nulls)."""
    price = "coalesce(l.price, l.asking_price, l.start_price)"
    return f"""
    {rules.WEIGHT_TEXT}.0 * LEAST(1.0, cardinality(ARRAY(
        SELECT unnest({words}) INTERSECT SELECT unnest(i.words)))::float
        / GREATEST(1, LEAST(cardinality({words}), {rules.TEXT_WORDS_FULL})))
    + CASE WHEN i.field = {field} THEN {rules.WEIGHT_FIELD}.0
           WHEN i.field = ANY({near}) THEN {rules.WEIGHT_FIELD / 2}
           ELSE 0 END
    + CASE WHEN l.id IS NULL THEN {rules.WEIGHT_RIGHTS / 2}
           WHEN l.rights = {rights} THEN {rules.WEIGHT_RIGHTS}.0 ELSE 0 END
    + CASE WHEN {price} IS NULL OR ({budget_min} IS NULL AND {budget_max} IS NULL) THEN {rules.WEIGHT_BUDGET / 2}
           WHEN {price} BETWEEN coalesce({budget_min}, 0) AND coalesce({budget_max}, 1e15)
                THEN {rules.WEIGHT_BUDGET}.0
           WHEN {price} BETWEEN coalesce({budget_min}, 0) / 1.5 AND coalesce({budget_max}, 1e15) * 1.5
                THEN {rules.WEIGHT_BUDGET / 2}
           ELSE 0 END
    + {rules.WEIGHT_MATURITY}.0 * i.maturity / 9.0
"""


MATCHES_SQL = f"""
    WITH candidates AS MATERIALIZED (
        -- Materialized: inlined, the planner may run it once per row of a join (once per verified
        -- organization, it was).
        SELECT i.achievement_id
        FROM discovery_achievementindex i
        WHERE i.search_vector @@ to_tsquery('simple', %(q)s)
          AND i.holder_id <> %(org)s
        ORDER BY ts_rank(i.search_vector, to_tsquery('simple', %(rank_q)s)) DESC, i.achievement_id
        LIMIT {CANDIDATES}
    )
    SELECT i.achievement_id, l.id, ({
    score_sql(
        words="%(dwords)s::varchar[]",
        field="%(dfield)s",
        near="%(dnear)s::varchar[]",
        rights="%(drights)s",
        budget_min="%(dmin)s::numeric",
        budget_max="%(dmax)s::numeric",
    )
}) AS score,
           ARRAY(SELECT unnest(%(dwords)s::varchar[]) INTERSECT SELECT unnest(i.words)) AS shared,
           i.field, l.rights, coalesce(l.price, l.asking_price, l.start_price) AS price, i.maturity,
           a.title, o.name
    FROM candidates c
    JOIN discovery_achievementindex i ON i.achievement_id = c.achievement_id
    JOIN listings_achievement a ON a.id = i.achievement_id
    JOIN accounts_organization o ON o.id = i.holder_id
    LEFT JOIN listings_listing l ON l.achievement_id = i.achievement_id AND l.status = 'published'
    WHERE o.status = 'verified'
      AND NOT (a.conversion_status = 'converted' AND a.conversion_method = 'transfer')
    ORDER BY score DESC, i.achievement_id
    LIMIT %(limit)s
"""


def _money(value: Decimal | None) -> str:
    return "—" if value is None else f"¥{value:,.2f}"


def _reasons(
    *,
    shared: list[str],
    field: str,
    dfield: str,
    rights: str | None,
    drights: str,
    price: Decimal | None,
    dmin: Decimal | None,
    dmax: Decimal | None,
    maturity: int,
) -> list[str]:
    reasons = []
    if shared:
        reasons.append(_("文本相似：%(words)s") % {"words": "、".join(shared[:6])})
    if field == dfield:
        reasons.append(_("领域相同：%(field)s") % {"field": Field(field).label})
    elif field in rules.NEAR_FIELDS.get(dfield, ()):
        reasons.append(_("领域相近：%(field)s") % {"field": Field(field).label})
    if rights is None:
        reasons.append(_("尚未挂牌，转化方式可商议"))
    elif rights == drights:
        reasons.append(_("转化方式一致：%(rights)s") % {"rights": Rights(rights).label})
    else:
        reasons.append(_("转化方式不同：挂牌为%(rights)s") % {"rights": Rights(rights).label})
    if price is not None and (dmin is not None or dmax is not None):
        low, high = dmin or Decimal(0), dmax or Decimal("1e15")
        if low <= price <= high:
            reasons.append(_("价格 %(price)s 在预算内") % {"price": _money(price)})
        else:
            reasons.append(_("价格 %(price)s 超出预算") % {"price": _money(price)})
    reasons.append(_("技术成熟度 TRL %(trl)s") % {"trl": maturity})
    return reasons


def _rows(sql: str, params: dict[str, Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _demand_params(demand: Demand) -> dict[str, Any]:
    words = demand.words or text_words(demand.title, demand.description)
    return {
        "dwords": words,
        "dfield": demand.field,
        "dnear": rules.near_fields(demand.field)[1:],
        "drights": demand.rights,
        "dmin": demand.budget_min,
        "dmax": demand.budget_max,
        "q": or_query(telling_words(words)),
        "rank_q": or_query(words),
        "org": demand.organization_id,
    }


def demand_matches(*, demand: Demand, limit: int = 20) -> list[Match]:
    """The achievements (with their published listing, if any) that best match ``demand``, best
    first; none of the demanding company's own, none already transferred."""
    params = _demand_params(demand)
    if not params["q"]:
        return []
    out = []
    for aid, lid, score, shared, a_field, rights, price, maturity, title, holder in _rows(
        MATCHES_SQL, {**params, "limit": limit}
    ):
        out.append(
            Match(
                achievement=aid,
                listing=lid,
                score=round(float(score), 1),
                title=title,
                holder=holder,
                reasons=_reasons(
                    shared=list(shared),
                    field=a_field,
                    dfield=demand.field,
                    rights=rights,
                    drights=demand.rights,
                    price=price,
                    dmin=demand.budget_min,
                    dmax=demand.budget_max,
                    maturity=maturity,
                ),
            )
        )
    return out


# The other way: published demands for one achievement, with the same score.
DEMANDS_SQL = f"""
    WITH candidates AS MATERIALIZED (
        SELECT d.id FROM discovery_demand d
        WHERE d.status = 'published' AND d.search_vector @@ to_tsquery('simple', %(q)s)
          AND d.organization_id <> %(holder)s
        ORDER BY ts_rank(d.search_vector, to_tsquery('simple', %(q)s)) DESC, d.id
        LIMIT {CANDIDATES}
    ), scored AS (
        SELECT d.id AS demand_id,
            ({
    score_sql(
        words="d.words",
        field="d.field",
        near="ARRAY(SELECT jsonb_array_elements_text(%(near)s::jsonb -> d.field))",
        rights="d.rights",
        budget_min="d.budget_min",
        budget_max="d.budget_max",
    )
}
            ) AS score,
            ARRAY(SELECT unnest(d.words) INTERSECT SELECT unnest(i.words)) AS shared
        FROM candidates c
        JOIN discovery_demand d ON d.id = c.id
        CROSS JOIN discovery_achievementindex i
        LEFT JOIN listings_listing l ON l.achievement_id = i.achievement_id AND l.status = 'published'
        WHERE i.achievement_id = %(achievement)s
    )
    SELECT demand_id, score, shared FROM scored ORDER BY score DESC, demand_id LIMIT %(limit)s
"""


def achievement_matching_demands(
    *, achievement_id: int, limit: int = 20
) -> list[tuple[Demand, float, list[str]]]:
    """Published demands that match the achievement (its index row), best first, with reasons."""
    import json

    from ..models import AchievementIndex

    index = AchievementIndex.objects.filter(pk=achievement_id).first()
    if index is None or not index.words:
        return []
    near = {f: sorted(rules.NEAR_FIELDS.get(f, ())) for f in Field.values}
    rows = _rows(
        DEMANDS_SQL,
        {
            "q": or_query(index.words),
            "holder": index.holder_id,
            "achievement": achievement_id,
            "near": json.dumps(near),
            "limit": limit,
        },
    )
    demands = Demand.objects.select_related("organization").in_bulk([r[0] for r in rows])
    listing = _published_listing(achievement_id)
    out = []
    for demand_id, score, shared in rows:
        demand = demands[demand_id]
        price = None if listing is None else (listing.price or listing.asking_price or listing.start_price)
        reasons = _reasons(
            shared=list(shared),
            field=index.field,
            dfield=demand.field,
            rights=None if listing is None else listing.rights,
            drights=demand.rights,
            price=price,
            dmin=demand.budget_min,
            dmax=demand.budget_max,
            maturity=index.maturity,
        )
        out.append((demand, round(float(score), 1), reasons))
    return out


def _published_listing(achievement_id: int) -> Any:
    from listings.models import Listing

    return Listing.objects.filter(achievement_id=achievement_id, status=Listing.Status.PUBLISHED).first()
