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
