"""Two runs of the daily job at once, in real threads against PostgreSQL, leave one run's state."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from accounts.models import Membership, Notification
from conversion.models import UseFirstEntry
from conversion.services import job as job_module
from conversion.services import use_first_run
from listings.models import Listing, ListingStatusChange
from tests.factories import OrganizationFactory, member_of

from .helpers import at_noon, make_achievement

D = dt.date
TODAY = D(2024, 3, 11)


def _state():
    return (
        UseFirstEntry.objects.count(),
        UseFirstEntry.objects.filter(closed_on__isnull=True).values("achievement").distinct().count(),
        UseFirstEntry.objects.filter(listing__isnull=False).values("listing").distinct().count(),
        Listing.objects.count(),
        ListingStatusChange.objects.count(),
        Notification.objects.count(),
        UseFirstEntry.objects.filter(free_license_eligible=True).count(),
    )


def _two_runs_at_once():
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            with time_machine.travel(at_noon(TODAY), tick=False):
                results.append(use_first_run())
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


def _seed(n: int = 120):
    holders = [OrganizationFactory(kind="university") for _ in range(3)]
    for h in holders:
        member_of(h, Membership.Role.ADMIN)
    for i in range(n):
        make_achievement(holders[i % 3], D(2021, 1, 1) + dt.timedelta(days=i * 3))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("with_lock", [True, False], ids=["advisory-lock", "constraints-only"])
def test_two_runs_at_once_list_each_achievement_once(with_lock, monkeypatch):
    if not with_lock:
        # Prove the unique indexes and the re-checked WHEREs hold on their own: without the job's
        # lock (the only lock the job takes; stamping takes none) both runs race.
        monkeypatch.setattr(job_module, "job_locks", lambda: None)
    _seed()
    results = _two_runs_at_once()
    entries, open_achievements, linked_listings, listings, changes, notes, eligible = _state()
    assert entries == open_achievements == linked_listings == listings == changes / 2 == 120
    assert sum(r.listed for r in results) == 120  # one run listed, the other found nothing new
    assert sum(r.listings_opened for r in results) == 120
    assert notes == 3 * 2  # each holder: one "listed", one "free licence" message, once
    assert sum(r.free_license_marked for r in results) == 0  # listed already eligible, not re-marked
    assert eligible == UseFirstEntry.objects.filter(achievement__first_granted_on__lte=D(2021, 3, 10)).count()
    # And a third, later run adds nothing.
    before = _state()
    with time_machine.travel(at_noon(TODAY), tick=False):
        use_first_run()
    assert _state() == before
