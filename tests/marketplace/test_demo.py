import pytest
from django.core.management import call_command

from marketplace.models import Deal, Journal, Offer, PublicNotice, Result, Settlement
from marketplace.services.reconciliation import ledger_check

pytestmark = pytest.mark.django_db


def test_the_marketplace_demo_loads_twice_and_reconciles():
    call_command("load_demo")
    counts = (
        Deal.objects.count(),
        Journal.objects.count(),
        Offer.objects.count(),
        PublicNotice.objects.count(),
    )
    call_command("load_demo")
    assert (
        Deal.objects.count(),
        Journal.objects.count(),
        Offer.objects.count(),
        PublicNotice.objects.count(),
    ) == counts
    statuses = set(Deal.objects.values_list("status", flat=True))
    assert {"settled", "paid", "awaiting_payment"} <= statuses
    assert Settlement.objects.exists() and Result.objects.count() >= 2
    assert Offer.objects.filter(status="open", side="holder").exists()
    assert PublicNotice.objects.filter(status="open").exists()
    assert ledger_check()["mismatches"] == []
