"""The catalogue: only published listings, Chinese search, filters, orders, cursor pages, sync."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from listings.models import Listing
from listings.services import achievement_update, listing_close
from tests.factories import AchievementFactory, make_listing

pytestmark = pytest.mark.django_db

URL = "/api/v1/listings/"


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def tea(university):
    achievement = AchievementFactory(
        holder=university,
        title="一种基于人工智能的茶叶品质检测方法",
        summary="融合图像与近红外光谱，快速判定龙井茶等级。",
        field="agriculture",
    )
    return make_listing(achievement=achievement, mode="fixed_price", rights="license_general")


@pytest.fixture
def battery(university):
    achievement = AchievementFactory(
        holder=university,
        title="高能量密度固态锂电池电解质材料",
        summary="硫化物固态电解质，室温离子电导率高，适用于动力电池。",
        field="new_energy",
    )
    return make_listing(achievement=achievement, mode="auction", rights="transfer")


@pytest.mark.parametrize("q", ["人工智能", "茶叶", "茶叶 品质", "龙井茶", "智能", "人工智能茶叶检测"])
def test_chinese_words_find_the_title(api, tea, battery, q):
    assert ids(api.get(URL, {"q": q})) == [tea.pk]


def test_one_character_and_part_of_a_word_find_what_a_person_expects(api, tea, battery, university):
    """#14.13: "茶" missed 茶树 (jieba indexed 茶树 as one word); a part of a word found nothing."""
    tree = make_listing(
        achievement=AchievementFactory(
            holder=university, title="茶树扦插快繁技术", summary="适用于丘陵茶园。"
        )
    )
    graphene = make_listing(
        achievement=AchievementFactory(holder=university, title="石墨烯导热薄膜", summary="用于手机散热。")
    )
    assert sorted(ids(api.get(URL, {"q": "茶"}))) == sorted([tea.pk, tree.pk])
    assert ids(api.get(URL, {"q": "茶树"})) == [tree.pk]
    assert ids(api.get(URL, {"q": "石墨"})) == [graphene.pk]
    assert ids(api.get(URL, {"q": "电池"})) == [battery.pk]  # in 锂电池, 动力电池
    assert ids(api.get(URL, {"q": "锂电"})) == [battery.pk]
    assert ids(api.get(URL, {"q": "导热 石墨"})) == [graphene.pk]
    assert ids(api.get(URL, {"q": "茶 石墨"})) == []  # every word must occur


def test_the_holder_name_is_searchable(api, tea, battery):
    assert sorted(ids(api.get(URL, {"q": "浙江大学"}))) == sorted([tea.pk, battery.pk])


def test_a_word_in_neither_finds_nothing_and_punctuation_only_is_empty(api, tea):
    assert ids(api.get(URL, {"q": "区块链"})) == []
    assert ids(api.get(URL, {"q": "，。！"})) == []


def test_only_published_listings_are_listed(api, tea, university):
    draft = make_listing(achievement=AchievementFactory(holder=university), status="draft")
    pending = make_listing(achievement=AchievementFactory(holder=university), status="pending_review")
    closed = make_listing(achievement=AchievementFactory(holder=university))
    listing_close(listing=closed, reason="成交")
    listed = ids(api.get(URL))
    assert listed == [tea.pk]
    for hidden in (draft, pending):
        assert api.get(f"{URL}{hidden.pk}/").status_code == 404
    # A closed lot leaves the catalogue but keeps its public page (#14: results link it).
    assert api.get(f"{URL}{closed.pk}/").status_code == 200


def test_filters(api, tea, battery):
    assert ids(api.get(URL, {"mode": "auction"})) == [battery.pk]
    assert ids(api.get(URL, {"field": "agriculture"})) == [tea.pk]
    assert ids(api.get(URL, {"rights": "license_general"})) == [tea.pk]
    assert ids(api.get(URL, {"mode": "negotiated"})) == []
    r = api.get(URL, {"mode": "barter"})
    assert r.status_code == 400 and "mode" in r.json()["fields"]


def test_orders_newest_and_ending_soonest(api, university):
    now = timezone.now()
    soon = make_listing(
        achievement=AchievementFactory(holder=university),
        mode="fixed_price",
        listing_ends_at=now + timedelta(days=2),
    )
    late = make_listing(
        achievement=AchievementFactory(holder=university),
        mode="fixed_price",
        listing_ends_at=now + timedelta(days=20),
    )
    open_ended = make_listing(achievement=AchievementFactory(holder=university), mode="negotiated")
    auction = make_listing(
        achievement=AchievementFactory(holder=university),
        mode="auction",
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=5),
    )
    assert ids(api.get(URL, {"ordering": "newest"})) == [auction.pk, open_ended.pk, late.pk, soon.pk]
    assert ids(api.get(URL, {"ordering": "ending"})) == [soon.pk, auction.pk, late.pk, open_ended.pk]
    # walking the ending order one row a page crosses the null boundary without loss or repeat
    seen, url, params = [], URL, {"ordering": "ending", "page_size": 1}
    while url:
        body = api.get(url, params).json()
        seen += [row["id"] for row in body["results"]]
        url, params = body["next"], None
    assert seen == [soon.pk, auction.pk, late.pk, open_ended.pk]


def test_relevance_puts_title_matches_before_summary_matches(api, university):
    in_summary = make_listing(
        achievement=AchievementFactory(
            holder=university, title="茶园病虫害监测装置", summary="采用人工智能识别害虫"
        )
    )
    in_title = make_listing(
        achievement=AchievementFactory(
            holder=university, title="人工智能辅助的病理切片分析", summary="用于医院病理科"
        )
    )
    assert ids(api.get(URL, {"q": "人工智能"})) == [in_title.pk, in_summary.pk]


def test_cursor_pages_cover_everything_once(api, university):
    made = [make_listing(achievement=AchievementFactory(holder=university)).pk for _ in range(7)]
    for params in ({"page_size": 3}, {"page_size": 2, "q": "钙钛矿"}, {"page_size": 2, "ordering": "ending"}):
        seen, url = [], URL
        while url:
            body = api.get(url, params if url == URL else None).json()
            seen += [row["id"] for row in body["results"]]
            url = body["next"]
        assert sorted(seen) == sorted(made) and len(seen) == len(made), params


def test_a_bad_cursor_is_400(api, tea):
    r = api.get(URL, {"cursor": "not-a-cursor"})
    assert r.status_code == 400 and r.json()["code"] == "invalid_cursor"


@pytest.mark.django_db(transaction=True)  # each write commits on its own: sync is per transaction
def test_updated_since_syncs_in_transaction_order(api, tea, battery, holder_member):
    mark = timezone.now()
    assert ids(api.get(URL, {"updated_since": mark.isoformat()})) == []
    # the achievement's new title reaches the catalogue and bumps the listing for syncing clients
    Listing.objects.filter(pk=tea.pk).update(status="draft")
    achievement_update(achievement=tea.achievement, actor=holder_member, title="基于机器视觉的茶叶分级方法")
    Listing.objects.filter(pk=tea.pk).update(status="published")
    body = api.get(URL, {"updated_since": mark.isoformat(), "ordering": "newest"}).json()
    assert [row["id"] for row in body["results"]] == [tea.pk]
    assert body["results"][0]["title"] == "基于机器视觉的茶叶分级方法"
    assert ids(api.get(URL, {"q": "机器视觉"})) == [tea.pk]
    assert ids(api.get(URL, {"q": "人工智能"})) == []
    rows = api.get(URL, {"updated_since": (mark - timedelta(days=1)).isoformat()}).json()["results"]
    order = dict(Listing.objects.values_list("pk", "sync_xid"))
    keys = [(order[row["id"]], row["id"]) for row in rows]
    assert keys == sorted(keys) and len(keys) == 2 and keys[-1][1] == tea.pk  # tea was written last


def test_catalogue_query_count_does_not_grow_with_the_page(api, university, django_assert_max_num_queries):
    for _ in range(5):
        make_listing(achievement=AchievementFactory(holder=university), mode="auction")
    api.get(URL, {"q": "钙钛矿"})  # the statistics the search reads once in a while (search._statistics)
    # each relevance tier: the probe of its GIN index and its page; a page of probed ids reads
    # the achievements, holders and auctions after it (one query each), not joined before its sort
    with django_assert_max_num_queries(7):
        assert len(ids(api.get(URL, {"q": "钙钛矿", "page_size": 50}))) == 5


def test_common_words_are_dropped_only_next_to_telling_ones(api, tea, battery):
    assert ids(api.get(URL, {"q": "检测方法"})) == [tea.pk]
    assert ids(api.get(URL, {"q": "方法"})) == [tea.pk]


def test_catalogue_pages_never_read_the_search_vector(api, tea):
    """The vector (about 1.4 kB a listing) serves the match and the rank inside PostgreSQL; a page
    that selected it sent it to Python for every row, and a relevance sort carried it for every
    match. ``field_label`` is the field's label, as ``get_field_display`` gives it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from listings.models import Field

    for params in ({"q": "茶叶", "ordering": "newest"}, {"q": "茶叶"}, {}):
        with CaptureQueriesContext(connection) as ran:
            body = api.get(URL, params).json()
        assert [row["id"] for row in body["results"]] == [tea.pk]
        assert body["results"][0]["field_label"] == str(dict(Field.choices)["agriculture"])
        pages = [q["sql"] for q in ran.captured_queries if 'FROM "listings_listing"' in q["sql"]]
        selected = [sql.split(' FROM "listings_listing"')[0] for sql in pages]
        assert selected and not any(
            '"listings_listing"."search_vector",'
            in s.replace('ts_rank("listings_listing"."search_vector",', "")
            for s in selected
        ), params


def test_a_cursor_page_starts_at_the_cursor_in_the_index(api, university):
    """The keyset's ``(published_at, id) < cursor`` was an OR PostgreSQL could not start an index
    scan from: every next page read the index from the newest listing down to the cursor."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        make_listing(achievement=AchievementFactory(holder=university))
    first = api.get(URL, {"ordering": "newest", "page_size": 1}).json()
    with CaptureQueriesContext(connection) as ran:
        assert len(api.get(first["next"]).json()["results"]) == 1
    page = next(q["sql"] for q in ran.captured_queries if 'FROM "listings_listing"' in q["sql"])
    # The page's own WHERE, ORDER BY and LIMIT on the listing table alone, planned with no sort: the
    # only plan left reads the ordering index, and the keyset is in its condition or in a filter
    # after it. (With the joins in, or a sort allowed, a planner that takes these few rows for
    # none may start from the achievements or from any index on status, and the plan says nothing.)
    where_order_limit = page[page.index(" WHERE ") :]
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute('EXPLAIN SELECT "listings_listing"."id" FROM "listings_listing"' + where_order_limit)
        conditions = " ".join(row[0] for row in cursor.fetchall() if "Index Cond" in row[0])
    assert "published_at <=" in conditions
