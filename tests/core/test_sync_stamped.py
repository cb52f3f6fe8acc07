"""A synced row's trigger (``market_sync_row``) leaves alone a row that already holds the writing
transaction's id and stamp (``market_sync_stamped`` in its WHEN clause, core migration 0003):
set-based inserts write them themselves (``core.sync.SYNC_STAMPED_SQL``) and pay no plpgsql call
per row. Any other write is stamped by the trigger as before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from core.sync import sync_stamp
from listings.models import Listing
from listings.services import listings_publish_bulk
from tests.factories import AchievementFactory, make_listing

pytestmark = pytest.mark.django_db


def _xid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")
        return cursor.fetchone()[0]


def transaction_stamp() -> tuple[int, dt.datetime]:
    """``(sync_xid, updated_at)`` as the trigger writes them in this transaction."""
    return _xid(), sync_stamp()


def sync_trigger_calls() -> int:
    """How many times this transaction has called ``market_sync_row()`` since the first call of this
    (which turns on the counting of PL/pgSQL calls for the transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL track_functions = 'pl'")
        cursor.execute(
            "SELECT coalesce(sum(calls), 0) FROM pg_stat_xact_user_functions WHERE funcname = 'market_sync_row'"
        )
        return int(cursor.fetchone()[0])


@pytest.mark.parametrize(
    ("xid_right", "stamp_right"), [(True, False), (False, True), (False, False)], ids=["stamp", "xid", "both"]
)
def test_a_row_missing_either_half_is_stamped(xid_right, stamp_right):
    listing = make_listing(achievement=AchievementFactory(), status="draft")
    stamp, xid = sync_stamp(), _xid()
    Listing.objects.filter(pk=listing.pk).update(
        sync_xid=xid if xid_right else xid - 1,
        updated_at=stamp if stamp_right else stamp - dt.timedelta(days=1),
    )
    assert Listing.objects.filter(pk=listing.pk).values_list("sync_xid", "updated_at").get() == (xid, stamp)


def test_a_set_based_insert_that_stamps_its_rows_calls_no_trigger():
    achievements = [AchievementFactory() for _ in range(3)]
    before = sync_trigger_calls()
    assert (
        listings_publish_bulk(
            achievement_ids=[a.pk for a in achievements],
            rights="use_first",
            notice_days=15,
            reason="先用后转",
        )
        == 3
    )
    assert sync_trigger_calls() == before
    stamped = set(Listing.objects.filter(achievement__in=achievements).values_list("sync_xid", "updated_at"))
    assert stamped == {transaction_stamp()}
    # A write of the ORM (the row's old id, or none) is the trigger's to stamp: counted.
    make_listing(achievement=AchievementFactory(), status="draft")
    assert sync_trigger_calls() == before + 1
