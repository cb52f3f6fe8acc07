"""Published results: the public list, its sync rule under concurrent commits, CSV, the 成交公示."""

import csv
import io
import random
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from marketplace.models import Result
from marketplace.selectors import result_notice
from marketplace.services import deal_conclude
from tests.conftest import client_for
from tests.factories import OrganizationFactory, UserFactory

from .conftest import bank_pays, make_listing

pytestmark = pytest.mark.django_db
FIELDS = {
    "id",
    "deal",
    "listing_title",
    "achievement",
    "field",
    "mode",
    "rights",
    "price",
    "seller",
    "buyer",
    "concluded_at",
    "bid_count",
    "updated_at",
    "url",
}


def _paid_deal(
    holder,
    buyer,
    *,
    mode="negotiated",
    field="electronics",
    price="100000.00",
    title="一种基于人工智能的茶叶品质检测方法",
):
    listing = make_listing(holder, field=field, title=title)
    deal = deal_conclude(
        listing=listing, buyer=buyer, price=Decimal(price), mode=mode, bid_count=3 if mode == "auction" else 0
    )
    bank_pays(deal.payment)
    return deal


def test_a_result_is_published_when_the_deal_is_paid_with_exactly_the_api_fields(university, company):
    listing = make_listing(university)
    deal = deal_conclude(listing=listing, buyer=company, price=Decimal("250000.00"), mode="negotiated")
    assert APIClient().get("/api/v1/results/").json() == {"results": [], "next": None}
    bank_pays(deal.payment)
    body = APIClient().get("/api/v1/results/").json()
    (item,) = body["results"]
    assert set(item) == FIELDS
    assert (item["deal"], item["price"], item["seller"], item["buyer"], item["mode"]) == (
        deal.pk,
        "250000.00",
        university.name,
        company.name,
        "negotiated",
    )
    notice = result_notice(deal_id=deal.pk)
    assert notice["title"] == listing.achievement.title and notice["mode"] == "协议定价"


def test_filters_pages_and_read_only_tokens(university, company):
    for i in range(5):
        _paid_deal(
            university,
            company,
            mode="auction" if i % 2 else "negotiated",
            field="agriculture" if i < 2 else "electronics",
        )
    reader = client_for(UserFactory(), read_only=True)
    assert len(reader.get("/api/v1/results/?mode=auction").json()["results"]) == 2
    assert len(reader.get("/api/v1/results/?field=agriculture").json()["results"]) == 2
    first = reader.get("/api/v1/results/?page_size=2").json()
    assert len(first["results"]) == 2 and first["next"]
    rest = reader.get(first["next"]).json()
    ids = [r["id"] for r in first["results"] + rest["results"]]
    assert len(set(ids)) == 4 and ids == sorted(ids, key=lambda pk: Result.objects.get(pk=pk).updated_at)
    last = reader.get("/api/v1/results/").json()["results"][-1]
    assert reader.get("/api/v1/results/", {"updated_since": last["updated_at"]}).json()["results"] == []
    assert reader.get("/api/v1/results/?concluded_after=2999-01-01T00:00:00Z").json()["results"] == []
    assert reader.get("/api/v1/results/?mode=barter").status_code == 400
    assert reader.post("/api/v1/results/", {}).status_code == 403  # read-only


@pytest.mark.django_db(transaction=True)
def test_updated_since_is_exclusive_and_every_transaction_has_its_own_stamp():
    """Each payment commits on its own (as in production): each result gets its transaction's id
    and stamp, and ``updated_since`` resumes right after the result it names."""
    university, company = OrganizationFactory(kind="university"), OrganizationFactory()
    deals = [_paid_deal(university, company) for _ in range(3)]
    rows = list(Result.objects.order_by("sync_xid").values_list("sync_xid", "updated_at"))
    assert len({x for x, _ in rows}) == 3 and len({t for _, t in rows}) == 3
    r = APIClient().get("/api/v1/results/", {"updated_since": rows[0][1].isoformat()}).json()
    assert [x["deal"] for x in r["results"]] == [d.pk for d in deals[1:]]
    assert APIClient().get("/api/v1/results/", {"updated_since": rows[2][1].isoformat()}).json() == {
        "results": [],
        "next": None,
    }


def test_csv_opens_in_a_spreadsheet(university, company):
    _paid_deal(university, company, price="123456.78", title="一种高效稳定的钙钛矿太阳能电池制备方法")
    response = APIClient().get("/api/v1/results/?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["编号", "成交编号", "成果名称"] and "技术合同认定登记号" in rows[0]
    assert (
        rows[1][2] == "一种高效稳定的钙钛矿太阳能电池制备方法"
        and "123456.78" in rows[1]
        and "协议定价" in rows[1]
    )


@pytest.mark.django_db(transaction=True)
def test_a_sync_never_misses_or_repeats_a_result_while_deals_commit_late():
    """Writers publish and then hold their transaction open a random while (a late commit); a
    client syncs with updated_since the whole time. It must see every result exactly once."""
    holder = OrganizationFactory(kind="university")
    buyers = [OrganizationFactory() for _ in range(4)]
    deals = [
        deal_conclude(
            listing=make_listing(holder), buyer=buyers[i % 4], price=Decimal("1000.00"), mode="negotiated"
        )
        for i in range(24)
    ]
    done = threading.Event()
    seen: list[int] = []
    deadline: list[float] = []

    def writer(chunk):
        rng = random.Random(chunk[0].pk)
        try:
            for deal in chunk:
                with transaction.atomic():
                    bank_pays(deal.payment)
                    time.sleep(rng.uniform(0, 0.08))  # stamped, not yet committed
        finally:
            connection.close()

    def reader():
        client = APIClient()
        since = None
        try:
            while True:
                if done.is_set() and not deadline:
                    deadline.append(time.monotonic() + 20)
                # Results appear once every older transaction has ended: sync on until all came.
                finished = bool(deadline) and (len(seen) >= len(deals) or time.monotonic() > deadline[0])
                params = {"page_size": 3, **({"updated_since": since} if since else {})}
                body = client.get("/api/v1/results/", params).json()
                while True:
                    for item in body["results"]:
                        seen.append(item["deal"])
                        since = item["updated_at"]
                    if not body["next"]:
                        break
                    body = client.get(body["next"]).json()
                if finished:
                    return
                time.sleep(0.01)
        finally:
            connection.close()

    writers = [threading.Thread(target=writer, args=(deals[i::4],)) for i in range(4)]
    sync = threading.Thread(target=reader)
    sync.start()
    for t in writers:
        t.start()
    for t in writers:
        t.join()
    done.set()
    sync.join()
    assert sorted(seen) == sorted(d.pk for d in deals)  # every one, exactly once


def test_the_results_page_and_the_deal_list_cost_a_fixed_number_of_queries(
    university, company, buyer, django_assert_max_num_queries
):
    for _ in range(6):
        _paid_deal(university, company)
    reader = client_for(UserFactory(), read_only=True)
    # token, its last_used_at (written at most once a minute: here its first use), page
    # (+ a savepoint-free read)
    with django_assert_max_num_queries(4):
        assert len(reader.get("/api/v1/results/?page_size=5").json()["results"]) == 5
    member = client_for(buyer)
    with django_assert_max_num_queries(6):  # token, its last use, memberships, operator check, page
        assert len(member.get("/api/v1/deals/").json()["results"]) == 6


def test_the_fast_rows_render_exactly_as_the_serializer_would(university, company):
    from marketplace.api.serializers import ResultOutput

    _paid_deal(university, company, mode="auction", price="98765.40")
    from rest_framework.test import APIRequestFactory

    expected = ResultOutput(Result.objects.get(), context={"request": APIRequestFactory().get("/")}).data
    assert APIClient().get("/api/v1/results/").json()["results"] == [dict(expected)]


def _index_conditions(sql: str) -> str:
    """The index conditions PostgreSQL plans for ``sql`` (sequential and bitmap scans off, so a
    handful of rows plans as a million would)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql)
        return " ".join(row[0] for row in cursor.fetchall() if "Index Cond" in row[0])


def test_a_cursor_page_starts_at_the_cursor_in_the_index(university, company):
    """The next page's ``(sync_xid, id) > cursor`` was an OR PostgreSQL could not start an index
    scan from: every page read the index from the first result (200 ms at a million)."""
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        _paid_deal(university, company)
    reader = client_for(UserFactory(), read_only=True)
    first = reader.get("/api/v1/results/?page_size=1").json()
    with CaptureQueriesContext(connection) as ran:
        assert len(reader.get(first["next"]).json()["results"]) == 1
    page = next(q["sql"] for q in ran.captured_queries if 'FROM "marketplace_result"' in q["sql"])
    assert "sync_xid >=" in _index_conditions(page)


def test_a_first_page_from_any_moment_starts_at_its_position_in_the_indexes(university, company):
    """``updated_since`` at a moment no transaction was stamped at found the first transaction
    stamped after it by reading the register from its first row (82 ms at a million), and the
    page's ``legacy OR sync_xid >= first`` could not start an index scan (200 ms): both now start
    at the position, and the pre-scheme condition is left out when no pre-scheme row is after it."""
    import datetime as dt

    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        _paid_deal(university, company)
    stamp = Result.objects.values_list("updated_at", flat=True).first()
    moment = (stamp - dt.timedelta(microseconds=1)).isoformat()  # not a stamp
    reader = client_for(UserFactory(), read_only=True)
    with CaptureQueriesContext(connection) as ran:
        body = reader.get("/api/v1/results/", {"updated_since": moment, "page_size": 2}).json()
    assert len(body["results"]) == 2 and body["next"]
    position = next(q["sql"] for q in ran.captured_queries if "core_sync_transaction" in q["sql"])
    assert "xid >=" in _index_conditions(position)  # sought from the horizon, not from the first id
    page = next(q["sql"] for q in ran.captured_queries if q["sql"].startswith('SELECT "marketplace_result"'))
    assert "sync_xid >=" in _index_conditions(page)
