"""The jobs through a real Celery worker on the real Redis broker (not just called in-process)."""

import datetime as dt
import time
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app
from marketplace.models import Deal, ReconciliationRun
from marketplace.services import deal_conclude
from marketplace.tasks import deals_default_overdue, ledger_reconcile
from tests.factories import OrganizationFactory

from .conftest import make_listing


def _wait_for(check, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True)
def test_the_default_and_reconciliation_jobs_run_in_a_real_worker():
    holder, buyer = OrganizationFactory(kind="university"), OrganizationFactory()
    deal = deal_conclude(
        listing=make_listing(holder), buyer=buyer, price=Decimal("5000.00"), mode="negotiated"
    )
    Deal.objects.filter(pk=deal.pk).update(
        concluded_at=deal.concluded_at - dt.timedelta(days=30),
        payment_due_at=deal.concluded_at - dt.timedelta(seconds=1),
    )
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30):
        deals_default_overdue.delay()
        ledger_reconcile.delay()
        assert _wait_for(lambda: Deal.objects.get(pk=deal.pk).status == "defaulted")
        assert _wait_for(lambda: ReconciliationRun.objects.filter(status="ok").exists())
