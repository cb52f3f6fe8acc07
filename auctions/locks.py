"""The one way to lock an auction and read the clock that decides for it (CONVENTIONS.md, "Locks")."""

from __future__ import annotations

from datetime import datetime

from .models import Auction


def auction_lock(auction_id: int) -> Auction:
    """Lock the auction row for the rest of the transaction and return its latest state.

    ``FOR NO KEY UPDATE`` of the auction row only: inserting bids that reference it (a foreign-key
    share lock) and reading it stay possible; every writer of the auction's state queues here."""
    return Auction.objects.select_for_update(of=("self",), no_key=True).get(pk=auction_id)


def auction_lock_at(auction_id: int) -> tuple[Auction, datetime]:
    """``auction_lock`` and ``core.dbclock.db_now`` in one round trip (closing, proxy ceilings).

    The same ``FOR NO KEY UPDATE`` lock of the auction row only (what
    ``select_for_update(of=("self",), no_key=True)`` takes), in a MATERIALIZED CTE so that the
    outer ``clock_timestamp()`` is evaluated on the row the lock returned, i.e. after any wait for
    the lock. (In a plain ``SELECT ... FOR UPDATE`` the clock would be read before the wait.)"""
    table = Auction._meta.db_table
    rows = list(
        Auction.objects.raw(
            f"WITH locked AS MATERIALIZED (SELECT * FROM {table} WHERE id = %s FOR NO KEY UPDATE) "  # noqa: S608
            "SELECT locked.*, clock_timestamp() AS locked_at FROM locked",
            [auction_id],
        )
    )
    if not rows:
        raise Auction.DoesNotExist
    return rows[0], getattr(rows[0], "locked_at")  # noqa: B009 - a column of the raw query
