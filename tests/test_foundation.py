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
