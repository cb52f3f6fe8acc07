"""The demo puts its overdue applied achievements on the use-first list, once."""

import pytest
from django.core.management import call_command

from conversion.models import UseFirstEntry

pytestmark = pytest.mark.django_db


def test_demo_fills_the_use_first_list_idempotently(api):
    call_command("load_demo")
    entries = list(UseFirstEntry.objects.filter(closed_on__isnull=True))
    assert len(entries) >= 2
    assert any(e.free_license_eligible for e in entries) and not all(e.free_license_eligible for e in entries)
    for e in entries:  # its platform listing, or none because the holder's own listing is on offer
        if e.listing is not None:
            assert (e.listing.rights, e.listing.status) == ("use_first", "published")
        else:
            assert e.achievement.listings.filter(status="published").exists()
    assert sum(e.listing is not None for e in entries) >= 2
    call_command("load_demo")
    assert UseFirstEntry.objects.count() == len(entries)
    rows = api.get("/api/v1/use-first/").json()["results"]
    assert {r["achievement"] for r in rows} == {e.achievement_id for e in entries}
