"""The catalogue page pages by the API's keyset cursor: 下一页 and 上一页 walk every published
listing exactly once, and no request counts the matching rows (slow at 100,000 listings)."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversion.models import UseFirstEntry
from listings import views
from tests.factories import AchievementFactory, make_listing

pytestmark = pytest.mark.django_db


def _titles_and_links(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    titles = re.findall(r'<h3><a href="/listings/(\d+)/">', html)
    links = {
        name: unescape(href)
        for href, name in re.findall(r'<a class="btn small" href="([^"]+)">(上一页|下一页)</a>', html)
    }
    return [int(pk) for pk in titles], links


def test_next_and_previous_walk_every_listing_once(client, university, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    made = [make_listing(achievement=AchievementFactory(holder=university)).pk for _ in range(7)]
    pages, url = [], "/catalogue/?ordering=newest"
    while True:
        rows, links = _titles_and_links(client, url)
        pages.append((url, rows, links))
        if "下一页" not in links:
            break
        url = "/catalogue/" + links["下一页"]
    seen = [pk for _url, rows, _links in pages for pk in rows]
    assert seen == sorted(made, reverse=True)
    assert [len(rows) for _url, rows, _links in pages] == [3, 3, 1]
    assert "上一页" not in pages[0][2]
    for (_url, earlier_rows, _links), (_u, _rows, links) in zip(pages, pages[1:], strict=False):
        assert _titles_and_links(client, "/catalogue/" + links["上一页"])[0] == earlier_rows


def test_a_bad_cursor_shows_the_first_page(client, university):
    listing = make_listing(achievement=AchievementFactory(holder=university))
    rows, _links = _titles_and_links(client, "/catalogue/?cursor=not-a-cursor")
    assert rows == [listing.pk]


def test_the_catalogue_page_does_not_count_the_listings(client, university):
    for _ in range(3):
        make_listing(achievement=AchievementFactory(holder=university))
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/catalogue/", {"q": "钙钛矿"}).status_code == 200
        assert client.get("/catalogue/").status_code == 200
    sqls = [q["sql"].upper() for q in queries.captured_queries]
    assert any('FROM "LISTINGS_LISTING"' in sql for sql in sqls)
    assert not [sql for sql in sqls if "COUNT(" in sql]


def test_the_use_first_list_pages_by_cursor(client, university, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    titles = [f"先用后转成果{i}" for i in range(5)]
    for i, title in enumerate(titles):
        achievement = AchievementFactory(holder=university, title=title)
        UseFirstEntry.objects.create(
            achievement=achievement, holder=university, listed_on=dt.date(2026, 1, 1 + i), reason="逾期未转化"
        )
    seen, url = [], "/use-first/"
    while url:
        html = client.get(url).content.decode()
        seen += re.findall(r"<td>(先用后转成果\d)</td>", html)
        links = dict(
            (name, unescape(href)) for href, name in re.findall(r'href="([^"]+)">(上一页|下一页)<', html)
        )
        url = "/use-first/" + links["下一页"] if "下一页" in links else None
    assert seen == titles[::-1]
    assert client.get("/use-first/?cursor=bad").status_code == 200
    assert client.get("/results/?cursor=bad").status_code == 200


def test_an_auction_not_yet_started_counts_down_to_its_start(client, university):
    """#14.13: the card of an auction listing still ahead said 距结束 and counted to its end."""
    listing = make_listing(achievement=AchievementFactory(holder=university), mode="auction")
    assert listing.starts_at > dt.datetime.now(dt.UTC)
    html = client.get("/catalogue/").content.decode()
    card = html[html.index(f"/listings/{listing.pk}/") :]
    card = card[: card.index("</article>")]
    assert "距开始" in card and "距结束" not in card
