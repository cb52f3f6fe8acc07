"""Randomized money flows, then the reconciliation: zero mismatches, every journal sums to zero.
And a deliberately broken ledger is caught."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.db import connection

from accounts.models import Notification
from marketplace.models import Deal, Journal, LedgerAccount, LedgerEntry, Payable, ReconciliationRun
from marketplace.services import deal_conclude, deposit_create, deposit_release
from marketplace.services.brokers import deal_broker_name
from marketplace.services.confirmation import deal_confirmation_sign
from marketplace.services.defaults import deal_default
from marketplace.services.payments import payable_confirm
from marketplace.services.reconciliation import ledger_check, ledger_reconcile
from marketplace.services.settlement import deal_release_for_settlement
from marketplace.tasks import ledger_reconcile as ledger_reconcile_task
from tests.factories import OrganizationFactory, broker_mandate, broker_profile, member_of

from .conftest import bank_pays, make_listing

pytestmark = pytest.mark.django_db


def _make_overdue(deal: Deal) -> None:
    Deal.objects.filter(pk=deal.pk).update(
        concluded_at=deal.concluded_at - dt.timedelta(days=40),
        payment_due_at=deal.concluded_at - dt.timedelta(seconds=1),
    )


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_random_flows_reconcile_with_zero_mismatches(seed, university, operator):
    rng = random.Random(seed)
    buyers = [OrganizationFactory() for _ in range(3)]
    broker = broker_profile()

    def amount(lo: int, hi: int) -> Decimal:
        return Decimal(rng.randint(lo * 100, hi * 100)) / 100

    for round_no in range(6):
        listing = make_listing(university, mode=rng.choice(["auction", "negotiated"]))
        deposits = [
            deposit_create(
                payer=b, listing=listing, amount=amount(0, 5000), idempotency_key=f"{seed}:{round_no}:{b.pk}"
            )
            for b in buyers
        ]
        for d in deposits:  # pay in full, in parts, too much, or not at all
            choice = rng.random()
            if d.amount == 0 or choice < 0.15:
                continue
            if choice < 0.4:
                bank_pays(d, max(Decimal("0.01"), (d.amount / 3).quantize(Decimal("0.01"))))
            if choice > 0.85:
                bank_pays(d, d.outstanding + amount(1, 50))
            elif d.status == "pending":
                bank_pays(d)
        frozen = [d for d in deposits if Payable.objects.get(pk=d.pk).deposit_status == "frozen"]
        winner = rng.choice(frozen) if frozen and rng.random() < 0.85 else None
        for d in deposits:
            if winner is None or d.pk != winner.pk:
                deposit_release(payable=d)
        if winner is None:
            continue
        brokered = rng.random() < 0.5
        if brokered:
            broker_mandate(listing, broker, rate=str(amount(5, 40) / 100))
        deal = deal_conclude(
            listing=listing, buyer=winner.payer, price=amount(1000, 900000), mode="auction", deposit=winner
        )
        if brokered:
            deal = deal_broker_name(deal=deal, actor=member_of(winner.payer), broker=broker)
        deal.refresh_from_db()
        # Both sign the 成交确认书 (nothing is settled or paid out before).
        deal_confirmation_sign(deal=deal, actor=member_of(deal.buyer))
        deal_confirmation_sign(deal=deal, actor=member_of(university))
        fate = rng.random()
        if deal.status == "awaiting_payment":
            if fate < 0.25:
                if rng.random() < 0.5:
                    bank_pays(deal.payment, (deal.amount_due / 2).quantize(Decimal("0.01")))
                _make_overdue(deal)
                deal_default(deal=deal)
                continue
            if fate < 0.5:
                payable_confirm(
                    payable=deal.payment,
                    actor=operator,
                    note="线下转账",
                    bank_transaction_id=f"OFF-{seed}-{round_no}",
                )
            else:
                bank_pays(deal.payment, deal.amount_due + (amount(1, 100) if fate > 0.9 else 0))
        if rng.random() < 0.7:
            deal_release_for_settlement(deal=deal, actor=operator, reason="随机结算")
        # pay out some of what is owed
        for owed in Payable.objects.filter(kind__in=["refund", "payout"], status="pending"):
            if rng.random() < 0.5:
                payable_confirm(
                    payable=owed, actor=operator, note="已付出", bank_transaction_id=f"OUT-{owed.pk}"
                )

    outcome = ledger_check()
    assert outcome["mismatches"] == []
    assert outcome["journals"] == Journal.objects.count() > 0
    with connection.cursor() as c:
        c.execute(
            "SELECT count(*) FROM (SELECT journal_id FROM marketplace_ledgerentry GROUP BY journal_id HAVING sum(amount) <> 0) x"
        )
        assert c.fetchone()[0] == 0
    run = ledger_reconcile()
    assert (run.status, run.mismatch_count) == ("ok", 0)


def test_a_mismatch_is_recorded_and_reported_to_operators(university, company, operator):
    deposit = deposit_create(
        payer=company, listing=make_listing(university), amount=Decimal("100.00"), idempotency_key="x"
    )
    bank_pays(deposit)
    # Someone changes a payable behind the ledger's back.
    Payable.objects.filter(pk=deposit.pk).update(
        amount_paid=Decimal("90.00"), status="pending", deposit_status="pending"
    )
    assert ledger_reconcile_task() >= 2
    run = ReconciliationRun.objects.get()
    checks = {m["check"] for m in run.mismatches}
    assert run.status == "mismatch" and {"payable_paid", "account_balance"} <= checks
    assert Notification.objects.filter(user=operator, kind="reconciliation_mismatch").exists()
    assert LedgerEntry.objects.filter(account__kind=LedgerAccount.Kind.ESCROW_DEPOSITS).count() == 1
