"""The daily use-first job, with the clock moved by time-machine."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from accounts.models import Membership, Notification, Organization
from conversion.models import Justification, UseFirstEntry
from conversion.services import (
    justification_decide,
    justification_file,
    use_first_run,
)
from listings.models import Achievement, ConversionStatus, Listing, ListingStatusChange
from listings.services import achievement_set_conversion
from tests.core.test_sync_stamped import sync_trigger_calls, transaction_stamp
from tests.factories import OrganizationFactory, member_of

from .helpers import at_noon, make_achievement

pytestmark = pytest.mark.django_db
D = dt.date
GRANT = D(2022, 3, 10)  # deadline 2024-03-10, listed from 2024-03-11, free licence from 2025-03-11


def run_on(day: dt.date):
    with time_machine.travel(at_noon(day), tick=False):
        return use_first_run()


def open_entries(achievement=None):
    qs = UseFirstEntry.objects.filter(closed_on__isnull=True)
    return qs.filter(achievement=achievement) if achievement else qs


@pytest.fixture
def admin(university):
    return member_of(university, Membership.Role.ADMIN)


@pytest.mark.parametrize(
    ("day", "listed"), [(D(2024, 3, 9), False), (D(2024, 3, 10), False), (D(2024, 3, 11), True)]
)
def test_listed_the_day_after_the_two_year_deadline(university, day, listed):
    achievement = make_achievement(university, GRANT)
    summary = run_on(day)
    assert summary.listed == int(listed)
    assert open_entries(achievement).exists() is listed


@pytest.mark.parametrize(("day", "listed"), [(D(2022, 2, 28), False), (D(2022, 3, 1), True)])
def test_leap_day_grant(university, day, listed):
    achievement = make_achievement(university, D(2020, 2, 29))
    run_on(day)
    assert open_entries(achievement).exists() is listed


def test_entry_listing_and_notification(university, admin, holder_member):
    achievement = make_achievement(university, GRANT)
    summary = run_on(D(2024, 3, 11))
    entry = UseFirstEntry.objects.get(achievement=achievement)
    assert entry.holder == university
    assert entry.listed_on == D(2024, 3, 11)
    assert "2022-03-10" in entry.reason and "满2年" in entry.reason
    assert entry.free_license_eligible is False
    listing = entry.listing
    assert listing is not None
    assert (listing.rights, listing.mode, listing.status) == ("use_first", "negotiated", "published")
    assert listing.created_by is None and listing.published_at is not None
    assert listing.asking_price == achievement.valuation and listing.notice_days == 15
    # The rows listing_publish_by_platform writes: created as a draft, then published, by the platform.
    moves = list(ListingStatusChange.objects.filter(listing=listing).order_by("id"))
    assert [(m.from_status, m.to_status, m.actor) for m in moves] == [
        ("", "draft", None),
        ("draft", "published", None),
    ]
    assert all("先用后转" in m.reason for m in moves)
    note = Notification.objects.get(kind="use_first_listed")
    assert note.user == admin  # the holder's admins, not every member
    assert "1 项" in note.title
    assert summary.listings_opened == 1 and summary.holders_notified == 1


def test_one_message_per_holder_however_many_entries(university, admin):
    for _ in range(3):
        make_achievement(university, GRANT)
    run_on(D(2024, 3, 11))
    note = Notification.objects.get(kind="use_first_listed", user=admin)
    assert "3 项" in note.title


@pytest.mark.parametrize(
    ("holder_kind", "kind"),
    [
        (Organization.Kind.ENTERPRISE, Achievement.Kind.APPLIED),
        (Organization.Kind.UNIVERSITY, Achievement.Kind.BASIC),
    ],
)
def test_not_obliged_never_listed(holder_kind, kind):
    make_achievement(OrganizationFactory(kind=holder_kind), D(2019, 1, 1), kind=kind)
    make_achievement(OrganizationFactory(kind=Organization.Kind.UNIVERSITY), None)  # nothing granted
    assert run_on(D(2024, 3, 11)).listed == 0


@pytest.mark.parametrize(
    ("day", "eligible"), [(D(2025, 3, 10), False), (D(2025, 3, 11), True), (D(2025, 3, 12), True)]
)
def test_free_license_eligible_after_three_years(university, admin, day, eligible):
    achievement = make_achievement(university, GRANT)
    run_on(D(2024, 3, 11))
    summary = run_on(day)
    entry = open_entries(achievement).get()
    assert entry.free_license_eligible is eligible
    assert summary.free_license_marked == int(eligible)
    if eligible:
        assert entry.free_license_eligible_on == day
        assert Notification.objects.filter(kind="use_first_free_license", user=admin).count() == 1
        # Marked once: a later run changes nothing.
        assert run_on(day + dt.timedelta(days=1)).free_license_marked == 0


def test_listed_late_already_eligible(university):
    achievement = make_achievement(university, D(2020, 1, 1))
    run_on(D(2024, 3, 11))
    entry = open_entries(achievement).get()
    assert entry.free_license_eligible and entry.free_license_eligible_on == D(2024, 3, 11)


def test_the_job_writes_its_listings_and_entries_stamped(university, admin):
    """Its inserts write the transaction's sync id and stamp themselves (core.sync
    SYNC_STAMPED_SQL): the rows carry what the trigger writes, and the trigger is never called."""
    for i in range(3):
        make_achievement(university, GRANT - dt.timedelta(days=i * 400))
    before = sync_trigger_calls()
    assert run_on(D(2024, 3, 11)).listed == 3
    assert sync_trigger_calls() == before
    written = list(UseFirstEntry.objects.values_list("sync_xid", "updated_at"))
    written += Listing.objects.values_list("sync_xid", "updated_at")
    assert len(written) == 6 and set(written) == {transaction_stamp()}


def test_running_twice_adds_nothing(university, admin):
    for i in range(4):
        make_achievement(university, GRANT - dt.timedelta(days=i * 400))
    first = run_on(D(2024, 3, 11))
    assert first.listed == 4
    counts = (
        UseFirstEntry.objects.count(),
        Listing.objects.count(),
        ListingStatusChange.objects.count(),
        Notification.objects.count(),
    )
    second = run_on(D(2024, 3, 11))
    assert (second.listed, second.listings_opened, second.free_license_marked, second.holders_notified) == (
        0,
        0,
        0,
        0,
    )
    assert counts == (
        UseFirstEntry.objects.count(),
        Listing.objects.count(),
        ListingStatusChange.objects.count(),
        Notification.objects.count(),
    )


def test_conversion_takes_the_entry_off_and_keeps_history(university):
    achievement = make_achievement(university, GRANT)
    run_on(D(2024, 3, 11))
    entry = open_entries(achievement).get()
    with time_machine.travel(at_noon(D(2024, 4, 1)), tick=False):
        achievement_set_conversion(
            achievement=achievement, status=ConversionStatus.CONVERTED, method="transfer", reason="成交"
        )
    entry.refresh_from_db()  # off at once, not the next morning
    assert entry.closed_on == D(2024, 4, 1) and entry.close_cause == "converted" and entry.close_reason
    assert entry.listing.status == Listing.Status.CLOSED
    assert entry.listing.status_changes.last().to_status == "closed"
    assert run_on(D(2024, 4, 2)).listed == 0  # converted stays off
    assert UseFirstEntry.objects.filter(achievement=achievement).count() == 1


def test_the_job_sweeps_conversions_it_was_not_told_about(university):
    achievement = make_achievement(university, GRANT)
    run_on(D(2024, 3, 11))
    Achievement.objects.filter(pk=achievement.pk).update(conversion_status=ConversionStatus.CONVERTED)
    summary = run_on(D(2024, 4, 1))
    assert summary.closed_converted == 1 and summary.listings_closed == 1
    entry = UseFirstEntry.objects.get(achievement=achievement)
    assert entry.closed_on == D(2024, 4, 1) and entry.close_cause == "converted"


def test_an_achievement_already_on_offer_gets_no_second_listing(university):
    from tests.factories import make_listing

    achievement = make_achievement(university, GRANT)
    own = make_listing(achievement=achievement, mode="negotiated", rights="transfer")
    summary = run_on(D(2024, 3, 11))
    entry = open_entries(achievement).get()
    assert summary.listed == 1 and summary.listings_opened == 0 and entry.listing is None
    # When the holder's own listing ends, the next run opens the platform's.
    from listings.services import listing_close

    listing_close(listing=own, reason="到期")
    assert run_on(D(2024, 3, 12)).listings_opened == 1
    assert open_entries(achievement).get().listing.rights == "use_first"


def test_justification_stops_and_resumes_the_clock(university, holder_member, operator):
    achievement = make_achievement(university, GRANT)
    with time_machine.travel(at_noon(D(2024, 1, 15)), tick=False):
        justification = justification_file(
            achievement=achievement,
            actor=holder_member,
            reason="专利正在进行中试验证，预计 2024 年 6 月完成。",
            valid_until=D(2024, 6, 30),
            attachments=[{"name": "中试合同.pdf", "url": "https://files.example.cn/a.pdf"}],
        )
    # Filed, not yet decided: the clock runs.
    run_on(D(2024, 3, 11))
    assert open_entries(achievement).exists()
    with time_machine.travel(at_noon(D(2024, 3, 12)), tick=False):
        justification_decide(
            justification=justification, actor=operator, decision="accept", reason="中试合同属实。"
        )
    # Accepted: taken off at once, with the reason, and its listing closed.
    closed = UseFirstEntry.objects.get(achievement=achievement)
    assert closed.closed_on == D(2024, 3, 12) and closed.close_cause == "justified"
    assert "中试合同属实" in closed.close_reason
    assert closed.listing.status == Listing.Status.CLOSED
    assert run_on(D(2024, 6, 30)).listed == 0  # still covered on its last day
    assert not open_entries(achievement).exists()
    assert run_on(D(2024, 7, 1)).listed == 1  # the day after, the clock runs again
    again = open_entries(achievement).get()
    assert again.pk != closed.pk and again.listing_id != closed.listing_id
    assert UseFirstEntry.objects.filter(achievement=achievement).count() == 2  # history kept


def test_justification_accepted_before_the_deadline_keeps_it_off(university, holder_member, operator):
    achievement = make_achievement(university, GRANT)
    with time_machine.travel(at_noon(D(2024, 1, 15)), tick=False):
        j = justification_file(
            achievement=achievement, actor=holder_member, reason="等待临床批件", valid_until=D(2024, 12, 31)
        )
        justification_decide(justification=j, actor=operator, decision="accept", reason="批件在审。")
    assert run_on(D(2024, 3, 11)).listed == 0
    assert run_on(D(2025, 1, 1)).listed == 1


def test_rejected_justification_does_not_stop_the_clock(university, holder_member, operator):
    achievement = make_achievement(university, GRANT)
    with time_machine.travel(at_noon(D(2024, 1, 15)), tick=False):
        j = justification_file(
            achievement=achievement, actor=holder_member, reason="经费不足", valid_until=D(2024, 12, 31)
        )
        j = justification_decide(
            justification=j, actor=operator, decision="reject", reason="不属于正当理由。"
        )
    assert j.status == Justification.Status.REJECTED and j.decision_reason == "不属于正当理由。"
    assert run_on(D(2024, 3, 11)).listed == 1


def test_job_sweeps_a_justification_accepted_outside_the_service(university, operator, holder_member):
    """Belt and braces: an open entry covered by an accepted justification is closed by the job."""
    achievement = make_achievement(university, GRANT)
    run_on(D(2024, 3, 11))
    Justification.objects.create(
        achievement=achievement,
        reason="r",
        valid_until=D(2024, 12, 31),
        status=Justification.Status.ACCEPTED,
        filed_by=holder_member,
        decided_by=operator,
        decided_at=at_noon(D(2024, 3, 20)),
        decision_reason="ok",
    )
    assert run_on(D(2024, 3, 21)).closed_justified == 1
    assert not open_entries(achievement).exists()


def test_the_job_stays_within_a_fixed_number_of_queries(university, admin, django_assert_max_num_queries):
    for i in range(30):
        make_achievement(university, GRANT - dt.timedelta(days=i * 50))
    # 27: the search indexing of the listings it opens takes 4 (temporary table, texts, COPY, UPDATE),
    # and the check that the database reads its vectors as made takes 4 (the probe staged through
    # the same temporary table: create, empty, COPY, compare; 1 statement before binary vectors)
    with time_machine.travel(at_noon(D(2024, 3, 11)), tick=False), django_assert_max_num_queries(27):
        summary = use_first_run()
    assert summary.listed == 30


def test_listings_the_job_opens_are_indexed_for_search(university, api):
    """#14.13: the job's listings were indexed by a task after commit, and stayed unfindable until a
    worker ran it. They are indexed in the job's own transaction, part of its time (#17.5)."""
    from listings.services import listings_index_missing

    achievement = make_achievement(university, GRANT, title="一种高效光伏逆变器控制方法")
    run_on(D(2024, 3, 11))
    listing = open_entries(achievement).get().listing
    assert listing.search_vector is not None
    assert listings_index_missing() == 0  # nothing left for the backfill task
    for q in ("逆变器", "逆变", "光伏"):
        found = [row["id"] for row in api.get("/api/v1/listings/", {"q": q}).json()["results"]]
        assert found == [listing.pk], q


def test_beat_runs_the_thin_tasks_daily(university, settings):
    from conversion.tasks import registration_overdue_run_task, use_first_run_task

    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["listings.use_first_run"]["task"] == "listings.use_first_run"
    assert schedule["listings.registration_overdue_run"]["task"] == "listings.registration_overdue_run"
    assert (
        schedule["marketplace.use_first_agreements_remind"]["task"]
        == "marketplace.use_first_agreements_remind"
    )
    make_achievement(university, GRANT)
    with time_machine.travel(at_noon(D(2024, 3, 11)), tick=False):
        assert use_first_run_task()["listed"] == 1
        assert use_first_run_task()["listed"] == 0
        assert registration_overdue_run_task() == 0


@pytest.mark.django_db(transaction=True)
def test_the_summary_times_the_whole_run_its_commit_included(university, admin):
    """The commit checks the foreign keys of every row the run wrote (deferred): 12 of a first
    run's 43 s at 1,000,000 achievements. It is logged on its own, once the transaction has
    committed, and the ``done`` line and the summary's ``seconds`` come after it and include it."""
    import logging

    from django.db import connection

    make_achievement(university, GRANT)
    seen: list[tuple[str, bool]] = []

    class Record(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append((record.getMessage(), connection.in_atomic_block))

    handler = Record()
    logger = logging.getLogger("market.use_first")
    logger.addHandler(handler)
    try:
        summary = run_on(D(2024, 3, 11))
    finally:
        logger.removeHandler(handler)
    assert summary.listed == 1
    messages = [message.split(" in ")[0].split(" {")[0] for message, _ in seen]
    assert messages[0] == "use_first_run start" and messages[-2:] == [
        "use_first_run committed",
        "use_first_run done",
    ]
    in_transaction = dict(zip(messages, (inside for _, inside in seen), strict=True))
    assert in_transaction["use_first_run start"] and not in_transaction["use_first_run committed"]
    committed, effects = re.search(r"committed in ([0-9.]+)s, then .* in ([0-9.]+)s", seen[-2][0]).groups()
    assert summary.seconds >= float(committed) + float(effects)


def test_inside_a_callers_transaction_the_run_says_it_has_not_committed(university, admin, caplog):
    make_achievement(university, GRANT)
    with caplog.at_level("INFO", logger="market.use_first"):
        run_on(D(2024, 3, 11))  # pytest-django's transaction around the test: the caller's
    messages = [r.getMessage() for r in caplog.records if r.name == "market.use_first"]
    assert "use_first_run inside the caller's transaction: not committed yet" in messages
    assert not any("committed in" in m for m in messages)
