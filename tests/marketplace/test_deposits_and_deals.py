"""Deposits (pending -> frozen -> released | applied | forfeited) and deal conclusion."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Notification, Organization, OrganizationRelation
from marketplace.models import Deal, Journal, LedgerAccount, Payable, Result
from marketplace.selectors import account_balance
from marketplace.services import account_for, deal_conclude, deposit_create, deposit_release
from marketplace.working_days import add_working_days
from tests.factories import OrganizationFactory

from .conftest import bank_pays

pytestmark = pytest.mark.django_db
K = LedgerAccount.Kind
SH = ZoneInfo("Asia/Shanghai")


def test_a_deposit_is_pending_with_an_unguessable_reference_until_paid_in_full(company, auction_listing):
    deposit = deposit_create(
        payer=company, listing=auction_listing, amount=Decimal("20000.00"), idempotency_key="reg:1"
    )
    assert (deposit.kind, deposit.status, deposit.deposit_status) == ("deposit", "pending", "pending")
    assert deposit.payment_reference.startswith("ZJ") and len(deposit.payment_reference) == 16
    other = deposit_create(
        payer=company, listing=auction_listing, amount=Decimal("20000.00"), idempotency_key="reg:2"
    )
    assert other.payment_reference != deposit.payment_reference
    # The same key is the same deposit.
    assert (
        deposit_create(
            payer=company, listing=auction_listing, amount=Decimal("20000.00"), idempotency_key="reg:1"
        ).pk
        == deposit.pk
    )

    bank_pays(deposit, "5000.00")
    assert (deposit.status, deposit.deposit_status, deposit.amount_paid) == (
        "pending",
        "pending",
        Decimal("5000.00"),
    )
    bank_pays(deposit, "15000.00")
    assert (deposit.status, deposit.deposit_status) == ("paid", "frozen")
    assert account_balance(account_for(K.ESCROW_DEPOSITS, company)) == Decimal("-20000.00")
    assert account_balance(account_for(K.BANK_CLEARING)) == Decimal("20000.00")
    assert list(deposit.status_changes.values_list("to_deposit_status", flat=True)) == ["pending", "frozen"]


def test_a_zero_deposit_is_frozen_at_once(company, auction_listing):
    deposit = deposit_create(payer=company, listing=auction_listing, amount=Decimal("0"), idempotency_key="z")
    assert (deposit.status, deposit.deposit_status) == ("paid", "frozen")
    assert deposit_release(payable=deposit).deposit_status == "released"
    assert not Journal.objects.exists()


def test_releasing_a_frozen_deposit_owes_the_money_back_once(company, auction_listing):
    deposit = deposit_create(
        payer=company, listing=auction_listing, amount=Decimal("20000.00"), idempotency_key="r"
    )
    bank_pays(deposit)
    released = deposit_release(payable=deposit)
    assert (released.status, released.deposit_status) == ("paid", "released")
    refund = Payable.objects.get(kind="refund", refund_of=deposit)
    assert (refund.payer, refund.amount, refund.status) == (company, Decimal("20000.00"), "pending")
    assert account_balance(account_for(K.ESCROW_DEPOSITS, company)) == 0
    assert account_balance(account_for(K.REFUNDS_PAYABLE, company)) == Decimal("-20000.00")
    deposit_release(payable=deposit)  # idempotent
    assert Payable.objects.filter(kind="refund").count() == 1
    assert Journal.objects.filter(kind="deposit_released").count() == 1


def test_releasing_an_unpaid_deposit_cancels_it_and_returns_what_was_paid(company, auction_listing):
    deposit = deposit_create(
        payer=company, listing=auction_listing, amount=Decimal("20000.00"), idempotency_key="u"
    )
    bank_pays(deposit, "300.00")
    released = deposit_release(payable=deposit)
    assert (released.status, released.deposit_status) == ("cancelled", "released")
    assert Payable.objects.get(kind="refund").amount == Decimal("300.00")
    # Money arriving later for a released deposit is owed back in full.
    bank_pays(deposit, "19700.00")
    assert deposit.amount_paid == Decimal("300.00")
    assert sorted(Payable.objects.filter(kind="refund").values_list("amount", flat=True)) == [
        Decimal("300.00"),
        Decimal("19700.00"),
    ]


def test_an_auction_deal_applies_the_deposit_and_asks_for_the_rest(company, buyer, auction_listing):
    deposit = deposit_create(
        payer=company, listing=auction_listing, amount=Decimal("20000.00"), idempotency_key="w"
    )
    bank_pays(deposit)
    deal = deal_conclude(
        listing=auction_listing,
        buyer=company,
        price=Decimal("185000.00"),
        mode="auction",
        bid_count=17,
        bidder_count=4,
        deposit=deposit,
    )
    deal.refresh_from_db()
    deposit.refresh_from_db()
    assert (deal.status, deal.seller, deal.buyer, deal.mode, deal.rights) == (
        "awaiting_payment",
        auction_listing.achievement.holder,
        company,
        "auction",
        "transfer",
    )
    assert (deal.applied_deposit, deal.amount_due) == (Decimal("20000.00"), Decimal("165000.00"))
    assert (deposit.deposit_status, deposit.deal_id) == ("applied", deal.pk)
    assert (deal.payment.kind, deal.payment.amount, deal.payment.status) == (
        "balance",
        Decimal("165000.00"),
        "pending",
    )
    assert deal.payment.due_at == deal.payment_due_at
    assert deal.payment_due_at == add_working_days(deal.concluded_at, 10)
    assert account_balance(account_for(K.ESCROW_DEPOSITS, company)) == 0
    assert account_balance(account_for(K.ESCROW_PAYMENTS, company)) == Decimal("-20000.00")
    assert not Result.objects.exists()  # published once paid

    bank_pays(deal.payment)
    deal.refresh_from_db()
    assert deal.status == "paid" and deal.paid_at is not None
    assert account_balance(account_for(K.ESCROW_PAYMENTS, company)) == Decimal("-185000.00")
    result = Result.objects.get(deal=deal)
    assert (result.price, result.buyer, result.bid_count, result.mode) == (
        Decimal("185000.00"),
        company.name,
        17,
        "auction",
    )
    assert Notification.objects.filter(
        kind="deal_concluded", user__memberships__organization=company
    ).exists()


def test_a_deposit_covering_the_price_makes_the_deal_paid_at_once(company, auction_listing):
    deposit = deposit_create(
        payer=company, listing=auction_listing, amount=Decimal("20000.00"), idempotency_key="c"
    )
    bank_pays(deposit)
    deal = deal_conclude(
        listing=auction_listing, buyer=company, price=Decimal("15000.00"), mode="auction", deposit=deposit
    )
    assert deal.status == "paid" and deal.amount_due == 0 and deal.payment.status == "paid"
    # The 5,000.00 above the price is owed back.
    assert Payable.objects.get(kind="refund", refund_of=deposit).amount == Decimal("5000.00")
    assert Result.objects.filter(deal=deal).exists()


def test_an_unfrozen_or_foreign_deposit_cannot_be_applied(company, other_company, auction_listing):
    deposit = deposit_create(
        payer=company, listing=auction_listing, amount=Decimal("20000.00"), idempotency_key="p"
    )
    with pytest.raises(Exception) as exc:
        deal_conclude(
            listing=auction_listing, buyer=company, price=Decimal("1000.00"), mode="auction", deposit=deposit
        )
    assert exc.value.code == "deposit_not_frozen"
    bank_pays(deposit)
    with pytest.raises(Exception) as exc:
        deal_conclude(
            listing=auction_listing,
            buyer=other_company,
            price=Decimal("1000.00"),
            mode="auction",
            deposit=deposit,
        )
    assert exc.value.code == "deposit_mismatch"
    assert not Deal.objects.exists()


def test_one_deal_per_listing_by_the_service_and_by_the_database(company, other_company, listing):
    deal = deal_conclude(listing=listing, buyer=company, price=Decimal("480000.00"), mode="negotiated")
    with pytest.raises(Exception) as exc:
        deal_conclude(listing=listing, buyer=other_company, price=Decimal("490000.00"), mode="negotiated")
    assert exc.value.code == "deal_exists"
    with pytest.raises(IntegrityError), transaction.atomic():
        Deal.objects.create(
            listing=listing,
            mode="negotiated",
            rights="transfer",
            price=Decimal("1.00"),
            buyer=other_company,
            seller=deal.seller,
            concluded_at=deal.concluded_at,
            payment_due_at=deal.payment_due_at,
            amount_due=Decimal("1.00"),
        )


def test_the_holder_and_related_parties_cannot_buy(university, listing):
    with pytest.raises(Exception) as exc:
        deal_conclude(listing=listing, buyer=university, price=Decimal("1.00"), mode="negotiated")
    assert exc.value.code == "related_party"
    affiliate = OrganizationFactory(kind=Organization.Kind.ENTERPRISE)
    low, high = sorted([university, affiliate], key=lambda o: o.pk)
    OrganizationRelation.objects.create(
        low=low, high=high, kind="全资子公司", declared_by=university.created_by
    )
    with pytest.raises(Exception) as exc:
        deal_conclude(listing=listing, buyer=affiliate, price=Decimal("1.00"), mode="negotiated")
    assert exc.value.code == "related_party"


@pytest.mark.parametrize(
    ("concluded", "due"),
    [
        # Monday + 10 working days: two weekends skipped.
        (dt.datetime(2026, 11, 2, 15, 0, tzinfo=SH), dt.date(2026, 11, 16)),
        # Friday night: the weekend does not count.
        (dt.datetime(2026, 11, 20, 23, 30, tzinfo=SH), dt.date(2026, 12, 4)),
        # Before the National Day week (Oct 1-7 off, Sat Oct 10 a make-up working day).
        (dt.datetime(2026, 9, 30, 10, 0, tzinfo=SH), dt.date(2026, 10, 20)),
    ],
)
def test_payment_is_due_at_the_end_of_the_tenth_working_day(concluded, due):
    # The conclusion day itself does not count. After Sept 30: Oct 8, 9, 10 (make-up), 12-16, 19, 20.
    end = add_working_days(concluded, 10)
    assert end.tzinfo is not None
    assert end.astimezone(SH) == dt.datetime.combine(due + dt.timedelta(days=1), dt.time(), tzinfo=SH)


def test_a_deal_closes_the_listing_and_converts_the_achievement(company, listing):
    deal_conclude(listing=listing, buyer=company, price=Decimal("480000.00"), mode="negotiated")
    listing.refresh_from_db()
    listing.achievement.refresh_from_db()
    assert listing.status == "closed"
    assert (listing.achievement.conversion_status, listing.achievement.conversion_method) == (
        "converted",
        "transfer",
    )


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_conclusions_of_one_listing_make_one_deal():
    import threading

    from django.db import connection

    from .conftest import make_listing

    holder = OrganizationFactory(kind="university")
    listing = make_listing(holder)
    buyers = [OrganizationFactory() for _ in range(4)]
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def conclude(buyer):
        try:
            barrier.wait()
            deal_conclude(listing=listing, buyer=buyer, price=Decimal("1000.00"), mode="negotiated")
            outcomes.append("deal")
        except Exception as exc:  # the refusal is the point
            outcomes.append(getattr(exc, "code", type(exc).__name__))
        finally:
            connection.close()

    threads = [threading.Thread(target=conclude, args=(b,)) for b in buyers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["deal", "deal_exists", "deal_exists", "deal_exists"]
    assert Deal.objects.filter(listing=listing).count() == 1
    assert Payable.objects.filter(kind="balance").count() == 1


def test_a_year_without_its_calendar_still_keeps_the_holidays_the_law_dates(settings):
    """No 2027 calendar yet: 1 January 2027 (a Friday) is still a holiday, so a buyer who concluded
    on 28 December 2026 gets ten real working days; the lunar holidays need the calendar."""
    assert not any(d.startswith("2027") for d in settings.MARKET["HOLIDAYS"])
    end = add_working_days(dt.datetime(2026, 12, 28, 10, 0, tzinfo=SH), 10)
    # Dec 29, 30, 31, (Jan 1 off), Jan 4-8, 11, 12
    assert end.astimezone(SH).date() == dt.date(2027, 1, 13)
    # Once a 2027 calendar is entered it alone decides: this made-up one lists only 10 February.
    settings.MARKET = {**settings.MARKET, "HOLIDAYS": [*settings.MARKET["HOLIDAYS"], "2027-02-10"]}
    assert add_working_days(dt.datetime(2026, 12, 28, 10, 0, tzinfo=SH), 10).astimezone(SH).date() == dt.date(
        2027, 1, 12
    )


def test_the_missing_calendar_is_told_to_the_operators(settings, time_machine, client, operator):
    """Once payment deadlines can reach a year without its published calendar, the console says
    so (it is data the deployment enters, not a configuration error: check --deploy stays quiet)."""
    from marketplace.working_days import calendar_missing_years

    time_machine.move_to(dt.datetime(2026, 11, 21, 12, 0, tzinfo=SH))
    assert calendar_missing_years() == [2027]
    client.force_login(operator)
    assert "节假日安排待录入" in client.get("/console/").content.decode()
    settings.MARKET = {**settings.MARKET, "HOLIDAYS": [*settings.MARKET["HOLIDAYS"], "2027-01-01"]}
    assert calendar_missing_years() == []
    assert "节假日安排待录入" not in client.get("/console/").content.decode()
    time_machine.move_to(dt.datetime(2026, 6, 1, 12, 0, tzinfo=SH))  # deadlines stay within 2026
    settings.MARKET = {**settings.MARKET, "HOLIDAYS": [d for d in settings.MARKET["HOLIDAYS"] if d < "2027"]}
    assert calendar_missing_years() == []
