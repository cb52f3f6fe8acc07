"""The one database clock every decision reads (DESIGN.md: "no clock but the database's").

``clock_timestamp()``, never ``now()``: ``now()`` is the moment the transaction STARTED, so a
service that waited for a row lock (a payment racing a default, a bid racing the close) would
decide with a time from before the wait. ``clock_timestamp()`` is read when the statement runs,
i.e. after the lock is held, and two stamps taken in one transaction stay in order.

It is its own statement on purpose: a volatile function inside a ``SELECT ... FOR UPDATE`` is
evaluated before the wait for the lock. Two places read it otherwise, on purpose:
``core.locks.auction_lock_at`` locks and reads the clock in a single round trip through a
MATERIALIZED CTE (the clock is evaluated on the row the lock returned, hence after the wait), and
the bid engine's ``auction_bid_place`` (auctions/sql/0004_bid_engine.sql) reads
``clock_timestamp()`` in the statement after its ``FOR NO KEY UPDATE``.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models.expressions import RawSQL


def db_now() -> dt.datetime:
    """The database clock at this moment (aware). Call it AFTER taking the locks a decision needs."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


def db_now_sql() -> RawSQL:
    """The database clock inside a query (``statement_timestamp()``: when this statement runs, not
    when its transaction began), for "what is due" filters that must agree with ``db_now``."""
    return RawSQL("statement_timestamp()", [])
