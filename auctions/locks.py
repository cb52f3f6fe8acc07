"""The one way to lock an auction and read the clock that decides for it (CONVENTIONS.md, "Locks")."""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from .models import Auction


def auction_lock(auction_id: int) -> Auction:
    """Lock the auction row for the rest of the transaction and return its latest state.

    ``FOR NO KEY UPDATE`` of the auction row only: inserting bids that reference it (a foreign-key
    share lock) and reading it stay possible; every writer of the auction's state queues here."""
    return Auction.objects.select_for_update(of=("self",), no_key=True).get(pk=auction_id)


def db_now() -> datetime:
    """The database clock now: the one clock every process agrees on.

    ``clock_timestamp()``, not ``now()``: ``now()`` is the transaction's start, which is before the
    wait for the lock; a decision must be timed after the lock is held. It is its own statement
    because a volatile function in the locking SELECT is evaluated before the wait."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]
