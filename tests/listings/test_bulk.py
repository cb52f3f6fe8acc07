"""The bulk publish of the platform's listings writes what the single-listing service writes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from listings.models import Listing
from listings.services import bulk, listing_publish_by_platform, listings_index_missing, listings_publish_bulk
from tests.factories import AchievementFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

REASON = "成果列入先用后转实施清单，平台依规则公开挂牌"
TITLE = "一种高效光伏逆变器控制方法 MPPT-3 (v2)"
SUMMARY = "本成果提出一种低温溶液法制备钙钛矿薄膜的工艺，光电转换效率达到23%。"


def _written(listing: Listing) -> dict:
    listing.refresh_from_db()
    return {
        "mode": listing.mode,
        "rights": listing.rights,
        "status": listing.status,
        "asking_price": listing.asking_price,
        "notice_days": listing.notice_days,
        "created_by": listing.created_by_id,
        "has_published_at": listing.published_at is not None,
        # The transaction's sync stamp and id (core.sync): the single service's by the trigger,
        # the bulk insert's written by the insert itself (SYNC_STAMPED_SQL). One transaction here.
        "sync": (listing.updated_at, listing.sync_xid),
        "search_vector": _vector(listing),
        "moves": list(
            listing.status_changes.order_by("id").values_list("from_status", "to_status", "actor", "reason")
        ),
    }


def _vector(listing: Listing) -> str | None:
    with connection.cursor() as cur:
        cur.execute("SELECT search_vector::text FROM listings_listing WHERE id = %s", [listing.pk])
        return cur.fetchone()[0]


def _twins() -> tuple:
    """Two achievements of one holder with the same texts: their listings' vectors must agree."""
    holder = OrganizationFactory(name="浙江大学（测试）")
    return tuple(
        AchievementFactory(holder=holder, title=TITLE, summary=SUMMARY, valuation=Decimal("800000.00"))
        for _ in range(2)
    )


def test_bulk_and_single_publish_write_the_same_rows():
    one, two = _twins()
    single = listing_publish_by_platform(
        achievement=one,
        mode="negotiated",
        rights="use_first",
        reason=REASON,
        asking_price=Decimal("800000.00"),
        notice_days=15,
    )
    assert (
        listings_publish_bulk(achievement_ids=[two.pk], rights="use_first", notice_days=15, reason=REASON)
        == 1
    )
    written = _written(single)
    assert written["search_vector"]  # indexed by the publish itself: nothing left for a task
    assert written == _written(Listing.objects.get(achievement=two))
    assert listings_index_missing() == 0


def test_bulk_publish_writes_each_listing_once():
    """The search vector is in the insert (#17.5): the listing's row version is the one its
    status-change rows were inserted with, not a later UPDATE's (``cmin``: the command that made
    the version, within the transaction)."""
    one, two = _twins()
    listings_publish_bulk(achievement_ids=[one.pk, two.pk], rights="use_first", notice_days=15, reason=REASON)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT DISTINCT l.cmin::text, c.cmin::text FROM listings_listing l"
            " JOIN listings_listingstatuschange c ON c.listing_id = l.id"
        )
        [(listing_command, change_command)] = cur.fetchall()
    assert listing_command == change_command


def test_bulk_publish_indexes_the_achievements_texts_of_today():
    """A listing published again is indexed from the achievement as it is now, as the single
    service does, not from its previous listing's vector."""
    one, two = _twins()
    first = listing_publish_by_platform(
        achievement=one, mode="negotiated", rights="use_first", reason=REASON, notice_days=15
    )
    Listing.objects.filter(pk=first.pk).update(status=Listing.Status.CLOSED)
    # Changed behind the services' back (no re-index of the closed listing).
    type(one).objects.filter(pk=one.pk).update(title="石墨烯导热膜")
    listings_publish_bulk(achievement_ids=[one.pk], rights="use_first", notice_days=15, reason=REASON)
    again = Listing.objects.get(achievement=one, status=Listing.Status.PUBLISHED)
    assert "'石墨烯'" not in (_vector(again) or "")  # pairs and characters, not words
    assert "'石墨':2A" in (_vector(again) or "")
    assert "'逆变'" not in (_vector(again) or "")


def test_index_missing_backfills_the_same_vector():
    one, two = _twins()
    single = listing_publish_by_platform(
        achievement=one, mode="negotiated", rights="use_first", reason=REASON, notice_days=15
    )
    listings_publish_bulk(achievement_ids=[two.pk], rights="use_first", notice_days=15, reason=REASON)
    bulk = Listing.objects.get(achievement=two)
    Listing.objects.filter(pk=bulk.pk).update(search_vector=None)
    assert listings_index_missing() == 1
    assert _vector(bulk) == _vector(single)


def test_bulk_publish_skips_an_achievement_already_on_offer():
    one = AchievementFactory()
    listings_publish_bulk(achievement_ids=[one.pk], rights="use_first", notice_days=15, reason=REASON)
    assert (
        listings_publish_bulk(achievement_ids=[one.pk], rights="use_first", notice_days=15, reason=REASON)
        == 0
    )
    assert Listing.objects.filter(achievement=one).count() == 1


def test_bulk_publish_in_one_transaction_twice():
    """The job publishes twice in its transaction (candidates, then entries still without one):
    the temporary table of texts is reused."""
    one, two = _twins()
    assert (
        listings_publish_bulk(achievement_ids=[one.pk], rights="use_first", notice_days=15, reason=REASON)
        == 1
    )
    assert (
        listings_publish_bulk(achievement_ids=[two.pk], rights="use_first", notice_days=15, reason=REASON)
        == 1
    )
    assert _vector(Listing.objects.get(achievement=one)) == _vector(Listing.objects.get(achievement=two))


def test_bulk_and_single_publish_agree_where_the_database_makes_the_vector():
    """Texts the bulk publish cannot be sure the parser sees as it does (numerals, full-width and
    other scripts, ``1e5x``) are left to PostgreSQL: the same vector either way."""
    holder = OrganizationFactory(name="Ｚhejiang 大学²")
    one, two = (
        AchievementFactory(holder=holder, title="①号 1e5x İstanbul 锂电池", summary=SUMMARY) for _ in range(2)
    )
    single = listing_publish_by_platform(
        achievement=one, mode="negotiated", rights="use_first", reason=REASON, notice_days=15
    )
    listings_publish_bulk(achievement_ids=[two.pk], rights="use_first", notice_days=15, reason=REASON)
    assert _vector(single) and _vector(single) == _vector(Listing.objects.get(achievement=two))


def test_bulk_publish_makes_the_vectors_of_plain_texts():
    """Chinese, ASCII words and punctuation: the vector is made in Python and copied in binary
    form (no parser in the insert); else the tokens go, for ``search.TEXTS_SQL``."""
    row = (7, TITLE, SUMMARY, "浙江大学", Decimal("800000.00"), "new_energy")
    for exact, written in ((True, 1), (False, 0)):
        staged = bulk._index_rows([row], exact, {})
        assert (staged.rows, staged.written, staged.last_id) == (1, written, 7)
        bulk._stage(staged)
        with connection.cursor() as cur:
            cur.execute(f"SELECT id, vector::text, t, s, h, v, f FROM {bulk._TEXTS}")
            [(pk, vector, t, s, h, v, f)] = cur.fetchall()
        assert (pk, v, f) == (7, "800000.00", "new_energy")
        if exact:
            assert "'mppt':" in vector and "'一种':2A," in vector and (t, s, h) == (None, None, None)
        else:
            assert vector is None and t.startswith("一 一种") and h == "浙 浙江 江 江大 大 大学 学"


def test_bulk_publish_batch_by_batch(monkeypatch):
    """Many batches (the worker tokenizing one while the next is written), mixed with texts left
    to PostgreSQL: every achievement published once, each with the single service's vector."""
    monkeypatch.setattr(bulk, "_READ_BATCH", 2)
    holder = OrganizationFactory(name="浙江大学（测试）")
    titles = [TITLE, "①号 装置", TITLE, "x²", TITLE]
    made = [AchievementFactory(holder=holder, title=t, summary=SUMMARY) for t in titles]
    assert (
        listings_publish_bulk(
            achievement_ids=[a.pk for a in made], rights="use_first", notice_days=15, reason=REASON
        )
        == 5
    )
    reference = [AchievementFactory(holder=holder, title=t, summary=SUMMARY) for t in titles]
    for a, r in zip(made, reference, strict=True):
        single = listing_publish_by_platform(
            achievement=r, mode="negotiated", rights="use_first", reason=REASON, notice_days=15
        )
        assert _vector(Listing.objects.get(achievement=a)) == _vector(single)


@pytest.mark.django_db(transaction=True)
def test_the_bulk_publish_merges_its_index_entries_with_room_and_gives_it_back_at_commit():
    """A bulk publish's GIN merges get 64 MB (``work_mem``; 4 MB merged a full pending list in
    several passes, #17.5), for its own transaction only: a pooled connection goes back with the
    server's setting, whatever ran on it before."""
    from django.db import transaction

    def work_mem() -> str:
        with connection.cursor() as cur:
            cur.execute("SHOW work_mem")
            return cur.fetchone()[0]

    before = work_mem()
    assert before != "64MB"
    one, two = _twins()
    with transaction.atomic():
        listings_publish_bulk(
            achievement_ids=[one.pk, two.pk], rights="transfer", notice_days=20, reason=REASON
        )
        assert work_mem() == "64MB"
    assert work_mem() == before


def test_the_threads_hand_over_promptly_while_the_worker_tokenizes_and_as_before_after(monkeypatch):
    """The worker thread's Python held the interpreter 5 ms at a time while the connection's thread
    waited to send its next statement: during the texts' batches the switch interval is 0.5 ms,
    and the process's own comes back after them."""
    import sys

    seen = []
    real = bulk._index_rows

    def recording(*args):  # type: ignore[no-untyped-def]
        seen.append(sys.getswitchinterval())
        return real(*args)

    monkeypatch.setattr(bulk, "_index_rows", recording)
    before = sys.getswitchinterval()
    achievement = AchievementFactory(title=TITLE, summary=SUMMARY)
    assert (
        listings_publish_bulk(
            achievement_ids=[achievement.pk], rights="use_first", notice_days=15, reason=REASON
        )
        == 1
    )
    assert seen == [bulk._HANDOVER_SECONDS]
    assert sys.getswitchinterval() == before
    with bulk._prompt_handovers():
        with bulk._prompt_handovers():
            assert sys.getswitchinterval() == bulk._HANDOVER_SECONDS
        assert sys.getswitchinterval() == bulk._HANDOVER_SECONDS  # the outer one still runs
    assert sys.getswitchinterval() == before
