"""A deal unpaid at payment_due_at defaults: deposit forfeited, credit event, notices, relistable."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import Notification
from marketplace.models import CreditEvent, Deal, LedgerAccount, Payable
from marketplace.selectors import account_balance
from marketplace.services import account_for, deal_conclude, deposit_create
from marketplace.tasks import deals_default_overdue
from tests.factories import member_of

from .conftest import bank_pays

pytestmark = pytest.mark.django_db
K = LedgerAccount.Kind


def _overdue(deal: Deal) -> None:
    """Move the deadline into the past (as if the days had gone by)."""
    Deal.objects.filter(pk=deal.pk).update(
        concluded_at=deal.concluded_at - dt.timedelta(days=30),
        payment_due_at=deal.concluded_at - dt.timedelta(seconds=1),
    )
    Payable.objects.filter(pk=deal.payment_id).update(due_at=deal.concluded_at - dt.timedelta(seconds=1))


def test_an_overdue_auction_deal_defaults_and_the_deposit_is_forfeited(
    company, university, operator, auction_listing
):
    holder, buyer_user = member_of(university), member_of(company)
    deposit = deposit_create(
        payer=company, listing=auction_listing, amount=Decimal("20000.00"), idempotency_key="d"
    )
    bank_pays(deposit)
    deal = deal_conclude(
        listing=auction_listing, buyer=company, price=Decimal("150000.00"), mode="auction", deposit=deposit
    )
    bank_pays(deal.payment, "30000.00")  # part of the balance
    assert deals_default_overdue() == 0  # not due yet
    _overdue(deal)
    assert deals_default_overdue() == 1
    assert deals_default_overdue() == 0  # idempotent
    deal.refresh_from_db()
    deposit.refresh_from_db()
    assert deal.status == "defaulted" and deal.defaulted_at is not None
    assert deposit.deposit_status == "forfeited"
    assert Payable.objects.get(pk=deal.payment_id).status == "cancelled"
    assert account_balance(account_for(K.FORFEITS)) == Decimal("-20000.00")
    assert account_balance(account_for(K.ESCROW_PAYMENTS, company)) == 0
    refund = Payable.objects.get(kind="refund", deal=deal)
    assert refund.amount == Decimal("30000.00")
    event = CreditEvent.objects.get(organization=company)
    assert event.kind == "deal_default" and event.deal == deal
    for user in (holder, operator, buyer_user):
        assert Notification.objects.filter(user=user, kind="deal_defaulted").exists()
    auction_listing.achievement.refresh_from_db()
    assert auction_listing.achievement.conversion_status == "unconverted"
    # Relistable: a new deal on the same listing row is no longer blocked by the defaulted one.
    assert not Deal.objects.filter(listing=auction_listing).exclude(status="defaulted").exists()


def test_a_paid_deal_never_defaults(company, listing):
    deal = deal_conclude(listing=listing, buyer=company, price=Decimal("1000.00"), mode="negotiated")
    bank_pays(deal.payment)
    _overdue(deal)
    assert deals_default_overdue() == 0
    deal.refresh_from_db()
    assert deal.status == "paid"


def test_after_a_default_the_holder_lists_the_achievement_again(company, university, listing):
    from listings.services import listing_create

    deal = deal_conclude(listing=listing, buyer=company, price=Decimal("1000.00"), mode="negotiated")
    _overdue(deal)
    deals_default_overdue()
    relisted = listing_create(
        actor=member_of(university),
        achievement=listing.achievement,
        mode="negotiated",
        rights="transfer",
        asking_price=Decimal("900.00"),
        notice_days=15,
    )
    assert relisted.status == "draft" and relisted.pk != listing.pk


@pytest.mark.django_db(transaction=True)
def test_a_payment_racing_the_default_job_leaves_one_consistent_outcome():
    """The bank's credit and the default job take the balance payable's lock first, then the deal's:
    whichever wins, the other sees its result. Paid: no default. Defaulted: the late money is owed back."""
    import threading

    from django.db import connection

    from marketplace.services.reconciliation import ledger_check
    from tests.factories import OrganizationFactory

    from .conftest import make_listing

    holder = OrganizationFactory(kind="university")
    outcomes = set()
    for round_no in range(4):
        buyer = OrganizationFactory()
        deal = deal_conclude(
            listing=make_listing(holder), buyer=buyer, price=Decimal("5000.00"), mode="negotiated"
        )
        _overdue(deal)
        barrier = threading.Barrier(2)

        def pay(deal=deal, round_no=round_no, barrier=barrier):
            try:
                barrier.wait()
                bank_pays(deal.payment, txn=f"RACE-{round_no}")
            finally:
                connection.close()

        def default(barrier=barrier):
            try:
                barrier.wait()
                deals_default_overdue()
            finally:
                connection.close()

        threads = [threading.Thread(target=pay), threading.Thread(target=default)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        deal.refresh_from_db()
        assert deal.status in ("paid", "defaulted")
        refunds = Payable.objects.filter(kind="refund", deal=deal)
        if deal.status == "paid":
            assert not refunds.exists() and not CreditEvent.objects.filter(deal=deal).exists()
        else:
            assert (
                refunds.get().amount == Decimal("5000.00") and CreditEvent.objects.filter(deal=deal).exists()
            )
        outcomes.add(deal.status)
    assert ledger_check()["mismatches"] == []
