"""Syncing public lists without a global lock (DESIGN.md, "Syncing lists without a global lock";
API.md Conventions: ``updated_since`` and cursor pages "without missing or repeating an item").

The problem. A client reads a list in some order and later asks for what came after the last
item it saw. A row written by a transaction that commits AFTER the client read, but that sorts
BEFORE the client's position, is skipped for ever. Stamps taken while writing (``now()``,
``clock_timestamp()``) have that flaw: a transaction stamps, lingers, commits late. The previous
cure (``core.syncstamp``) serialized every writer of the synced tables behind one advisory lock
and stamped in commit order; the daily use-first job then held that lock for its whole run and
every listing write in the province waited behind it.

The rule now. Every synced row records the id of the transaction that last wrote it:
``sync_xid = pg_current_xact_id()`` (as a bigint), set by a ``BEFORE INSERT OR UPDATE`` trigger
(``market_sync_row``, core migration 0001), so every writer stamps (ORM saves, ``.update()``, the
job's set-based SQL) without Python code and without any lock. Transaction ids are handed out in
increasing order, and ``pg_snapshot_xmin(pg_current_snapshot())`` is the oldest one still running
(``WATERMARK_SQL`` leaves out those running in other databases of the server): every transaction
below it has finished, so the committed rows with ``sync_xid`` below it are
final, and no row will ever appear there again (a later change of a row gives it a later id). A
sync page therefore returns only rows with ``sync_xid < watermark``, ordered by
``(sync_xid, id)``, after the cursor's position; the first page of a pass reads the watermark and
its cursor carries it to the following pages. Writers never wait for each other or for readers;
a row becomes visible to syncing clients once every transaction older than its own has ended
(a long transaction, such as the daily job, delays the list, it no longer blocks the writers).

``updated_at`` stays, for display and for ``updated_since``: the trigger sets it to the stamp of
the writing TRANSACTION (``market_sync_stamp()``: the millisecond of its first synced write, with a
serial of writing transactions in the microseconds, so two transactions share a stamp only if a
thousand of them start writing within one millisecond), and records ``(xid, stamp)`` once per
transaction in ``core_sync_transaction`` (``core.models.SyncTransaction``; an insert of its own
row, so again nobody waits). All rows a transaction wrote carry the same ``updated_at``.

``updated_since=T`` is mapped onto a position (``sync_since``):

- T is the ``updated_at`` of an item the client received (what API.md tells clients to keep):
  the register names that item's transaction x, and the list resumes after it (``sync_xid > x``).
  Exact: every transaction below x had finished when the client read x's rows (they were below
  the watermark), so whatever the client has not seen has a larger id, and x's own rows were all
  in the pass. Guarantee: a client that finishes a pass (follows ``next`` to null) and resumes
  with the last ``updated_at`` it received never misses and never repeats a change. A client that
  stops in the middle of a pass resumes with that pass's ``next`` cursor instead (resuming by
  ``updated_at`` skips the rest of the last item's transaction when it had more rows than a page).
- Any other moment: the rows of every transaction stamped at or after T
  (``sync_xid >= min(xid stamped >= T)``), a superset of "changed since T" (it may include
  transactions that started writing just before T and got a later id), never a subset. That
  first id is sought in id order from a lower bound, not from the register's first row (which read
  every transaction before T): each register row also holds a ``horizon``, the writing
  transaction's ``pg_snapshot_xmin(pg_current_snapshot())`` read before its clock. Every
  transaction below it had ended before the stamp's clock was read, so a transaction stamped in a
  LATER millisecond (it was still running then, or had not begun) has an id at least the horizon;
  the register row stamped last before T's millisecond therefore bounds every transaction stamped
  at or after T. (Within one millisecond the serial in the microseconds does not follow the clock,
  hence the millisecond. Register rows older than core migration 0002 got the smallest id stamped
  in a later millisecond, or that migration's snapshot xmin if smaller.)
- Rows written before this scheme (migration backfill): ``sync_xid`` is negative, numbered in
  their old ``(updated_at, id)`` order, and their ``updated_at`` is the old commit-ordered stamp;
  a client resuming from such a stamp gets the later old rows by ``updated_at`` and every new row.
  (Their ``updated_at`` follows their ``sync_xid``, so the last of them tells whether any is after
  T; when none is, the condition leaves them out, and the page's index scan starts at the position.)

Who reads its own writes. A reader inside a transaction that has itself written synced rows
(tests, a service reading back) also sees those rows: they are in its snapshot although their id
is not below the watermark. HTTP reads do not write first, so for clients nothing changes.

Tables: ``listings_listing``, ``conversion_usefirstentry``, ``marketplace_result`` (each with an
index on ``(sync_xid, id)``). The only advisory locks left are per job (two runs of the daily job
cannot overlap) and per bid idempotency key; none is market-wide.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

from django.db import connection
from django.db.models import Model, Q, QuerySet

from core.errors import invalid_cursor

ORDER = "sync"  # the cursor's order name (the catalogue's keyset cursors name theirs likewise)
ORDERING = ("sync_xid", "id")
# What SQL that names ``updated_at`` writes there: a placeholder the row's trigger overwrites with
# the transaction's stamp. ``now()`` is evaluated once per statement, where calling
# ``market_sync_stamp()`` again per row cost a second function call for each of 600,000 rows.
SYNC_STAMP_SQL = "now()"
# What a set-based INSERT writes into ``updated_at, sync_xid`` (in that order) to stamp its rows
# itself, as the trigger would: the transaction's stamp (``market_sync_stamp()``, once per statement:
# an uncorrelated subquery is an InitPlan, and a statement that writes no row never calls it) and
# its id. The synced tables' triggers skip a row that already holds both (their WHEN clause,
# ``market_sync_stamped``, core migration 0003), so such a statement pays no plpgsql call per row:
# the daily use-first job writes 600,000 listings and entries at 1,000,000 achievements.
SYNC_STAMPED_SQL = "(SELECT market_sync_stamp()), pg_current_xact_id()::text::bigint"


def sync_stamp() -> dt.datetime:
    """The ``updated_at`` this transaction's synced rows get (registering the transaction on its
    first call): for a model's ``save`` to hold the value the trigger will write."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT market_sync_stamp()")
        return cursor.fetchone()[0]


class SyncStampedSave:
    """For a synced model (its table has the ``market_sync_row`` trigger): the trigger stamps
    every write; a ``save`` that writes ``updated_at`` also puts the transaction's stamp on the
    instance, so that it shows what the row holds. Put it before ``models.Model`` in the bases."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "updated_at" in update_fields:
            self.updated_at = sync_stamp()
        super().save(*args, **kwargs)  # type: ignore[misc]


def sync_since(since: dt.datetime, model: type[Model]) -> Q:
    """Rows of ``model`` (a synced table) changed after ``since`` as a client means it (see the
    module docstring): after the transaction stamped exactly ``since``, else from the first
    transaction stamped at or after it; plus the pre-scheme rows stamped after it, if any are.

    A few index probes, whatever the size: the first transaction stamped at or after ``since`` is
    sought in id order from the horizon of the register row stamped before ``since``'s millisecond
    (no transaction stamped later has a smaller id), not from the first id, which read every
    transaction before ``since``; and the pre-scheme rows, numbered in ``updated_at`` order, are
    asked for only when the last of them is after ``since``: their OR kept the page from starting
    its index scan at the position."""
    millisecond = since.replace(microsecond=since.microsecond - since.microsecond % 1000)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT min(xid) FROM core_sync_transaction WHERE stamped_at = %s),"
            " (SELECT xid FROM core_sync_transaction WHERE stamped_at >= %s AND xid >= coalesce("
            "   (SELECT horizon FROM core_sync_transaction WHERE stamped_at < %s AND horizon IS NOT NULL"
            "    ORDER BY stamped_at DESC LIMIT 1), 0)"
            "  ORDER BY xid LIMIT 1),"
            f" (SELECT updated_at FROM {table} WHERE sync_xid < 0 ORDER BY sync_xid DESC LIMIT 1)",
            [since, since, millisecond],
        )
        exact, first, last_legacy = cursor.fetchone()
    if exact is not None:
        return Q(sync_xid__gt=exact)
    found = Q(sync_xid__gte=first) if first is not None else Q(pk__in=[])
    if last_legacy is not None and last_legacy > since:
        found |= Q(sync_xid__lt=0, updated_at__gt=since)
    return found


# The oldest transaction still running, leaving out those that pg_stat_activity shows running in
# ANOTHER database of the server (transaction ids are server-wide, but they cannot write our
# tables): else the first of the ids not yet handed out. A transaction it cannot place (another
# role's, a prepared one) counts, so the watermark errs only towards waiting. A transaction that
# ends between the snapshot and the read of pg_stat_activity has ended before the page's own
# statement takes its snapshot, so the page sees its rows.
WATERMARK_SQL = """
    SELECT coalesce(
        (SELECT min(x::text::bigint) FROM pg_snapshot_xip(s) AS x
         WHERE NOT EXISTS (
             SELECT 1 FROM pg_stat_activity a
             WHERE a.backend_xid::text::bigint = x::text::bigint % 4294967296
               AND a.datid <> (SELECT oid FROM pg_database WHERE datname = current_database()))),
        pg_snapshot_xmax(s)::text::bigint),
        pg_current_xact_id_if_assigned()::text::bigint
    FROM pg_current_snapshot() AS s
"""


def _watermark() -> tuple[int, int | None]:
    """The sync watermark (every transaction of this database below it has ended), and this
    transaction's own id if it has one. Read in a statement BEFORE the page's (see above)."""
    with connection.cursor() as cursor:
        cursor.execute(WATERMARK_SQL)
        watermark, own = cursor.fetchone()
    return watermark, own


def encode_cursor(*, watermark: int, xid: int, pk: int) -> str:
    raw = json.dumps({"o": ORDER, "w": watermark, "v": [xid, pk]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> tuple[int, int, int]:
    """``(watermark, xid, id)`` of a sync cursor; 400 ``invalid_cursor`` for anything else."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        xid, pk = data["v"]
        values = (data["w"], xid, pk)
        if data["o"] != ORDER or not all(type(v) is int for v in values):
            raise ValueError
        return values
    except (ValueError, KeyError, TypeError, json.JSONDecodeError):
        raise invalid_cursor() from None


def sync_page(queryset: QuerySet[Any], *, cursor: str | None, page_size: int) -> tuple[list[Any], str | None]:
    """One page of ``queryset`` (a synced table, filtered) in ``(sync_xid, id)`` order below the
    pass's watermark, and the next page's cursor token (None at the end of the pass)."""
    watermark, own = _watermark()
    if cursor:
        carried, xid, pk = decode_cursor(cursor)
        watermark = min(carried, watermark)  # the pass's own; a made-up later one cannot skip ahead
        # ``sync_xid >= xid`` repeats what the OR says as a range the ``(sync_xid, id)`` index can
        # start from: without it PostgreSQL reads the index from its first row to the cursor's.
        queryset = queryset.filter(Q(sync_xid__gt=xid) | Q(sync_xid=xid, id__gt=pk), sync_xid__gte=xid)
    final = Q(sync_xid__lt=watermark)
    if own is not None:
        final |= Q(sync_xid=own)
    rows = list(queryset.filter(final).order_by(*ORDERING)[: page_size + 1])
    if len(rows) <= page_size:
        return rows, None
    rows = rows[:page_size]
    last = rows[-1]
    xid, pk = (last["sync_xid"], last["id"]) if isinstance(last, dict) else (last.sync_xid, last.pk)
    return rows, encode_cursor(watermark=watermark, xid=xid, pk=pk)
