"""Timestamps read through Django's connection are parsed by psycopg's compiled loader
(``core.postgresql``) and are exactly what Django's own loader gives: the same instant, with
``datetime.timezone.utc`` as its ``tzinfo``, and the same refusal of what Python cannot hold."""

from __future__ import annotations

import datetime

import psycopg
import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import get_adapters_template
from psycopg import pq

from accounts.models import User
from core.postgresql.base import UtcTimestamptzLoader

pytestmark = pytest.mark.django_db

OID = psycopg.adapters.types["timestamptz"].oid
VALUES = [
    "2026-12-07 23:24:35.576977+00",
    "2026-12-08 07:24:35+08",  # an offset: the session's time zone is UTC, the value arrives in UTC
    "2024-02-29 23:59:59.999999+00",
    "1999-12-31 16:00:00.000001-08",
    "2021-03-28 01:30:00+01",  # a daylight-saving change in Europe
    "0001-01-01 00:00:00+00",
    "1970-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]


def _read(
    sql: str, adapters: psycopg.adapt.AdaptersMap | None, params: list[object] | None = None
) -> list[datetime.datetime]:
    """The values of ``sql`` through Django's connection, or through a cursor with ``adapters``."""
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        if adapters is not None:
            cursor.adapters.register_loader("timestamptz", adapters.get_loader(OID, pq.Format.TEXT))
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def test_django_connections_read_timestamps_with_the_compiled_loader():
    connection.ensure_connection()
    assert connection.connection.adapters.get_loader(OID, pq.Format.TEXT) is UtcTimestamptzLoader
    with connection.cursor() as cursor:  # Django registers its own on a cursor whose zone differs
        assert cursor.cursor.adapters.get_loader(OID, pq.Format.TEXT) is UtcTimestamptzLoader
    assert psycopg.adapters.get_loader(OID, pq.Format.TEXT).__module__.startswith("psycopg_binary")


def test_every_value_is_what_djangos_loader_reads():
    djangos = get_adapters_template(True, datetime.UTC)
    sql = "SELECT v::timestamptz FROM unnest(%s::text[]) AS v"
    ours = _read(sql, None, [VALUES])
    theirs = _read(sql, djangos, [VALUES])
    assert ours == theirs
    assert [value.isoformat() for value in ours] == [value.isoformat() for value in theirs]
    assert all(value.tzinfo is datetime.UTC for value in ours)
    assert ours[1] == datetime.datetime(2026, 12, 7, 23, 24, 35, tzinfo=datetime.UTC)


def test_the_orm_reads_back_the_instant_it_wrote():
    when = datetime.datetime(
        2026, 12, 8, 7, 24, 35, 123456, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
    )
    user = User.objects.create(username="timestamps", date_joined=when)
    read = User.objects.values_list("date_joined", flat=True).get(pk=user.pk)
    assert read == when and read.tzinfo is datetime.UTC


def test_a_timestamp_python_cannot_hold_is_refused_as_django_refuses_it():
    for adapters in (None, get_adapters_template(True, datetime.UTC)):
        with pytest.raises(psycopg.DataError):
            _read("SELECT 'infinity'::timestamptz", adapters)
