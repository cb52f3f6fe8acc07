"""Django's PostgreSQL backend, with two changes: it reads timestamps with psycopg's compiled loader
(below), and its connection pool (the web process's, ``DB_POOL``) checks a connection before it
lends it by its socket: one that PostgreSQL or PgBouncer cut is replaced, and one that is fine costs
no round trip.

psycopg_pool's own check (Django passes it with ``CONN_HEALTH_CHECKS``) sends an empty query on
every borrow, that is on every request: a round trip to the database, and on a busy two-core host
a wait for the backend to be given a CPU, before the request's first real query (py-spy, #17.1).

An idle connection has nothing to read. When the server ends it (a PostgreSQL or PgBouncer restart,
``pg_terminate_backend``, an idle timeout) its last message or the end of the stream waits on the
socket, so a poll with no timeout sees it: then, and only then, the empty query runs -- it fails
for a cut connection, which the pool drops before lending another, and passes for one that only
had a notice waiting (it reads it). A connection in a bad state gets the full check too. What no
check catches without a timeout (a host that vanished without closing) this one misses as the
empty query would, by hanging: that is the socket timeouts' business.

Django gives the pool psycopg_pool's check when ``CONN_HEALTH_CHECKS`` is on and builds the pool
itself (a ``check`` among the pool options is passed twice), so this backend gives the pool its
check once Django has built it.

Timestamps: Django registers its own ``timestamptz`` loader on every connection (to give each value
Django's time zone object), a subclass of psycopg's pure-Python loader, so every ``timestamptz``
read parsed its text in Python -- about 6 us a value, and a loader built per result set that looks
the connection's time zone up in Python again: ~8% of the CPU of a results API page, ~4% of the
schema fuzz's requests (py-spy, #17). psycopg's compiled implementation (``psycopg[binary]``) has a
loader that cannot be subclassed; ``UtcTimestamptzLoader`` wraps it and returns what Django's
returns, the same instant with ``datetime.timezone.utc`` as its ``tzinfo`` (the session's time zone
is UTC: Django sets it on every connection). Only for ``USE_TZ`` with UTC as the connection's time
zone, Django's own case here; anything else keeps Django's loader.
"""

from __future__ import annotations

import datetime
import functools
import select
from typing import Any

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq
from psycopg.abc import AdaptContext
from psycopg.adapt import AdaptersMap, Buffer, Loader
from psycopg.types.datetime import TimestamptzLoader
from psycopg_pool import ConnectionPool

UTC = datetime.UTC
# psycopg's own loader: the compiled one where its C implementation is installed, else ``TimestamptzLoader``.
_COMPILED_LOADER = psycopg.adapters.get_loader(base.TIMESTAMPTZ_OID, pq.Format.TEXT)


class UtcTimestamptzLoader(Loader):
    """A ``timestamptz`` in text format, parsed by psycopg's compiled loader, as Django's loader for
    UTC gives it (``django.db.backends.postgresql.psycopg_any.BaseTzLoader``)."""

    timezone = UTC  # Django's ``create_cursor`` reads it to decide whether to register its own

    def __init__(self, oid: int, context: AdaptContext | None = None):
        super().__init__(oid, context)
        self._parse = _COMPILED_LOADER(oid, context).load

    def load(self, data: Buffer) -> datetime.datetime:
        return self._parse(data).replace(tzinfo=UTC)


@functools.cache
def adapters_reading_timestamps_compiled(template: AdaptersMap) -> AdaptersMap:
    """Django's adapters for UTC with ``UtcTimestamptzLoader`` for ``timestamptz``."""
    adapters = AdaptersMap(template)
    adapters.register_loader("timestamptz", UtcTimestamptzLoader)
    return adapters


def check_connection(conn: psycopg.Connection) -> None:
    """Raise if ``conn`` cannot be lent (the pool then drops it and lends another)."""
    if (
        conn.closed
        or conn.pgconn.status != pq.ConnStatus.OK
        or conn.pgconn.transaction_status != pq.TransactionStatus.IDLE
    ):
        ConnectionPool.check_connection(conn)
        return
    waiting = select.poll()
    waiting.register(conn.pgconn.socket, select.POLLIN | select.POLLPRI)
    if waiting.poll(0):  # the server said something to an idle connection: its goodbye, most likely
        ConnectionPool.check_connection(conn)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        if _COMPILED_LOADER is not TimestamptzLoader and self.timezone is UTC and "context" in params:
            params["context"] = adapters_reading_timestamps_compiled(params["context"])
        return params

    @property
    def pool(self) -> ConnectionPool | None:
        pool = super().pool
        if pool is not None:
            pool._check = check_connection  # psycopg_pool's ``check``; tests/test_deploy_settings.py reads it
        return pool
