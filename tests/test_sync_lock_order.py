"""One lock order for synced rows (core.syncstamp): the sync lock first, then the row. A user
transaction that locked a listing and then waited for the sync lock, against the use-first job
holding the sync lock and needing that listing, used to end in a deadlock."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from core.syncstamp import SYNC_LOCK_KEY, sync_lock
from listings.models import Listing
from listings.services import listing_lock
from tests.factories import make_listing


def holds_sync_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
            "AND granted AND ((classid::bigint << 32) | objid::bigint) = %s)",
            [SYNC_LOCK_KEY],
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_locking_a_listing_takes_the_sync_lock_first():
    listing = make_listing(mode="negotiated")
    with transaction.atomic():
        assert not holds_sync_lock()
        listing_lock(listing.pk)
        assert holds_sync_lock()


@pytest.mark.django_db(transaction=True)
def test_a_listing_write_and_a_job_holding_the_sync_lock_do_not_deadlock():
    listing = make_listing(mode="negotiated")
    locked = threading.Event()
    errors: list[BaseException] = []

    def user() -> None:  # locks the listing, lingers, then writes it (stamping it)
        try:
            with transaction.atomic():
                row = listing_lock(listing.pk)
                locked.set()
                time.sleep(0.5)  # the job arrives meanwhile
                row.save(update_fields=["updated_at"])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    def job() -> None:  # holds the sync lock, then needs the listing (as the use-first job does)
        try:
            locked.wait(5)
            with transaction.atomic():
                sync_lock()
                Listing.objects.filter(pk=listing.pk).update(notice_days=20)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=user), threading.Thread(target=job)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert Listing.objects.get(pk=listing.pk).notice_days == 20
