"""The sweeper: the process that starts and closes auctions on time (DESIGN.md, "Closing").

A close is driven by the database clock, not by a task waiting in Redis: the sweeper asks the
database for the next moment an auction starts or ends (``auctions_next_moment``), sleeps until
then but never longer than ``MAX_WAIT`` seconds, and sweeps (``auctions_sweep``). So a close
happens within ``MAX_WAIT`` of ``ends_at`` (a bid that moves ``ends_at`` only makes the wait
longer), and neither a worker that dies nor a Redis that restarts empty can lose it: the sweeper
does not use Redis at all. Several sweepers may run (one per host): the sweep is idempotent under
the auction's row lock. An error (the database away) is logged, the connection dropped, and the sweep tried
again after ``RETRY_WAIT``.
"""

from __future__ import annotations

import logging
import threading

from django.db import connection

from core.dbclock import db_now

from .selectors import auctions_next_moment
from .services import auctions_sweep

log = logging.getLogger("market.auctions.sweeper")

MAX_WAIT = 0.5  # seconds: the most a close can be late, plus the close itself
MIN_WAIT = 0.02
RETRY_WAIT = 1.0


def seconds_to_next_moment() -> float:
    moment = auctions_next_moment()
    if moment is None:
        return MAX_WAIT
    return min(MAX_WAIT, max(MIN_WAIT, (moment - db_now()).total_seconds()))


def sweep_forever(stop: threading.Event) -> None:
    """Sweep until ``stop`` is set."""
    log.info("sweeper started", extra={"max_wait": MAX_WAIT})
    while not stop.is_set():
        try:
            swept = auctions_sweep()
            wait = MAX_WAIT if swept.failed else seconds_to_next_moment()
        except Exception:  # the database away, a bug in one pass: logged, and the next pass runs
            log.exception("sweep failed; retrying")
            connection.close()
            wait = RETRY_WAIT
        stop.wait(wait)
    log.info("sweeper stopped")
