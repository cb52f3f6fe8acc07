"""Django's PostgreSQL backend whose connection pool (the web process's, ``DB_POOL``) checks a
connection before it lends it by its socket: one that PostgreSQL or PgBouncer cut is replaced, and
one that is fine costs no round trip.

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
"""

from __future__ import annotations

import select

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq
from psycopg_pool import ConnectionPool


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
    @property
    def pool(self) -> ConnectionPool | None:
        pool = super().pool
        if pool is not None:
            pool._check = check_connection  # psycopg_pool's ``check``; tests/test_deploy_settings.py reads it
        return pool
