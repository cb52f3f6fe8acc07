"""Incremental sync of every public list (API.md Conventions) by transaction-id watermark
(core/sync.py): a client resuming with ``updated_since`` never misses or repeats a change, even
while writers commit late, and no writer waits for another; the catalogue's sync tells a client
what LEFT the catalogue.

Sync is per transaction (a transaction's rows become visible together, after every older one has
ended), so the tests that resume between writes commit each write on its own (``transaction=True``),
as production does; inside one test transaction every write would be one transaction."""

from __future__ import annotations

import queue
import random
import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from conversion.services import use_first_volunteer
from listings.services import listing_review
from tests.conftest import client_for
from tests.factories import AchievementFactory, OrganizationFactory, UserFactory, make_listing, member_of


def _sync_while_writing(
    *,
    url: str,
    jobs: list[Callable[[], None]],
    expect: int,
    start: str | None = None,
    writers: int = 4,
    page_size: int = 3,
) -> list[tuple[int, str]]:
    """Run ``jobs`` on ``writers`` threads, each job in a transaction held open a random while after
    its write (a late commit), while a client syncs ``url`` with ``updated_since`` the whole time
    (from ``start``, then from the last ``updated_at`` it received). Once the writers are done it
    syncs on until it has ``expect`` items or 20 s passed: rows appear only when every older
    transaction of the whole server has ended (other databases' included), so the last ones may
    come a little later. Returns every (id, status-or-updated_at) the client saw, in order."""
    done = threading.Event()
    seen: list[tuple[int, str]] = []

    def writer(chunk: list[Callable[[], None]], seed: int) -> None:
        rng = random.Random(seed)
        try:
            for job in chunk:
                with transaction.atomic():
                    job()
                    time.sleep(rng.uniform(0, 0.08))  # stamped, not yet committed
        finally:
            connection.close()

    def reader() -> None:
        client = APIClient()
        since = start
        deadline = None
        try:
            while True:
                if done.is_set() and deadline is None:
                    deadline = time.monotonic() + 20
                finished = deadline is not None and (len(seen) >= expect or time.monotonic() > deadline)
                params = {"page_size": page_size, **({"updated_since": since} if since else {})}
                body = client.get(url, params).json()
                while True:
                    for item in body["results"]:
                        seen.append((item["id"], item.get("status") or item["updated_at"]))
                        since = item["updated_at"]
                    if not body["next"]:
                        break
                    body = client.get(body["next"]).json()
                if finished:
                    return
                time.sleep(0.01)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(jobs[i::writers], i)) for i in range(writers)]
    sync = threading.Thread(target=reader)
    sync.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    sync.join()
    return seen


@pytest.mark.django_db(transaction=True)
def test_a_catalogue_sync_never_misses_or_repeats_a_listing_while_publications_commit_late():
    pending = [make_listing(status="pending_review") for _ in range(20)]
    operator = UserFactory(is_staff=True, is_superuser=True)
    jobs = [
        (
            lambda listing=listing: listing_review(
                listing=listing, actor=operator, decision="approve", reason=""
            )
        )
        for listing in pending
    ]
    # A catalogue sync starts with updated_since (the browsing orders are not a sync position).
    seen = _sync_while_writing(
        url="/api/v1/listings/", jobs=jobs, expect=len(pending), start="2000-01-01T00:00:00Z"
    )
    assert sorted(i for i, _ in seen) == sorted(p.pk for p in pending)  # every one, exactly once
    assert {s for _, s in seen} == {"published"}


@pytest.mark.django_db(transaction=True)
def test_a_use_first_sync_never_misses_or_repeats_an_entry_while_entries_commit_late():
    holder = OrganizationFactory(kind="university")
    member = member_of(holder)
    achievements = [AchievementFactory(holder=holder, kind="basic") for _ in range(20)]
    jobs = [
        (lambda a=a: use_first_volunteer(achievement=a, actor=member, reason="鼓励基础研究成果先用后转"))
        for a in achievements
    ]
    seen = _sync_while_writing(url="/api/v1/use-first/", jobs=jobs, expect=len(achievements))
    assert len(seen) == len(achievements)  # every entry, exactly once (created and linked in one commit)
    assert len({i for i, _ in seen}) == len(achievements)


@pytest.mark.django_db(transaction=True)
def test_the_catalogue_sync_returns_listings_that_left_it_and_browsing_does_not(operator):
    kept, taken_down, withdrawn = (make_listing() for _ in range(3))
    never_published = make_listing(status="pending_review")
    since = APIClient().get("/api/v1/listings/", {"updated_since": "2000-01-01T00:00:00Z", "page_size": 100})
    last = since.json()["results"][-1]["updated_at"]
    client_for(operator).post(
        f"/api/v1/listings/{taken_down.pk}/take-down/", {"reason": "侵权投诉"}, format="json"
    )
    holder_member = member_of(withdrawn.achievement.holder)
    assert client_for(holder_member).post(f"/api/v1/listings/{withdrawn.pk}/withdraw/", {}).status_code == 200
    client_for(holder_member).post(f"/api/v1/listings/{never_published.pk}/withdraw/", {})
    body = APIClient().get("/api/v1/listings/", {"updated_since": last}).json()
    assert [(r["id"], r["status"]) for r in body["results"]] == [
        (taken_down.pk, "taken_down"),
        (withdrawn.pk, "withdrawn"),
    ]  # the never-published listing was never in the catalogue: not announced
    browsing = APIClient().get("/api/v1/listings/").json()["results"]
    assert [r["id"] for r in browsing] == [kept.pk]


@pytest.mark.django_db(transaction=True)
def test_the_use_first_job_stamps_every_row_after_everything_committed_before():
    """The job's set-based statements write many rows in one transaction: its trigger stamps every
    one with that transaction (id and ``updated_at``), after every row committed before, so a client
    that had synced up to ``before`` sees them all once, and nothing twice."""
    import datetime as dt

    from conversion.models import UseFirstEntry
    from conversion.services import use_first_run
    from listings.models import Listing
    from tests.conversion.helpers import make_achievement

    holder = OrganizationFactory(kind="university")
    before = make_listing()  # committed before the job
    for _ in range(6):
        make_achievement(holder, dt.date(2020, 1, 1))
    synced = APIClient().get("/api/v1/listings/", {"updated_since": "2000-01-01T00:00:00Z"}).json()
    assert [r["id"] for r in synced["results"]] == [before.pk]
    use_first_run(today=dt.date(2026, 11, 21))
    entries = set(UseFirstEntry.objects.values_list("sync_xid", "updated_at"))
    listings = set(Listing.objects.exclude(pk=before.pk).values_list("sync_xid", "updated_at"))
    assert len(entries) == 1 and entries == listings  # one transaction, one stamp
    ((job_xid, job_stamp),) = entries
    before_xid, before_stamp = Listing.objects.values_list("sync_xid", "updated_at").get(pk=before.pk)
    assert job_xid > before_xid and job_stamp > before_stamp
    body = APIClient().get("/api/v1/use-first/", {"updated_since": "2000-01-01T00:00:00Z"}).json()
    assert len(body["results"]) == 6
    after = (
        APIClient()
        .get("/api/v1/listings/", {"updated_since": synced["results"][-1]["updated_at"], "page_size": 4})
        .json()
    )
    seen = [r["id"] for r in after["results"]]
    seen += [r["id"] for r in APIClient().get(after["next"]).json()["results"]]
    assert sorted(seen) == sorted(Listing.objects.exclude(pk=before.pk).values_list("id", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_later_commit_waits_behind_an_older_open_transaction_and_neither_is_missed_or_repeated():
    """Deterministic late commit: A writes first and stays open; B writes after it and commits.
    A syncing client sees neither while A is open (B's row sorts after A's and is held back by
    the watermark, not by a lock: B committed at once); once A commits, one resume returns A's
    and B's listings exactly once, in transaction order."""
    first, second = (make_listing(status="pending_review") for _ in range(2))
    operator = UserFactory(is_staff=True, is_superuser=True)
    client = APIClient()
    start = client.get("/api/v1/listings/", {"updated_since": "2000-01-01T00:00:00Z"}).json()
    assert start == {"results": [], "next": None}
    a_wrote, a_may_commit = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def a() -> None:
        try:
            with transaction.atomic():
                listing_review(listing=first, actor=operator, decision="approve", reason="")
                a_wrote.set()
                assert a_may_commit.wait(10)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=a)
    thread.start()
    assert a_wrote.wait(10)
    listing_review(listing=second, actor=operator, decision="approve", reason="")  # commits now
    held = client.get("/api/v1/listings/", {"updated_since": "2000-01-01T00:00:00Z"}).json()
    assert held["results"] == []  # B is committed but A, older, is still open
    assert client.get(f"/api/v1/listings/{second.pk}/").json()["status"] == "published"  # not a sync read
    a_may_commit.set()
    thread.join(10)
    assert errors == []
    deadline = time.monotonic() + 20
    while True:  # other databases' transactions on the server do not count; ours are all done
        body = client.get(
            "/api/v1/listings/", {"updated_since": "2000-01-01T00:00:00Z", "page_size": 1}
        ).json()
        if body["results"] or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    seen = [r["id"] for r in body["results"]]
    while body["next"]:
        body = client.get(body["next"]).json()
        seen += [r["id"] for r in body["results"]]
    assert seen == [first.pk, second.pk]
    last = client.get("/api/v1/listings/", {"updated_since": "2000-01-01T00:00:00Z"}).json()["results"][-1]
    assert client.get("/api/v1/listings/", {"updated_since": last["updated_at"]}).json()["results"] == []


class _Held:
    """A transaction on a thread and connection of its own, run step by step and committed when
    told (``run`` returns what a step returned, or raises what it raised)."""

    def __init__(self) -> None:
        self.steps: queue.Queue = queue.Queue()
        self.results: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._work)
        self.thread.start()

    def _work(self) -> None:
        try:
            with transaction.atomic():
                while (step := self.steps.get()) is not None:
                    try:
                        self.results.put((step(), None))
                    except BaseException as exc:  # noqa: BLE001 - handed to the caller
                        self.results.put((None, exc))
                        raise
            self.results.put((None, None))
        except BaseException:  # noqa: BLE001 - already handed over
            pass
        finally:
            connection.close()

    def run(self, step: Callable[[], object]) -> object:
        self.steps.put(step)
        result, error = self.results.get(timeout=10)
        if error is not None:
            raise error
        return result

    def commit(self) -> None:
        self.steps.put(None)
        _, error = self.results.get(timeout=10)
        self.thread.join(10)
        assert error is None


def _db_clock() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0].isoformat()


@pytest.mark.django_db(transaction=True)
def test_a_sync_from_any_moment_gets_every_transaction_stamped_after_it_though_it_began_before():
    """``updated_since`` at a moment that is no item's stamp: the position is sought from the
    horizon of the register row stamped last before it (core.sync). C took its id BEFORE B, which
    commits before the moment, and writes its listing after the moment, committing late: the
    transaction stamped first after the moment has an id below B's, so a bound taken from B's id
    would skip it for ever. The pass returns every transaction from C's id on once (B's too: the
    documented superset), nothing while C is open, and resuming from its last stamp nothing again."""
    from listings.models import Listing

    listings = [make_listing(status="pending_review") for _ in range(4)]
    operator = UserFactory(is_staff=True, is_superuser=True)

    def approve(n: int) -> Callable[[], None]:
        return lambda: listing_review(listing=listings[n], actor=operator, decision="approve", reason="")

    def sync(since: str) -> list[int]:
        body = APIClient().get("/api/v1/listings/", {"updated_since": since, "page_size": 1}).json()
        seen = [r["id"] for r in body["results"]]
        while body["next"]:
            body = APIClient().get(body["next"]).json()
            seen += [r["id"] for r in body["results"]]
        return seen

    late = _Held()
    try:
        c = late.run(_xid)  # C takes its id first
        approve(1)()  # B: takes its id after C's, stamps and commits before the moment
        time.sleep(0.003)
        moment = _db_clock()  # a later millisecond than B's stamp, an earlier than C's and D's
        time.sleep(0.003)
        late.run(approve(0))  # C stamps now
        approve(2)()  # D commits at once
        assert sync(moment) == []  # C, older than B and D, is still open
    finally:
        late.commit()
    stamps = dict(Listing.objects.values_list("pk", "sync_xid"))
    assert stamps[listings[0].pk] == c < stamps[listings[1].pk] < stamps[listings[2].pk]
    deadline = time.monotonic() + 20
    while not (seen := sync(moment)) and time.monotonic() < deadline:
        time.sleep(0.05)  # other databases' transactions on the server do not count; ours are all done
    assert seen == [listings[0].pk, listings[1].pk, listings[2].pk]  # C, B, D: once each, in id order
    last = APIClient().get("/api/v1/listings/", {"updated_since": moment}).json()["results"][-1]
    assert sync(last["updated_at"]) == []
    approve(3)()
    assert sync(last["updated_at"]) == [listings[3].pk]


def _xid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_malformed_sync_cursors_are_400_invalid_cursor():
    lists = [
        ("/api/v1/results/", {}),
        ("/api/v1/use-first/", {}),
        ("/api/v1/listings/", {"updated_since": "2000-01-01T00:00:00Z"}),
    ]
    for url, params in lists:
        for cursor in ("not-a-cursor", "eyJvIjoibmV3ZXN0IiwidiI6WzEsMl19"):  # garbage; another order's
            r = APIClient().get(url, {**params, "cursor": cursor})
            assert r.status_code == 400 and r.json()["code"] == "invalid_cursor", (url, cursor)


@pytest.mark.django_db
def test_a_client_that_synced_before_the_watermark_resumes_from_an_old_stamp():
    """Rows written before the trigger existed keep their old commit-ordered ``updated_at`` and get
    negative ``sync_xid`` in that order (listings migration 0007): a client resuming from an old
    stamp gets the old rows after it, and every newer row, once."""
    import datetime as dt

    from listings.models import Listing

    old = [make_listing() for _ in range(3)]
    stamps = [dt.datetime(2026, 1, 1, 8, 0, i, tzinfo=dt.UTC) for i in range(3)]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # as the migration: no trigger
        for n, (listing, stamp) in enumerate(zip(old, stamps, strict=True)):
            cursor.execute(
                "UPDATE listings_listing SET sync_xid = %s, updated_at = %s WHERE id = %s",
                [n - 3, stamp, listing.pk],
            )
        cursor.execute("SET LOCAL session_replication_role = origin")
    new = make_listing()
    body = APIClient().get("/api/v1/listings/", {"updated_since": stamps[0].isoformat()}).json()
    assert [r["id"] for r in body["results"]] == [old[1].pk, old[2].pk, new.pk]
    assert Listing.objects.get(pk=new.pk).sync_xid > 0
