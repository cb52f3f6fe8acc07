"""The run command's pieces: demo data, health, the schema, the pages a newcomer opens first."""

import pytest
from django.core.management import call_command

from accounts.models import Membership, Organization, User

pytestmark = pytest.mark.django_db


def test_demo_data_loads_twice_without_duplicating():
    call_command("load_demo")
    counts = (User.objects.count(), Organization.objects.count(), Membership.objects.count())
    call_command("load_demo")
    assert (User.objects.count(), Organization.objects.count(), Membership.objects.count()) == counts
    assert Organization.objects.filter(kind="university", status="verified").count() >= 2
    assert Organization.objects.filter(kind="enterprise", status="verified").count() >= 3


def test_demo_auctions_open_when_their_publish_outlasts_the_start_margin(monkeypatch):
    """A fresh demo auction starts FRESH_START after its publish began; on a loaded machine the
    publish itself can take longer, and its start would lie in the past (terms_expired). The
    loader undoes that publish and tries again with a margin the publish fits in: a fresh start
    never fails for being slow, and no half-published listing is left (#17.6)."""
    from datetime import timedelta

    from auctions import demo
    from auctions.models import Auction
    from listings.models import Listing

    monkeypatch.setattr(demo, "FRESH_START", timedelta(0))  # every first publish is too slow
    call_command("load_demo")
    fresh = Auction.objects.filter(listing__status=Listing.Status.PUBLISHED)
    assert fresh.exists()
    for auction in fresh:
        assert auction.listing.achievement.listings.count() == 1
        assert auction.starts_at > auction.listing.created_at


def test_demo_password_is_hashed_once_for_all_demo_users():
    """A password hash is made to be slow (PBKDF2, ~0.5 s here): the demo's one published password
    is hashed once per load, not once per user (#17.6, a fresh start)."""
    call_command("load_demo")
    hashes = set(User.objects.exclude(password="").values_list("password", flat=True))
    assert len(hashes) == 1
    user = User.objects.get(username="zju_admin")
    from accounts.demo import PASSWORD

    assert user.check_password(PASSWORD)


def test_the_urls_load_without_the_pdf_library():
    """fpdf2 (with fontTools, ~0.6 s) loads when a PDF is drawn, not in every process that loads the
    URLs: the web server's start, every manage.py command's checks (#17.6)."""
    import subprocess
    import sys

    code = "import django, sys; django.setup(); import config.urls; print('fpdf' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize("debug", ["true", "false"])
def test_the_web_server_loads_the_search_dictionary_at_start_except_under_debug(debug):
    """In production no search waits for jieba's dictionary (config.asgi loads it at start); under
    DEBUG (`dev.py run`) the first page after a fresh start does not wait for it (#17.6)."""
    import os
    import subprocess
    import sys

    code = "import config.asgi, listings.search as s; print(s.tokenizer.cache_info().currsize)"
    env = {**os.environ, "DEBUG": debug}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert done.stdout.strip().splitlines()[-1] == ("0" if debug == "true" else "1")


def test_healthz_is_green(client):
    r = client.get("/healthz")
    assert r.status_code == 200, r.content
    assert {k: v["status"] for k, v in r.json()["checks"].items()} == {
        "database": "ok",
        "redis": "ok",
        "broker": "ok",
    }


def test_schema_is_valid():
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


@pytest.mark.parametrize("url", ["/", "/api/docs/", "/accounts/login/", "/accounts/signup/"])
def test_first_pages_render(client, url):
    r = client.get(url)
    assert r.status_code == 200


@pytest.mark.parametrize(
    "path", ["/api/v1/listings/", "/api/v1/deals/", "/api/v1/results/", "/api/v1/notices/"]
)
def test_schema_describes_cursor_pages_as_they_are(client, path):
    """API.md: lists are ``{"results": [...], "next": url|null}`` paged by ``cursor``; the
    schema must say so, or clients generated from it cannot read the real response."""
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    get = schema["paths"][path]["get"]
    ref = get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    page = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(page["required"]) == {"results", "next"} and page["properties"]["results"]["type"] == "array"
    assert "cursor" in {p["name"] for p in get.get("parameters", [])}
