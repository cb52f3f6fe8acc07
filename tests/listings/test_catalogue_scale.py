"""The catalogue's search at scale (#17.3): the plans, not the timings (``bench/catalogue.py``).

On a table with statistics, a word many listings have is found by walking the publication index
(each page reads about a page's worth of listings), a rare one by probing a GIN index (it reads
only the matches); relevance is read tier by tier (every word in the title first, then the
others), each newest first, so no page sorts every match as ranking them by ts_rank did."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from listings import search
from listings.models import Achievement, Listing
from listings.services import achievement_update, listings_publish_bulk
from tests.factories import AchievementFactory, make_listing, member_of

pytestmark = pytest.mark.django_db

URL = "/api/v1/listings/"
COUNT = 400


@pytest.fixture
def shelf(university):
    """400 published listings: 茶叶 in 60% of the titles, in 10% only in the summary; 石墨烯 in two."""
    user = User.objects.create(username="scale_holder")
    made = []
    for i in range(COUNT):
        if i % 10 < 6:
            title, summary, field = f"茶叶品质快速检测方法{i}", "基于近红外光谱。", "agriculture"
        elif i % 10 == 6:
            title, summary, field = f"果园病虫害监测装置{i}", "同样适用于茶叶种植。", "agriculture"
        else:
            title, summary, field = f"钙钛矿薄膜制备工艺{i}", "光电转换效率高。", "new_energy"
        if i in (100, 300):
            title = f"石墨烯导热膜{i}"
        made.append(
            Achievement(
                holder=university,
                title=title,
                summary=summary,
                field=field,
                kind="applied",
                maturity=5,
                fiscally_funded=False,
                is_service_invention=True,
                created_by=user,
            )
        )
    ids = [a.pk for a in Achievement.objects.bulk_create(made)]
    listings_publish_bulk(achievement_ids=ids, rights="transfer", notice_days=15, reason="测试")
    # ties of the publication moment across pages: the id decides
    same = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)
    Listing.objects.filter(achievement_id__in=ids[40:80]).update(published_at=same)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE listings_listing")
    search.forget_statistics()
    yield
    search.forget_statistics()


def _pages(api, params, size):
    seen, url, first = [], URL, True
    while url:
        body = api.get(url, {**params, "page_size": size} if first else None).json()
        seen += [row["id"] for row in body["results"]]
        url, first = body["next"], False
    return seen


def _explain(sql, *, sort):
    """The plan on this small table as on a large one: no sequential scan (and, without ``sort``,
    no sort where any other plan exists)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"SET LOCAL enable_sort = {'on' if sort else 'off'}")
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def _page_sql(api, params):
    with CaptureQueriesContext(connection) as ran:
        assert api.get(URL, params).status_code == 200
    return [q["sql"] for q in ran.captured_queries if 'FROM "listings_listing"' in q["sql"]]


def _page_plans(api, params, *, sort=True):
    return [_explain(sql, sort=sort) for sql in _page_sql(api, params)]


def _newest_first(qs):
    return list(qs.order_by("-published_at", "-id").values_list("id", flat=True))


def test_relevance_pages_tier_by_tier_without_repeats_or_gaps(api, shelf):
    """Title matches first, then the summary's, each newest first, ``id`` breaking ties; pages of 7
    cross the ties and the tier boundary and see each listing once."""
    published = Listing.objects.filter(status="published")
    in_title = _newest_first(published.filter(achievement__title__contains="茶叶"))
    in_summary = _newest_first(published.filter(achievement__summary__contains="茶叶"))
    assert len(in_title) == 238 and len(in_summary) == 40
    assert _pages(api, {"q": "茶叶"}, 7) == in_title + in_summary
    assert (
        _pages(api, {"q": "茶叶", "mode": "negotiated", "field": "agriculture"}, 50) == in_title + in_summary
    )
    assert _pages(api, {"q": "茶叶", "field": "new_energy"}, 7) == []


def test_relevance_reads_an_index_in_order_not_every_match_sorted(api, shelf):
    """ts_rank ordered the page: every match was ranked and sorted before the first 20 came out."""
    plans = _page_plans(api, {"q": "茶叶"}, sort=False)
    assert plans and all("Sort" not in plan for plan in plans), plans
    assert "listing_status_newest" in plans[0]


def test_a_common_word_walks_the_order_and_a_rare_one_probes_the_gin_index(api, shelf):
    """The walk's condition is one no index serves (the plan reads the order's index); a probe
    reads the ids of every match from a GIN index first and the page fetches those."""
    walk, probe = "ts_match_vq(", '"listings_listing"."id" = ANY('
    for params in ({"q": "茶叶", "ordering": "newest"}, {"q": "茶", "ordering": "ending"}, {"q": "茶叶"}):
        sql = _page_sql(api, params)
        assert walk in sql[0] and probe not in sql[0], params
        assert not any("_gin" in _explain(s, sort=True) for s in sql), params
    for params in ({"q": "石墨烯", "ordering": "newest"}, {"q": "石墨"}):
        with CaptureQueriesContext(connection) as ran:
            assert api.get(URL, params).status_code == 200
        ids = next(
            q["sql"] for q in ran.captured_queries if "(SELECT id FROM listings_listing WHERE" in q["sql"]
        )
        assert "_gin" in _explain(ids, sort=True), params
        page = next(q["sql"] for q in ran.captured_queries if 'FROM "listings_listing"' in q["sql"])
        assert walk not in page and probe in page, params
    assert _pages(api, {"q": "石墨", "ordering": "newest"}, 20) == _newest_first(
        Listing.objects.filter(achievement__title__contains="石墨烯")
    )


def test_a_probe_that_finds_too_many_leaves_the_page_to_the_walk(api, shelf, monkeypatch):
    """Words that go together (the statistics multiply their shares): past ``PROBE_LIMIT`` ids
    the probe stops and the page walks; same listings either way."""
    params = {"q": "茶叶 检测", "ordering": "newest"}
    expected = _newest_first(Listing.objects.filter(achievement__title__contains="茶叶品质快速检测"))
    assert _pages(api, params, 20) == expected
    monkeypatch.setattr(search, "PROBE_LIMIT", 10)
    sql = _page_sql(api, params)
    assert "ts_match_vq(" in sql[0]
    assert _pages(api, params, 20) == expected


@pytest.mark.parametrize("q", ["茶", "叶品", "茶叶", "检测", "石墨", "钛矿 薄膜", "监测"])
@pytest.mark.parametrize(
    "filters",
    [{}, {"field": "agriculture"}, {"mode": "negotiated", "rights": "transfer"}, {"field": "new_energy"}],
)
def test_the_walk_and_the_probe_find_the_same_listings(shelf, q, filters):
    """One character and parts of words too, with the filters as lexemes of the vector."""
    match = search.search_match(q, **filters)
    for title in (False, True):
        found = [
            set(Listing.objects.filter(match.condition(title=title, walk=walk)).values_list("id", flat=True))
            for walk in (False, True)
        ]
        assert found[0] == found[1], (q, filters, title)
    expected = Listing.objects.all()
    for word in q.split():
        expected = expected.filter(achievement__title__contains=word) | expected.filter(
            achievement__summary__contains=word
        )
    if filters.get("field"):
        expected = expected.filter(achievement__field=filters["field"])
    assert found[0] <= set(expected.values_list("id", flat=True))
    everywhere = set(Listing.objects.filter(match.condition()).values_list("id", flat=True))
    assert everywhere == set(expected.values_list("id", flat=True)), (q, filters)


def test_a_field_change_moves_the_listing_in_the_search(api, university):
    from tests.factories import AchievementFactory, make_listing

    listing = make_listing(
        achievement=AchievementFactory(holder=university, title="茶树扦插快繁技术", field="agriculture")
    )
    assert [r["id"] for r in api.get(URL, {"q": "茶树", "field": "agriculture"}).json()["results"]] == [
        listing.pk
    ]
    Listing.objects.filter(pk=listing.pk).update(status="draft")
    achievement_update(
        achievement=listing.achievement, actor=member_of(university, "member"), field="environment"
    )
    Listing.objects.filter(pk=listing.pk).update(status="published")
    assert api.get(URL, {"q": "茶树", "field": "agriculture"}).json()["results"] == []
    assert [r["id"] for r in api.get(URL, {"q": "茶树", "field": "environment"}).json()["results"]] == [
        listing.pk
    ]


@pytest.fixture
def mixed_titles(university):
    """Titles and summaries with Latin words, digits and upper case beside Chinese; each word
    also in some summaries only, so the title tier differs from the whole vector."""
    texts = [
        ("5G基站AI芯片散热装置", "适用于CO2捕集。"),
        ("CO2捕集与封存工艺", "可用于5G基站。"),
        ("ai芯片低功耗设计", "面向边缘计算。"),
        ("Ⅱ型糖尿病早期筛查试剂盒", "AI辅助判读。"),
        ("5G茶园茶叶品质检测方法", "基于近红外光谱。"),
        ("锂电池隔膜涂覆工艺", "Ⅱ型隔膜，茶叶包装亦可用。"),
    ]
    for i, (title, summary) in enumerate(texts):
        make_listing(
            achievement=AchievementFactory(holder=university, title=title, summary=summary),
            mode="negotiated" if i % 2 else "fixed_price",
        )


@pytest.mark.parametrize("q", ["5G", "5g 基站", "AI芯片", "co2", "CO2捕集", "Ⅱ型", "茶叶 5G", "芯片", "隔膜"])
@pytest.mark.parametrize("filters", [{}, {"mode": "negotiated"}, {"field": "new_energy"}])
def test_the_title_tiers_weighted_query_finds_what_the_title_part_of_the_vector_finds(
    mixed_titles, q, filters
):
    """A walk of the title tier checks each row against the whole vector with every lexeme held to
    weight A (``Match.title_tsquery``), not against ``ts_filter``'s copy of its weight-A part:
    the same listings either way, and the filtered form where a token is only PostgreSQL's to cut."""
    match = search.search_match(q, **filters)
    walked = Listing.objects.filter(match.condition(title=True, walk=True))
    filtered = Listing.objects.filter(
        RawSQL(
            f"ts_match_vq({search.TITLE_SQL.format(v=search.TABLE)}, {match.tsquery()[0]})",
            match.tsquery()[1],
            output_field=BooleanField(),
        )
    )
    probed = Listing.objects.filter(match.condition(title=True))
    ids = [set(qs.values_list("id", flat=True)) for qs in (walked, filtered, probed)]
    assert ids[0] == ids[1] == ids[2], (q, filters, ids)
    sql = str(walked.query)
    assert ("ts_filter" in sql) == (q == "Ⅱ型"), sql
    if not filters:
        assert ids[0], q  # each query's words are in some title
