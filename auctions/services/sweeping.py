"""The sweep: start and close every auction whose moment has come by the database clock.

Run continuously by the sweeper (``auctions/sweeper.py``, the Procfile's ``sweeper`` role), which
is what keeps closes on time, and every 15 s by beat as a backstop. Idempotent and safe to run in
several processes at once: each start and close takes the auction's row lock and re-reads its
state, so a second sweeper finds the work done.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from core.dbclock import db_now

from ..models import Auction
from ..selectors import auctions_due_to_close, auctions_due_to_start
from .closing import auction_close
from .lifecycle import auction_start

log = logging.getLogger("market.auctions.sweep")


@dataclass
class Swept:
    started: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def auctions_sweep() -> Swept:
    """Start the auctions due to start and close those due to close (each in its own transaction).

    One auction that fails is logged and left for the next sweep; it does not hold up the others."""
    swept = Swept()
    now = db_now()
    for auction_id in auctions_due_to_start(now).values_list("id", flat=True):
        try:
            if auction_start(auction_id=auction_id).status == Auction.Status.LIVE:
                swept.started.append(auction_id)
        except Exception:
            log.exception("auction start failed", extra={"auction": auction_id})
            swept.failed.append(auction_id)
    for auction_id in auctions_due_to_close(now).values_list("id", flat=True):
        try:
            auction = auction_close(auction_id=auction_id)
        except Exception:
            log.exception("auction close failed", extra={"auction": auction_id})
            swept.failed.append(auction_id)
            continue
        if auction.is_final:
            swept.closed.append(auction_id)
            log.info(
                "auction closed",
                extra={
                    "auction": auction_id,
                    "status": auction.status,
                    "late_ms": round((auction.closed_at - auction.ends_at).total_seconds() * 1000)
                    if auction.closed_at
                    else None,
                },
            )
    return swept
