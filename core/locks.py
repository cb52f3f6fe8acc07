"""Lock helpers: every row lock and advisory lock a service takes goes through one of these, so
the lock order can be read in one place (CONVENTIONS.md, "Concurrency").

The order, for any transaction that takes more than one:

1. a job's own advisory lock (``advisory_xact_lock(name)``), serializing runs of one job;
2. the sync lock (``core.syncstamp.sync_lock``), before locking or stamping any synced row;
3. rows, aggregate root first, several of one table in ``pk`` order (``lock_rows``).

Every lock here is transaction-scoped: it is released at commit or rollback, never by hand.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import connection
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def advisory_xact_lock(name: str) -> None:
    """Serialize the holders of ``name`` (a job's name, say) across processes until the
    transaction ends. Re-entrant within one transaction."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])


def lock_row(queryset: QuerySet[M], pk: int) -> M:
    """The row ``pk`` of ``queryset`` (with whatever it ``select_related``), locked ``FOR UPDATE``
    of its own table only, until the transaction ends."""
    return queryset.select_for_update(of=("self",)).get(pk=pk)


def lock_rows(queryset: QuerySet[M]) -> list[M]:
    """Every row of ``queryset``, locked in ``pk`` order (one order everywhere: no deadlock)."""
    return list(queryset.select_for_update(of=("self",)).order_by("pk"))


def lock_rows_skip_locked(queryset: QuerySet[M]) -> QuerySet[M]:
    """The rows of ``queryset`` no other transaction holds, locked: for sweepers, where a row a
    concurrent run is working on is that run's business."""
    return queryset.select_for_update(of=("self",), skip_locked=True)
