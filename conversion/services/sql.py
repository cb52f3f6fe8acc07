"""Small helpers for the set-based statements of the conversion services, and the one place where
their rows get a commit-ordered ``updated_at`` (``core.syncstamp``): whoever replaces the stamps
(a transaction-id watermark, say) changes ``ENTRY_STAMP`` and ``sync_locked_for_job`` here."""

from __future__ import annotations

from typing import Any

from django.db import connection

from core.syncstamp import SYNC_LOCK_KEY, sync_lock, sync_stamp_sql

ENTRY_TABLE = "conversion_usefirstentry"
# The per-row ``updated_at`` of a set-based statement writing entries; the caller holds the sync
# lock (``sync_lock``) from an earlier statement.
ENTRY_STAMP = sync_stamp_sql(ENTRY_TABLE)

__all__ = ["ENTRY_STAMP", "ENTRY_TABLE", "SYNC_LOCK_KEY", "execute", "rows", "sync_lock"]


def execute(sql: str, params: dict[str, Any]) -> int:
    """Run a statement; the number of rows it wrote (or selected into a table)."""
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


def rows(sql: str, params: dict[str, Any]) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall()) if cur.description else []
