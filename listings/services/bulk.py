"""The bulk twins of the single-listing services, for jobs that publish or close many listings of
the platform at once (the daily use-first job): one statement each, set-based.

``listings_publish_bulk`` writes for each achievement exactly what ``listing_publish_by_platform``
writes: the listing with its terms (``created_by`` null: the platform), a status-change row
'' -> draft and one draft -> published with the reason and no actor, ``status = published``,
``published_at``, the sync stamp (the trigger's, ``core.sync``, written by the insert itself:
``SYNC_STAMPED_SQL``) and the search vector of the
achievement's title, summary and holder (``listings.search``), so a listing is never published
unfindable; ``tests/listings/test_bulk.py`` compares the rows. Each listing is written once: the
texts are read in one pass and tokenized in Python, batch by batch, into a temporary table, and
the insert writes each listing with its vector: made in Python (``search.vector_binary``, copied
in tsvector's binary form, so PostgreSQL parses nothing) where it is known to equal
``search.TEXTS_SQL``'s, else made by ``search.TEXTS_SQL`` from the tokens; then the filters' lexemes (``search.FILTERS_SQL``), all
of it ``search.VECTOR_SQL``. The tokenizing of batch k+1 runs in a worker thread
while the database writes batch k (``_text_batches``).
"""

from __future__ import annotations

import struct
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.errors import InvalidInput
from core.sync import SYNC_STAMP_SQL, SYNC_STAMPED_SQL

from .. import search
from ..models import Listing, Rights
from ..selectors import ACTIVE_LISTING_STATUSES

S = Listing.Status
_LISTING_STAMP = SYNC_STAMP_SQL  # the trigger writes the same stamp (core.sync)
_TEXTS = "listings_bulk_text"  # the temporary table of one batch's vectors or tokens (``_stage``)
_READ_BATCH = 10_000  # texts read (and tokenized, and copied) at a time


def _rows(sql: str, params: dict[str, Any]) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall()) if cur.description else []


@dataclass(frozen=True)
class Staged:
    """One batch of texts made ready for ``_TEXTS``: ``payload``, its rows as binary ``COPY``
    data; ``rows`` of them, ``written`` with their vector made in Python, the last ``last_id``."""

    payload: bytes
    rows: int
    written: int
    last_id: int


_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)  # binary COPY: signature, flags, extension
_COPY_TRAILER = struct.pack("!h", -1)
_ROW_ID = struct.Struct("!hiq")  # a row's count of fields (7), then its id: 8 bytes, int8
_LENGTH = struct.Struct("!i")
_NULL = _LENGTH.pack(-1)


def _field(value: bytes | None) -> bytes:
    return _NULL if value is None else _LENGTH.pack(len(value)) + value


def _text(value: str | None) -> bytes:
    return _NULL if value is None else _field(value.encode())


def _row(pk: int, vector: bytes | None, t: str | None, s: str | None, h: str | None, v: Any, f: str) -> bytes:
    """One row of ``_TEXTS`` (id, vector, t, s, h, valuation, field) as binary ``COPY`` data."""
    valuation = None if v is None else format(v, "f")
    return b"".join(
        (_ROW_ID.pack(7, 8, pk), _field(vector), _text(t), _text(s), _text(h), _text(valuation), _text(f))
    )


def _staged(rows: list[bytes], *, written: int, last_id: int) -> Staged:
    return Staged(_COPY_HEADER + b"".join(rows) + _COPY_TRAILER, len(rows), written, last_id)


def _index_rows(rows: list[tuple], exact: bool, holders: dict[str, str]) -> Staged:
    """One batch of (id, title, summary, holder name, valuation, field) made into the rows of
    ``_TEXTS`` (``_row``). The vector is ``search.vector_binary``'s where ``exact`` (the
    database agrees with it) and it has one, and then t, s, h are not needed; else the three
    fields' tokens (``search.segment_document``; a holder's name once, there are few holders),
    for ``search.TEXTS_SQL``. Pure Python: it runs in a worker thread while the connection
    writes the previous batch (``_text_batches``)."""
    vector, segment = search.vector_binary, search.segment_document
    out: list[bytes] = []
    written = 0
    for pk, title, summary, holder, valuation, field in rows:
        v = vector(title=title, summary=summary, holder=holder) if exact else None
        if v is not None:
            written += 1
            out.append(_row(pk, v, None, None, None, valuation, field))
            continue
        h = holders.get(holder)
        if h is None:
            h = holders[holder] = segment(holder)
        out.append(_row(pk, None, segment(title), segment(summary), h, valuation, field))
    return _staged(out, written=written, last_id=rows[-1][0] if rows else 0)


# PostgreSQL agrees with ``search.vector_binary`` on this (the tests compare every Chinese character
# and a corpus of words; this asks the database at hand, whose locale decides letters and case).
_PROBE = {
    "title": "ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz 0123456789 v2 3D 5G 2e",
    "summary": "一种用于科技成果转化的方法：\u4e00\u9fa5 \u3400\u4db5 \uf900\ufa2d。",
    "holder": "浙江大学",
}


def _vector_binary_exact() -> bool:
    """Whether this database makes of ``_PROBE`` the vector ``search.vector_binary`` writes: the
    probe staged as a batch is (``_stage``, inside the caller's transaction)."""
    probe = _row(0, search.vector_binary(**_PROBE), None, None, None, None, "")
    _stage(_staged([probe], written=1, last_id=0))
    vector = search.TEXTS_SQL.format(t="%(t)s::text", s="%(s)s::text", h="%(h)s::text")
    segment = search.segment_document
    [(same,)] = _rows(
        f"SELECT x.vector::text = ({vector})::text FROM {_TEXTS} x",
        {"t": segment(_PROBE["title"]), "s": segment(_PROBE["summary"]), "h": segment(_PROBE["holder"])},
    )
    return bool(same)


def _gin_merges_in_one_pass() -> None:
    """For the rest of a bulk publish's transaction, sorts and GIN merges may use 64 MB of memory
    (``work_mem``; 4 MB by default). The listing table's two GIN indexes (``search.py``'s vector,
    whole and its title part) take new entries into their pending lists, and an insert that finds
    a list over ``gin_pending_list_limit`` (4 MB) merges it into the index in ``work_mem``-sized
    pieces: at 4 MB, a full list in several passes, each of which rewrites the posting lists of
    nearly every key (a vocabulary of characters and pairs). The lists themselves stay at 4 MB, so
    a search beside the job scans no longer a pending list than it would beside any other write.
    In ``bench/use_first_job.py`` at 1,000,000 achievements (299,811 listings), the first run took
    32.9 / 34.9 s with it and 40.0 / 37.6 s without."""
    with connection.cursor() as cur:
        cur.execute("SET LOCAL work_mem = '64MB'")


_HANDOVER_SECONDS = 0.0005  # the interpreter's switch interval while a worker tokenizes (5 ms by default)


class _Handover:
    """The process's state of ``_prompt_handovers``: how many run, and the interval from before."""

    lock = threading.Lock()
    depth = 0
    before = 0.0


@contextmanager
def _prompt_handovers() -> Iterator[None]:
    """While it lasts, the interpreter hands its lock between threads every 0.5 ms instead of
    every 5 ms (``sys.setswitchinterval``, for the process: nested or concurrent uses keep it
    until the last ends, then the interval it had comes back). The tokenizing worker is Python
    all the time; the connection's thread, back from the database with a batch written, waited
    up to 5 ms behind it for each statement it had to send next (a handful per batch). In the
    use-first job at 1,000,000 achievements, publishing 299,811 listings took 14.4-15.0 s at
    5 ms and 13.4-14.5 s at 0.5 ms (four pairs, alternating, 0.5-1.0 s less in each; #17.5)."""
    with _Handover.lock:
        if _Handover.depth == 0:
            _Handover.before = sys.getswitchinterval()
            sys.setswitchinterval(min(_Handover.before, _HANDOVER_SECONDS))
        _Handover.depth += 1
    try:
        yield
    finally:
        with _Handover.lock:
            _Handover.depth -= 1
            if _Handover.depth == 0:
                sys.setswitchinterval(_Handover.before)


def _text_batches(sql: str, params: dict[str, Any] | list[Any]) -> Iterator[Staged]:
    """The rows ``sql`` selects as (id, title, summary, holder name, valuation, field), read through a
    server-side cursor ``_READ_BATCH`` at a time and made into ``_TEXTS`` rows (``_index_rows``)
    by a worker thread one batch ahead: while the caller writes batch k with the connection (the
    database working, this thread waiting on it), the worker tokenizes batch k+1 on the other core,
    so the tokenizing costs the job next to nothing in time (#17.5); the threads hand over
    promptly meanwhile (``_prompt_handovers``)."""
    exact, holders = _vector_binary_exact(), dict[str, str]()
    with (
        _prompt_handovers(),
        ThreadPoolExecutor(max_workers=1) as worker,
        connection.chunked_cursor() as texts,
    ):
        texts.execute(sql, params)
        ahead = None
        while rows := texts.fetchmany(_READ_BATCH):
            made = worker.submit(_index_rows, rows, exact, holders)
            if ahead is not None:
                yield ahead.result()
            ahead = made
        if ahead is not None:
            yield ahead.result()


def _stage(batch: Staged) -> None:
    """Copy one batch into the temporary table ``_TEXTS`` (created for the transaction, emptied
    first): binary ``COPY``, so that each vector arrives as the finished tsvector, not as text
    to parse (about 2 s of the database's time for 300,000 listings, #17.5)."""
    with connection.cursor() as cur:
        cur.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {_TEXTS}"
            " (id bigint, vector tsvector, t text, s text, h text, v text, f text) ON COMMIT DROP"
        )
        cur.execute(f"TRUNCATE {_TEXTS}")
        with cur.cursor.copy(f"COPY {_TEXTS} (id, vector, t, s, h, v, f) FROM STDIN (FORMAT BINARY)") as copy:
            copy.write(batch.payload)


def _vector_sql(alias: str, *, mode: str, rights: str) -> str:
    """A ``_TEXTS`` row's search vector (``search.VECTOR_SQL``): its texts' vector, the one
    made in Python or else ``search.TEXTS_SQL``'s, then the filters' lexemes of its field and the
    listing's ``mode`` and ``rights`` (SQL)."""
    texts = search.TEXTS_SQL.format(t=f"{alias}.t", s=f"{alias}.s", h=f"{alias}.h")
    filters = search.FILTERS_SQL.format(f=f"{alias}.f", m=mode, r=rights)
    return f"COALESCE({alias}.vector, {texts}) || {filters}"


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

    Set-based, batch by batch: the achievements without an active listing are read with their
    texts (in id order, ``_text_batches``), and for each batch of them tokenized into a temporary
    table (``_stage``), one ``INSERT ... SELECT`` writes the listings, search vectors included,
    and their status-change rows. An achievement already on
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
        _gin_merges_in_one_pass()
        made = 0
        for batch in _text_batches(
            f"""
            SELECT a.id, a.title, a.summary, o.name, a.valuation, a.field
            FROM listings_achievement a JOIN accounts_organization o ON o.id = a.holder_id
            WHERE a.id IN ({achievements_sql})
              AND NOT EXISTS (
                  SELECT 1 FROM listings_listing l
                  WHERE l.achievement_id = a.id AND l.status = ANY(%(active)s::varchar[])
              )
            ORDER BY a.id
            """,
            params,
        ):
            _stage(batch)
            [(published,)] = _rows(
                f"""
                WITH made AS (
                    INSERT INTO listings_listing (
                        achievement_id, mode, rights, status, asking_price, notice_days,
                        created_by_id, published_at, created_at, updated_at, sync_xid, search_vector
                    )
                    SELECT x.id, %(mode)s, %(rights)s, %(published)s, NULLIF(x.v::numeric, 0), %(notice_days)s,
                           NULL, clock_timestamp(), clock_timestamp(), {SYNC_STAMPED_SQL},
                           {_vector_sql("x", mode="%(mode)s", rights="%(rights)s")}
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
            made += published
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
    (``_text_batches``, ``_stage``) and one UPDATE per ``_READ_BATCH``. Idempotent."""
    count, after = 0, 0
    where = "TRUE" if everything else "l.search_vector IS NULL AND l.created_by_id IS NULL"
    with transaction.atomic(savepoint=False):
        while True:
            staged = 0
            for staged_rows in _text_batches(
                f"""
                SELECT l.id, a.title, a.summary, o.name, NULL, a.field
                FROM listings_listing l
                JOIN listings_achievement a ON a.id = l.achievement_id
                JOIN accounts_organization o ON o.id = a.holder_id
                WHERE {where} AND l.id > %s ORDER BY l.id LIMIT %s
                """,
                [after, batch],
            ):
                _stage(staged_rows)
                with connection.cursor() as cur:
                    cur.execute(f"ANALYZE {_TEXTS}")
                    cur.execute(
                        "UPDATE listings_listing l SET search_vector ="
                        f" {_vector_sql('b', mode='l.mode', rights='l.rights')}"
                        f" FROM {_TEXTS} b WHERE l.id = b.id"
                    )
                staged += staged_rows.rows
                after = staged_rows.last_id
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
