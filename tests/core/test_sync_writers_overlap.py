"""No market-wide write lock (issue #11 item 7, core/sync.py). Writers of synced rows used to queue
behind one advisory lock (and take it before any listing's row lock, to avoid a deadlock with the
daily use-first job). Now the table's trigger stamps the writing transaction's id without a lock:
two transactions writing different listings run at the same time, and the daily job no longer
holds up a holder editing another listing. Real threads and connections against PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from conversion.models import UseFirstEntry
from conversion.services import use_first_run
from listings.models import Listing
from listings.services import listing_lock, listing_update
from tests.conversion.helpers import make_achievement
from tests.factories import AchievementFactory, OrganizationFactory, make_listing, member_of

WAIT = 10  # seconds: far longer than either write needs; a writer that waited would run into it


def _run(*targets: Callable[[], None]) -> list[BaseException]:
    """Run each target on its own thread and connection; the exceptions they raised."""
    errors: list[BaseException] = []

    def wrap(target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                errors.append(exc)
            finally:
                connection.close()

        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(3 * WAIT)
    assert not any(t.is_alive() for t in threads), "a writer is still waiting"
    return errors


def _draft(holder=None) -> tuple[Listing, object]:
    achievement = AchievementFactory(**({"holder": holder} if holder else {}))
    return make_listing(achievement=achievement, status="draft"), member_of(achievement.holder)


def _holds_an_advisory_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
            " AND pid = pg_backend_pid() AND granted)"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_two_transactions_writing_different_listings_overlap_in_time():
    """Each writes its listing and, before committing, waits until the other has written too. With
    a shared lock the second write would wait for the first commit, which waits for the second
    write: neither would get past its wait."""
    (first, first_editor), (second, second_editor) = _draft(), _draft()
    wrote = {"first": threading.Event(), "second": threading.Event()}
    xids: dict[str, int] = {}

    def writer(name: str, listing: Listing, editor: object, other: str) -> Callable[[], None]:
        def run() -> None:
            with transaction.atomic():
                listing_update(listing=listing, actor=editor, notice_days=21)
                assert not _holds_an_advisory_lock()
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_current_xact_id()::text::bigint")
                    xids[name] = cursor.fetchone()[0]
                wrote[name].set()
                assert wrote[other].wait(WAIT), f"{name} committed only after {other} had written"

        return run

    errors = _run(
        writer("first", first, first_editor, "second"), writer("second", second, second_editor, "first")
    )
    assert errors == []
    rows = dict(Listing.objects.filter(pk__in=[first.pk, second.pk]).values_list("pk", "sync_xid"))
    assert rows == {first.pk: xids["first"], second.pk: xids["second"]}  # stamped by the trigger
    assert set(
        Listing.objects.filter(pk__in=[first.pk, second.pk]).values_list("notice_days", flat=True)
    ) == {21}


@pytest.mark.django_db(transaction=True)
def test_the_daily_use_first_job_does_not_block_a_holder_editing_another_listing():
    """The job runs and keeps its transaction open (it holds only its own job lock); meanwhile a
    holder edits and commits another listing. The edit is not held up; the job's rows, then the
    edit's, reach syncing clients once each has committed (the watermark), nothing is lost."""
    holder = OrganizationFactory(kind="university")
    for _ in range(5):
        make_achievement(holder, dt.date(2020, 1, 1))
    draft, editor = _draft()
    ran, edited = threading.Event(), threading.Event()

    def job() -> None:
        with transaction.atomic():
            summary = use_first_run(today=dt.date(2026, 11, 21))
            assert summary.listed == 5
            assert _holds_an_advisory_lock()  # the job's own lock (two runs never overlap)
            ran.set()
            assert edited.wait(WAIT), "the holder's edit waited for the job"

    def holder_edit() -> None:
        assert ran.wait(WAIT)
        with transaction.atomic():
            locked = listing_lock(draft.pk)
            listing_update(listing=locked, actor=editor, notice_days=30)
        edited.set()

    assert _run(job, holder_edit) == []
    assert Listing.objects.get(pk=draft.pk).notice_days == 30
    assert UseFirstEntry.objects.count() == 5
    job_xid = UseFirstEntry.objects.values_list("sync_xid", flat=True).first()
    assert Listing.objects.get(pk=draft.pk).sync_xid > job_xid  # started later, committed first


@pytest.mark.django_db(transaction=True)
def test_a_second_job_run_still_waits_for_the_first():
    """The job-level lock stays: it is the job's, not the market's."""
    holder = OrganizationFactory(kind="university")
    make_achievement(holder, dt.date(2020, 1, 1))
    first_in, second_done = threading.Event(), threading.Event()
    order: list[str] = []

    def first() -> None:
        with transaction.atomic():
            use_first_run(today=dt.date(2026, 11, 21))
            first_in.set()
            assert not second_done.wait(1)  # the second run is waiting for this one
            order.append("first")

    def second() -> None:
        assert first_in.wait(WAIT)
        summary = use_first_run(today=dt.date(2026, 11, 21))
        order.append("second")
        second_done.set()
        assert summary.listed == 0  # the first run's entry was there when it got in

    assert _run(first, second) == []
    assert order == ["first", "second"] and UseFirstEntry.objects.count() == 1
