"""The bulk twins of the single-listing services, for jobs that publish or close many listings of
the platform at once (the daily use-first job): one statement each, set-based.

``listings_publish_bulk`` writes for each achievement exactly what ``listing_publish_by_platform``
writes: the listing with its terms (``created_by`` null: the platform), a status-change row
'' -> draft and one draft -> published with the reason and no actor, ``status = published``,
``published_at``, the sync stamp (the trigger's, ``core.sync``) and the search vector of the
achievement's title, summary and holder (``listings.search``), so a listing is never published
unfindable; ``tests/listings/test_bulk.py`` compares the rows. Each listing is written once: the
texts are tokenized before the insert (read in one pass, segmented in Python, copied into a
temporary table) and the insert computes the vector from them (``search.VECTOR_SQL``).
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
_TEXTS = "listings_bulk_text"  # the temporary table of tokenized texts: (id, t, s, h)
_READ_BATCH = 10_000  # texts read (and tokenized, and copied) at a time


def _rows(sql: str, params: dict[str, Any]) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall()) if cur.description else []


def _texts_stage(sql: str, params: dict[str, Any] | list[Any]) -> int:
    """Fill the temporary table ``_TEXTS`` (created for the transaction, emptied first) with the
    search tokens of the rows ``sql`` selects as (id, title, summary, holder name, valuation):
    read through a server-side cursor ``_READ_BATCH`` rows at a time, each batch segmented in
    Python (``search.segment_document``; a holder's name once, there are few holders) and copied
    in, the valuation as it is (so the publish need not join the achievements again). Returns how
    many rows; ``search.VECTOR_SQL`` over (t, s, h) is then each row's search vector. Inside a
    transaction."""
    with connection.cursor() as cur:
        cur.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {_TEXTS} (id bigint, t text, s text, h text, v numeric)"
            " ON COMMIT DROP"
        )
        cur.execute(f"TRUNCATE {_TEXTS}")
    segment, count = search.segment_document, 0
    holders: dict[str, str] = {}
    with connection.chunked_cursor() as texts, connection.cursor() as cur:
        texts.execute(sql, params)
        while batch := texts.fetchmany(_READ_BATCH):
            with cur.cursor.copy(f"COPY {_TEXTS} (id, t, s, h, v) FROM STDIN") as copy:
                for pk, title, summary, holder, valuation in batch:
                    h = holders.get(holder)
                    if h is None:
                        h = holders[holder] = segment(holder)
                    copy.write_row((pk, segment(title), segment(summary), h, valuation))
            count += len(batch)
    if count:
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {_TEXTS}")  # planned for its real size, not an empty table's
    return count


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

    Two statements: the achievements without an active listing are read with their texts and
    tokenized into a temporary table (``_texts_stage``), then one ``INSERT ... SELECT`` writes the
    listings, search vectors included, and their status-change rows. An achievement already on
    offer (``listing_one_active_per_achievement``) is skipped, also when a concurrent transaction
    publishes one in between (``ON CONFLICT DO NOTHING``).
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
    params = {
        "ids": sorted(set(achievement_ids or ())),
        "mode": Listing.Mode.NEGOTIATED.value,
        "rights": rights,
        "notice_days": notice_days,
        "reason": reason,
        "draft": S.DRAFT.value,
        "published": S.PUBLISHED.value,
        "active": list(ACTIVE_LISTING_STATUSES),
    }
    with transaction.atomic(savepoint=False):
        staged = _texts_stage(
            f"""
            SELECT a.id, a.title, a.summary, o.name, a.valuation
            FROM listings_achievement a JOIN accounts_organization o ON o.id = a.holder_id
            WHERE a.id IN ({achievements_sql})
              AND NOT EXISTS (
                  SELECT 1 FROM listings_listing l
                  WHERE l.achievement_id = a.id AND l.status = ANY(%(active)s::varchar[])
              )
            """,
            params,
        )
        if not staged:
            return 0
        vector = search.VECTOR_SQL.format(
            t="x.t",
            s="x.s",
            h="x.h",
            f="(SELECT a.field FROM listings_achievement a WHERE a.id = x.id)",
            m="%(mode)s",
            r="%(rights)s",
        )
        [(made,)] = _rows(
            f"""
            WITH made AS (
                INSERT INTO listings_listing (
                    achievement_id, mode, rights, status, asking_price, notice_days,
                    created_by_id, published_at, created_at, updated_at, search_vector
                )
                SELECT x.id, %(mode)s, %(rights)s, %(published)s, NULLIF(x.v, 0), %(notice_days)s,
                       NULL, clock_timestamp(), clock_timestamp(), {_LISTING_STAMP}, {vector}
                FROM {_TEXTS} x
                ORDER BY x.id
                ON CONFLICT DO NOTHING
                RETURNING id
            ),
            moved AS (
                INSERT INTO listings_listingstatuschange
                    (listing_id, from_status, to_status, actor_id, reason, created_at)
                SELECT id, '', %(draft)s, NULL::bigint, %(reason)s, clock_timestamp() FROM made
                UNION ALL
                SELECT id, %(draft)s, %(published)s, NULL::bigint, %(reason)s, clock_timestamp() FROM made
            )
            SELECT count(*) FROM made
            """,
            params,
        )
    return int(made)


# The task of ``listings.tasks`` that calls ``listings_index_missing`` (a backfill: the bulk
# publish writes each listing's vector in its insert), sent by name: the tasks module imports
# the services.
INDEX_TASK = "listings.listings_index_missing"


def listings_index_missing(*, batch: int = 50_000, everything: bool = False) -> int:
    """Fill the search vector (``listings.search``) of the platform's listings that have none, as
    ``listing_publish_by_platform`` does inline (a backfill: every publish writes it); with
    ``everything``, re-make every listing's (after a change of how documents are tokenized).
    Set-based, ``batch`` rows at a time: the texts tokenized into a temporary table
    (``_texts_stage``) and one UPDATE. Idempotent."""
    count, after = 0, 0
    where = "TRUE" if everything else "l.search_vector IS NULL AND l.created_by_id IS NULL"
    vector = search.VECTOR_SQL.format(
        t="b.t",
        s="b.s",
        h="b.h",
        f="(SELECT a.field FROM listings_achievement a WHERE a.id = l.achievement_id)",
        m="l.mode",
        r="l.rights",
    )
    with transaction.atomic(savepoint=False):
        while True:
            staged = _texts_stage(
                f"""
                SELECT l.id, a.title, a.summary, o.name, NULL
                FROM listings_listing l
                JOIN listings_achievement a ON a.id = l.achievement_id
                JOIN accounts_organization o ON o.id = a.holder_id
                WHERE {where} AND l.id > %s ORDER BY l.id LIMIT %s
                """,
                [after, batch],
            )
            if not staged:
                return count
            with connection.cursor() as cur:
                cur.execute(
                    f"UPDATE listings_listing l SET search_vector = {vector} FROM {_TEXTS} b WHERE l.id = b.id"
                )
                cur.execute(f"SELECT max(id) FROM {_TEXTS}")
                (after,) = cur.fetchone()
            count += staged
            if staged < batch:
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
