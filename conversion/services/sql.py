"""Small helpers for the set-based statements of the conversion services. The rows they write are
stamped for syncing clients by the table's trigger (``core.sync``: the writing transaction's id
and stamp), with no lock; ``ENTRY_STAMP`` names that same stamp for statements that set
``updated_at`` explicitly."""

from __future__ import annotations

from typing import Any

from django.db import connection

from core.sync import SYNC_STAMP_SQL

ENTRY_TABLE = "conversion_usefirstentry"
ENTRY_STAMP = SYNC_STAMP_SQL  # what the trigger writes anyway

__all__ = ["ENTRY_STAMP", "ENTRY_TABLE", "execute", "rows"]


def execute(sql: str, params: dict[str, Any]) -> int:
    """Run a statement; the number of rows it wrote (or selected into a table)."""
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


def rows(sql: str, params: dict[str, Any]) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall()) if cur.description else []
