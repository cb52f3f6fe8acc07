"""The web pool's check of a connection before it lends it (``core.postgresql``, #17.1): one that
the server cut is replaced, one that is fine is lent without a round trip (psycopg_pool's check sent
an empty query on every borrow, that is on every request), one that only had a message waiting is
lent after the full check."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import connection
from psycopg_pool import ConnectionPool

from core.postgresql.base import check_connection

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool():  # type: ignore[no-untyped-def]
    params = connection.get_connection_params()
    with ConnectionPool(
        kwargs={**params, "autocommit": True}, min_size=1, max_size=1, check=check_connection
    ) as p:
        p.wait()
        yield p


@pytest.fixture
def round_trips(monkeypatch):  # type: ignore[no-untyped-def]
    """The full checks psycopg_pool's empty query made."""
    made = []
    real = ConnectionPool.check_connection

    def counted(conn: psycopg.Connection) -> None:
        made.append(conn.info.backend_pid)
        real(conn)

    monkeypatch.setattr(ConnectionPool, "check_connection", staticmethod(counted))
    return made


def _backend(pool: ConnectionPool) -> int:
    with pool.connection() as conn:
        return conn.execute("SELECT pg_backend_pid()").fetchone()[0]


def _settled() -> None:
    time.sleep(0.3)  # the server's goodbye (or notice) reaches the idle connection's socket


def test_a_sound_connection_is_lent_without_a_round_trip(pool, round_trips):
    first = _backend(pool)
    assert [_backend(pool) for _ in range(3)] == [first] * 3
    assert round_trips == []


def test_a_connection_the_server_ended_is_replaced_before_it_is_lent(pool, round_trips):
    gone = _backend(pool)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [gone])
    _settled()
    fresh = _backend(pool)  # no error: the cut connection was dropped and another opened
    assert fresh != gone
    assert round_trips == [gone]


def test_a_connection_with_a_message_waiting_is_checked_in_full_and_lent(pool, round_trips):
    with pool.connection() as conn:
        conn.execute("LISTEN pool_check")
        listening = conn.info.backend_pid
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as other:  # the test's transaction would hold it
        other.execute("NOTIFY pool_check")
    _settled()
    assert _backend(pool) == listening
    assert round_trips == [listening]


def test_the_backend_gives_its_pool_this_check():
    """Django gives the pool psycopg_pool's check (``CONN_HEALTH_CHECKS``): ``core.postgresql``
    gives it this one (``DB_POOL`` selects the backend: tests/test_deploy_settings.py)."""
    from core.postgresql.base import DatabaseWrapper

    settings = {**connection.settings_dict, "ENGINE": "core.postgresql", "CONN_MAX_AGE": 0}
    settings["OPTIONS"] = {**settings.get("OPTIONS", {}), "pool": {"min_size": 1, "max_size": 2}}
    wrapper = DatabaseWrapper(settings, alias="pool_probe")
    try:
        assert wrapper.pool._check is check_connection
    finally:
        wrapper.close_pool()
