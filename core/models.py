"""The kernel's one table: the register of transactions that wrote synced rows (``core.sync``)."""

from __future__ import annotations

from django.db import models


class SyncTransaction(models.Model):
    """One row per transaction that wrote a synced row, inserted by ``market_sync_stamp()`` (the
    database function behind the synced tables' triggers) at its first such write: which
    transaction (``xid``, ``pg_current_xact_id()`` as a bigint) and the ``updated_at`` that every
    row it wrote carries (``stamped_at``). ``updated_since`` finds a client's position through it
    (``core.sync.sync_since``). Only ever inserted, by its own transaction: no writer waits here.

    ``horizon``: no transaction that stamps in a later millisecond than this row has an id below
    it (the writing transaction's ``pg_snapshot_xmin`` read before its clock; for rows older than
    core migration 0002, the smallest id the register showed stamped later). None only for a row
    stamped while that migration ran."""

    xid = models.BigIntegerField(primary_key=True)
    stamped_at = models.DateTimeField()
    horizon = models.BigIntegerField(null=True)

    class Meta:
        db_table = "core_sync_transaction"
        indexes = [models.Index(fields=["stamped_at", "xid"], name="sync_transaction_stamped")]

    def __str__(self) -> str:
        return f"{self.xid} @ {self.stamped_at.isoformat()}"
