"""The bulk twins of the single-listing services, for jobs that publish or close many listings of
the platform at once (the daily use-first job): one statement each, set-based.

``listings_publish_bulk`` writes for each achievement exactly what ``listing_publish_by_platform``
writes: the listing with its terms (``created_by`` null: the platform), a status-change row
'' -> draft and one draft -> published with the reason and no actor, ``status = published``,
``published_at``, the sync stamp (the trigger's, ``core.sync``) and the search vector: copied
from the achievement's previous listing when there is one, else made in the same transaction by
``listings_index_missing`` (set-based: the texts read once, tokenized in Python, one COPY and one
UPDATE), so a listing is never published unfindable; ``tests/listings/test_bulk.py`` compares
the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.errors import InvalidInput
from core.sync import SYNC_STAMP_SQL

from .. import search
from ..models import Listing, Rights
from ..selectors import ACTIVE_LISTING_STATUSES

S = Listing.Status
_LISTING_STAMP = SYNC_STAMP_SQL  # the trigger writes the same stamp (core.sync)


def _rows(sql: str, params: dict[str, Any]) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall()) if cur.description else []


def listings_publish_bulk(
    *,
    achievement_ids: Sequence[int] | None = None,
    achievements_sql: str | None = None,
    rights: str,
    notice_days: int,
    reason: str,
) -> int:
    """Publish a negotiated listing of the platform for each given achievement that has no active
    listing; returns how many were published. The achievements are ``achievement_ids``, or
    ``achievements_sql``, a query selecting their ids (a caller's temporary table, say), so that
    a job's hundreds of thousands of ids need not travel through Python.

    Terms: mode ``negotiated``, the given ``rights`` and ``notice_days``; the asking price is the
    holder's own figure for the achievement (its ``valuation``), else none (面议). Only negotiated
    listings come in bulk: publishing an auction listing must open its auction (a seam per
    listing), which ``listing_publish_by_platform`` does. The made listings are the platform's
    (``created_by`` null) published listings of these achievements with these ``rights``.

    An achievement already on offer (``listing_one_active_per_achievement``) is skipped, also when
    a concurrent transaction publishes one first (``ON CONFLICT DO NOTHING``).
    """
    if (achievement_ids is None) == (achievements_sql is None):
        raise TypeError("give achievement_ids or achievements_sql")
    if achievement_ids is not None:
        if not achievement_ids:
            return 0
        achievements_sql = "SELECT unnest(%(ids)s::bigint[])"
    if rights not in Rights.values:
        raise InvalidInput(
            "invalid_terms", _("交易条款有误，请检查标出的字段。"), fields={"rights": [_("无效的选项。")]}
        )
    [(made, unindexed)] = _rows(
        f"""
        WITH previous AS MATERIALIZED (
            -- Read once, before the insert: a per-row subquery was planned as a scan of the
            -- table the statement fills (empty in its statistics), which made it quadratic.
            SELECT DISTINCT ON (p.achievement_id) p.achievement_id, p.search_vector
            FROM listings_listing p
            WHERE p.achievement_id IN ({achievements_sql}) AND p.search_vector IS NOT NULL
            ORDER BY p.achievement_id, p.id DESC
        ),
        made AS (
            INSERT INTO listings_listing (
                achievement_id, mode, rights, status, asking_price, notice_days,
                created_by_id, published_at, created_at, updated_at, search_vector
            )
            SELECT a.id, %(mode)s, %(rights)s, %(published)s, NULLIF(a.valuation, 0), %(notice_days)s,
                   NULL, clock_timestamp(), clock_timestamp(), {_LISTING_STAMP}, previous.search_vector
            FROM listings_achievement a
            LEFT JOIN previous ON previous.achievement_id = a.id
            WHERE a.id IN ({achievements_sql})
              AND NOT EXISTS (
                  SELECT 1 FROM listings_listing l
                  WHERE l.achievement_id = a.id AND l.status = ANY(%(active)s::varchar[])
              )
            ORDER BY a.id
            ON CONFLICT DO NOTHING
            RETURNING id, search_vector IS NULL AS unindexed
        ),
        moved AS (
            INSERT INTO listings_listingstatuschange
                (listing_id, from_status, to_status, actor_id, reason, created_at)
            SELECT id, '', %(draft)s, NULL::bigint, %(reason)s, clock_timestamp() FROM made
            UNION ALL
            SELECT id, %(draft)s, %(published)s, NULL::bigint, %(reason)s, clock_timestamp() FROM made
        )
        SELECT count(*), coalesce(bool_or(unindexed), false) FROM made
        """,
        {
            "ids": sorted(set(achievement_ids or ())),
            "mode": Listing.Mode.NEGOTIATED.value,
            "rights": rights,
            "notice_days": notice_days,
            "reason": reason,
            "draft": S.DRAFT.value,
            "published": S.PUBLISHED.value,
            "active": list(ACTIVE_LISTING_STATUSES),
        },
    )
    if unindexed:
        listings_index_missing()
    return int(made)


# The task of ``listings.tasks`` that calls ``listings_index_missing`` (a backfill; the bulk
# publish indexes inline), sent by name: the tasks module imports the services.
INDEX_TASK = "listings.listings_index_missing"


def listings_index_missing(*, batch: int = 50_000, everything: bool = False) -> int:
    """Fill the search vector (``listings.search``) of the platform's listings that have none (the
    ones ``listings_publish_bulk`` made without a previous listing to copy it from), as
    ``listing_publish_by_platform`` does inline; with ``everything``, re-make every listing's (after
    a change of how documents are tokenized). Set-based, ``batch`` rows at a time: the texts read in
    one query, tokenized in Python, one COPY into a temporary table and one UPDATE. Idempotent."""
    count, after = 0, 0
    where = "TRUE" if everything else "l.search_vector IS NULL AND l.created_by_id IS NULL"
    with transaction.atomic(savepoint=False), connection.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS listings_index_batch (id bigint, t text, s text, h text)"
            " ON COMMIT DROP"
        )
        while True:
            cur.execute(
                f"""
                SELECT l.id, a.title, a.summary, o.name
                FROM listings_listing l
                JOIN listings_achievement a ON a.id = l.achievement_id
                JOIN accounts_organization o ON o.id = a.holder_id
                WHERE {where} AND l.id > %s ORDER BY l.id LIMIT %s
                """,
                [after, batch],
            )
            texts = cur.fetchall()
            if not texts:
                return count
            after = texts[-1][0]
            if count:
                cur.execute("TRUNCATE listings_index_batch")
            with cur.cursor.copy("COPY listings_index_batch (id, t, s, h) FROM STDIN") as copy:
                for pk, title, summary, holder in texts:
                    copy.write_row(
                        (
                            pk,
                            search.segment_document(title),
                            search.segment_document(summary),
                            search.segment_document(holder),
                        )
                    )
            cur.execute(
                f"UPDATE listings_listing l SET search_vector = {search.VECTOR_SQL.format(t='b.t', s='b.s', h='b.h')}"
                " FROM listings_index_batch b WHERE l.id = b.id"
            )
            count += len(texts)
            if len(texts) < batch:
                return count


def listings_close_bulk(*, listing_ids: Iterable[int], rights: str, reason: str) -> int:
    """Close the platform's published listings ``listing_ids`` of ``rights`` (published -> closed,
    with its status-change row, no actor): the bulk form of a listing's move to closed. Listings
    no longer published are left alone. Returns how many moved."""
    ids = sorted(set(listing_ids))
    if not ids:
        return 0
    rows = _rows(
        f"""
        WITH moved AS (
            UPDATE listings_listing SET status = %(closed)s, updated_at = {_LISTING_STAMP}
            WHERE id = ANY(%(ids)s::bigint[]) AND status = %(published)s AND rights = %(rights)s
            RETURNING id
        )
        INSERT INTO listings_listingstatuschange (listing_id, from_status, to_status, actor_id, reason, created_at)
        SELECT id, %(published)s, %(closed)s, NULL, %(reason)s, clock_timestamp() FROM moved
        RETURNING listing_id
        """,
        {
            "ids": ids,
            "closed": S.CLOSED.value,
            "published": S.PUBLISHED.value,
            "rights": rights,
            "reason": reason,
        },
    )
    return len(rows)
