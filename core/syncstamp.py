"""``updated_at`` stamps a syncing client can trust, for every public list with ``updated_since``
(API.md, Conventions: "sync incrementally without missing or repeating an item").

The problem: a stamp taken while a transaction writes (``auto_now``, ``now()``,
``clock_timestamp()``) is earlier than its commit. A client that has read every row up to T can
later find a row stamped before T that committed after it read, and an ``updated_since`` sync
skips it for ever.

The rule (first worked out for transaction results, ``marketplace.services.results``): every write
of a synced table first takes ONE transaction-level advisory lock, shared by all synced tables,
then stamps with ``greatest(clock_timestamp(), max(updated_at) + 1 µs)`` of that table. Writers are
serialized and each stamps after the previous one committed (PostgreSQL makes a commit visible
before it releases the transaction's locks), so the committed rows are always a prefix of the
``updated_at`` order; each row gets its own stamp, so ``updated_since`` (exclusive) resumes
exactly. A set-based statement (the use-first job writes 100 000 rows in one) takes the lock in an
EARLIER statement (``sync_lock``: a statement's snapshot is taken when it starts, so the ``max``
must be read by a statement that starts after the lock is held), then stamps its rows with
``sync_stamp_sql``: the base computed once in the statement, plus a microsecond per row numbered
by the ``market_sync_tick`` sequence (only used under the lock, so its numbers are consecutive).

The cost: the lock is held until commit, so writes of synced rows queue behind each other (and
behind the daily use-first job while it runs). These writes are rare and short. One key for every
table, so two synced tables written in either order cannot deadlock on it.

The lock order: a transaction takes the sync lock BEFORE it locks a synced row
(``listings.services.listing_lock`` does; so does locking a use-first entry). Otherwise one that
held a listing and then waited for the sync lock to stamp it, and another that held the sync lock
and then needed that listing (the use-first job updates thousands), would wait on each other
until PostgreSQL aborted one. Tables: ``listings_listing``,
``conversion_usefirstentry``, ``marketplace_result`` (each with an index whose first column is
``updated_at``, so the ``max`` is one index probe).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models.expressions import RawSQL

# pg_advisory_xact_lock key of every synced table's writes ("SYNC").
SYNC_LOCK_KEY = 0x53594E43
SYNCED_TABLES = frozenset({"listings_listing", "conversion_usefirstentry", "marketplace_result"})
# Numbers the rows of one set-based statement (created by listings' migration 0006).
TICK_SEQUENCE = "market_sync_tick"


def _check(table: str) -> None:
    if table not in SYNCED_TABLES:
        raise ValueError(f"{table} is not a synced table")


def sync_lock() -> None:
    """Take the sync lock until the transaction ends (re-entrant). Before a ``sync_stamp_sql``
    statement, in a statement of its own."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SYNC_LOCK_KEY])


def sync_stamp(table: str) -> dt.datetime:
    """Take the sync lock and return the next ``updated_at`` of ``table`` for ONE row. Call it
    right before writing that row."""
    _check(table)
    sync_lock()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT greatest(clock_timestamp(), (SELECT max(updated_at) FROM {table}) + interval '1 microsecond')"  # noqa: S608
        )
        return cursor.fetchone()[0]


def sync_stamp_sql(table: str) -> str:
    """The per-row ``updated_at`` of a set-based statement writing ``table``, as SQL: the base (one
    InitPlan: after every committed stamp, read with the statement's snapshot) plus the row's
    number in the statement, in microseconds. The caller holds ``sync_lock`` from an earlier
    statement. Whichever of ``nextval`` and the ``last_value`` InitPlan runs first, the offsets are
    distinct and not negative (0 or 1 for the first row, then one more per row)."""
    _check(table)
    return (
        f"((SELECT greatest(clock_timestamp(), max(updated_at) + interval '1 microsecond') FROM {table})"
        f" + (nextval('{TICK_SEQUENCE}') - (SELECT last_value FROM {TICK_SEQUENCE})) * interval '1 microsecond')"
    )


def sync_stamp_expression(table: str) -> RawSQL:
    """``sync_stamp_sql`` as an ORM expression, for ``QuerySet.update(updated_at=...)``; the caller
    holds ``sync_lock``."""
    return RawSQL(sync_stamp_sql(table), [])
