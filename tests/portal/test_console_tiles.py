"""Each console tile counts what the page it opens lists (the same queue selector), on the demo
market plus one item in every queue the demo leaves empty."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import resolve
from django.utils import timezone

from marketplace.models import Deal, ReconciliationRun
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

# How many rows a page shows, read from what the view rendered (its template context).
ROWS = {
    "accounts:console_organizations": lambda c: len(c["queue"]),
    "auctions:console_live": lambda c: len(c["auctions"]),
    "marketplace:console_payments": lambda c: len(c["rows"]),
    "marketplace:console_defaults": lambda c: len(c["defaulted"]) + len(c["overdue"]),
    "listings:console_listings": lambda c: len(c["queue"]),
    "marketplace:console_notices": lambda c: len(c["notices"]),
    "marketplace:console_reconciliation": lambda c: len(c["runs"]),
    "listings:console_use_first": lambda c: len(c["rows"]),
    "marketplace:console_use_first_applications": lambda c: len(c["rows"]),
    "listings:console_overdue": lambda c: len(c["overdue"]),
    "discovery:console_demands": lambda c: len(c["rows"]),
    "discovery:console_questions": lambda c: len(c["rows"]),
    "discovery:console_peer_reviews": lambda c: len(c["rows"]),
    "risk_alerts": lambda c: len(c["rows"]),
    "discovery:console_use_reports": lambda c: len(c["rows"]),
}


def _fill_empty_queues() -> None:
    OrganizationFactory(status="pending")
    ReconciliationRun.objects.create(started_at=timezone.now(), status=ReconciliationRun.Status.MISMATCH)
    ReconciliationRun.objects.create(started_at=timezone.now(), status=ReconciliationRun.Status.OK)
    deal = Deal.objects.filter(status=Deal.Status.AWAITING_PAYMENT).first()
    if deal is not None:  # overdue, not yet defaulted by the job: on the defaults page
        earlier = timezone.now() - dt.timedelta(days=20)
        Deal.objects.filter(pk=deal.pk).update(
            concluded_at=earlier, payment_due_at=earlier + dt.timedelta(days=14)
        )


def test_every_tile_counts_the_rows_of_the_page_it_opens(operator):
    call_command("load_demo")
    _fill_empty_queues()
    client = Client()
    client.force_login(operator)
    response = client.get("/console/")
    assert response.status_code == 200
    seen = set()
    for section in response.context["sections"]:
        name = resolve(urlsplit(section["url"]).path).view_name
        seen.add(name)
        page = client.get(section["url"])
        assert page.status_code == 200, name
        assert section["count"] == ROWS[name](page.context), f"{section['title']}: tile and page differ"
    assert seen >= set(ROWS), "a queue page lost its tile"
