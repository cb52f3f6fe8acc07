"""One database clock: a decision taken after waiting for a lock reads the time AFTER the wait."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction

from core.dbclock import db_now
from core.locks import payable_lock
from marketplace.models import Deal, Payable
from marketplace.services import deal_conclude
from marketplace.services.defaults import deal_default
from tests.marketplace.conftest import make_listing


@pytest.mark.django_db(transaction=True)
def test_a_default_that_waited_for_the_payment_lock_decides_with_the_time_after_the_wait(university, company):
    """The default job starts before the deadline, waits behind a payment holding the balance's
    lock, and gets the lock after the deadline: the deal is overdue at the moment it decides, so it
    defaults. (With ``now()``, the transaction's start, it would wrongly find the deal not yet due.)"""
    deal = deal_conclude(
        listing=make_listing(university), buyer=company, price=Decimal("1000.00"), mode="negotiated"
    )
    due = db_now() + dt.timedelta(seconds=1.5)
    Deal.objects.filter(pk=deal.pk).update(payment_due_at=due)
    Payable.objects.filter(pk=deal.payment_id).update(due_at=due)
    holding, release = threading.Event(), threading.Event()

    def payment_holding_the_lock() -> None:
        try:
            with transaction.atomic():
                payable_lock(deal.payment_id)
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=payment_holding_the_lock)
    holder.start()
    assert holding.wait(10)
    started: list[dt.datetime] = []

    def release_after_the_deadline() -> None:
        time.sleep(2.0)
        release.set()

    threading.Thread(target=release_after_the_deadline).start()
    with transaction.atomic():
        started.append(db_now())  # the job's transaction begins before the deadline
        result = deal_default(deal=deal)
    holder.join(10)
    assert started[0] < due
    assert result.status == Deal.Status.DEFAULTED
    assert result.defaulted_at is not None and result.defaulted_at >= due


def test_db_now_is_the_statement_clock_not_the_transaction_start(db):
    with transaction.atomic():
        first = db_now()
        time.sleep(0.01)
        assert db_now() > first
