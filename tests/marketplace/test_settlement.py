"""Settlement: the split (property-tested), the journal, payouts, and the holder's contract registration."""

from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from marketplace.models import Journal, LedgerAccount, Payable, Result, SettlementPolicy
from marketplace.selectors import account_balance
from marketplace.services import account_for, deal_conclude
from marketplace.services.brokers import deal_broker_name
from marketplace.services.confirmation import deal_confirmation_sign
from marketplace.services.settlement import FeeTier, deal_settle, platform_fee, settlement_split
from tests.conftest import client_for
from tests.factories import OrganizationFactory, broker_mandate, broker_profile, member_of

from .conftest import bank_pays

K = LedgerAccount.Kind
SCHEDULE = [
    FeeTier(Decimal("1000000"), Decimal("0.03")),
    FeeTier(Decimal("5000000"), Decimal("0.02")),
    FeeTier(None, Decimal("0.01")),
]

prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999999.99"), places=2)
rates = st.decimals(min_value=Decimal("0"), max_value=Decimal("0.2"), places=4)
shares = st.decimals(min_value=Decimal("0"), max_value=Decimal("1"), places=4)


@st.composite
def schedules(draw):
    bounds = sorted(
        set(
            draw(
                st.lists(st.decimals(min_value=Decimal("1"), max_value=Decimal("1e10"), places=2), max_size=4)
            )
        )
    )
    tiers = [FeeTier(b, draw(rates)) for b in bounds] + [FeeTier(None, draw(rates))]
    return tiers, draw(st.decimals(min_value=Decimal("0"), max_value=Decimal("100000"), places=2))


@hsettings(max_examples=500, deadline=None)
@given(price=prices, schedule=schedules(), inventors=shares, broker=shares, has_broker=st.booleans())
def test_parts_are_non_negative_and_sum_exactly_to_the_price(price, schedule, inventors, broker, has_broker):
    if inventors + broker > 1:
        inventors = 1 - broker
    tiers, minimum = schedule
    split = settlement_split(
        price=price,
        tiers=tiers,
        minimum=minimum,
        inventors_share=inventors,
        broker_share=broker,
        has_broker=has_broker,
    )
    parts = (split.platform_fee, split.inventors, split.broker, split.holder)
    assert all(p >= 0 for p in parts)
    assert all(p == p.quantize(Decimal("0.01")) for p in parts)
    assert sum(parts) == price
    assert split.platform_fee <= price
    assert has_broker or split.broker == 0


def test_the_fee_is_marginal_by_tier_with_a_minimum():
    assert platform_fee(Decimal("10000.00"), SCHEDULE, Decimal("1000.00")) == Decimal("1000.00")  # minimum
    assert platform_fee(Decimal("500.00"), SCHEDULE, Decimal("1000.00")) == Decimal(
        "500.00"
    )  # never above the price
    assert platform_fee(Decimal("1000000.00"), SCHEDULE, Decimal("1000.00")) == Decimal("30000.00")
    # 30,000 on the first million + 2% of the next 1.5 million.
    assert platform_fee(Decimal("2500000.00"), SCHEDULE, Decimal("1000.00")) == Decimal("60000.00")
    assert platform_fee(Decimal("6000000.00"), SCHEDULE, Decimal("1000.00")) == Decimal("120000.00")
    assert platform_fee(Decimal("33333.33"), SCHEDULE, Decimal("0")) == Decimal("1000.00")  # 999.9999 half-up


def test_the_holder_takes_the_rounding_remainder():
    split = settlement_split(
        price=Decimal("100000.01"),
        tiers=SCHEDULE,
        minimum=Decimal("0"),
        inventors_share=Decimal("0.3333"),
        broker_share=Decimal("0.0500"),
        has_broker=True,
    )
    assert split.platform_fee == Decimal("3000.00")
    # net 97,000.01: inventors 32,330.1033... and broker 4,850.0005 are rounded down; the holder
    # gets the rest, including the fractions of a fen the other two left.
    assert (split.inventors, split.broker, split.holder) == (
        Decimal("32330.10"),
        Decimal("4850.00"),
        Decimal("59819.91"),
    )


@pytest.fixture
def paid_deal(db, company, listing):
    broker = broker_profile(OrganizationFactory(name="浙江省技术转移服务中心", kind="agency"))
    broker_mandate(listing, broker, rate="0.0800")
    deal = deal_conclude(listing=listing, buyer=company, price=Decimal("480000.00"), mode="negotiated")
    deal = deal_broker_name(deal=deal, actor=member_of(company), broker=broker)
    bank_pays(deal.payment)
    deal.refresh_from_db()
    return deal


@pytest.mark.django_db
def test_settling_moves_the_price_out_of_escrow_into_the_shares(paid_deal, company, university, buyer):
    sign_both(paid_deal, buyer, member_of(university))
    SettlementPolicy.objects.create(
        organization=university, inventors_share=Decimal("0.7000"), broker_share=Decimal("0.0500")
    )
    settlement = deal_settle(deal=paid_deal)
    # fee 3% = 14,400.00; net 465,600.00; inventors 70% = 325,920.00; broker 8% = 37,248.00; holder the rest.
    assert (
        settlement.platform_fee,
        settlement.inventors_amount,
        settlement.broker_amount,
        settlement.holder_amount,
    ) == (
        Decimal("14400.00"),
        Decimal("325920.00"),
        Decimal("37248.00"),
        Decimal("102432.00"),
    )
    paid_deal.refresh_from_db()
    assert paid_deal.status == "settled" and paid_deal.settled_at is not None
    assert account_balance(account_for(K.ESCROW_PAYMENTS, company)) == 0
    assert account_balance(account_for(K.PLATFORM_FEE_REVENUE)) == Decimal("-14400.00")
    assert account_balance(account_for(K.HOLDER_PAYABLE, university)) == Decimal("-102432.00")
    payouts = {p.payout_account: p.amount for p in Payable.objects.filter(kind="payout")}
    assert payouts == {
        "holder_payable": Decimal("102432.00"),
        "inventors_payable": Decimal("325920.00"),
        "broker_payable": Decimal("37248.00"),
    }
    assert deal_settle(deal=paid_deal).pk == settlement.pk  # idempotent
    assert Journal.objects.filter(kind="settlement").count() == 1


def sign_both(deal, buyer, holder):
    deal_confirmation_sign(deal=deal, actor=buyer)
    deal_confirmation_sign(deal=deal, actor=holder)


@pytest.mark.django_db
def test_the_holder_registers_the_contract_and_the_deal_is_settled(paid_deal, university, buyer):
    holder = member_of(university)
    sign_both(paid_deal, buyer, holder)
    number = f"{timezone.localdate().year}330106012345"
    url = f"/api/v1/deals/{paid_deal.pk}/contract-registration/"
    r = client_for(buyer).post(url, {"contract_registration_no": number})
    assert r.status_code == 403
    r = client_for(holder).post(url, {"contract_registration_no": number})
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["contract_registration_no"]) == ("settled", number)
    assert Result.objects.get(deal=paid_deal).contract_registration_no == number
    assert client_for(holder).post(url, {"contract_registration_no": number}).status_code == 409
    body = client_for(holder).get(f"/api/v1/deals/{paid_deal.pk}/settlement/").json()
    assert body["settlement"]["holder_amount"] and [j["kind"] for j in body["journals"]] == [
        "payment_received",
        "settlement",
    ]
    assert sum(Decimal(e["amount"]) for j in body["journals"] for e in j["entries"]) == 0


@pytest.mark.django_db
def test_an_unpaid_deal_cannot_be_settled(company, listing, operator):
    deal = deal_conclude(listing=listing, buyer=company, price=Decimal("1000.00"), mode="negotiated")
    r = client_for(operator).post(f"/api/v1/deals/{deal.pk}/settle/", {"reason": "测试"})
    assert r.status_code == 409 and r.json()["code"] == "deal_not_paid"


@pytest.mark.django_db
def test_the_holder_admin_sets_its_policy_with_at_least_five_percent_for_brokers(university, buyer, operator):
    admin, member = member_of(university), member_of(university, "member")
    url = f"/api/v1/settlement-policies/{university.pk}/"
    assert client_for(member).get(url).json() == {
        "organization": university.pk,
        "inventors_share": "0.5000",
        "broker_share": "0.0500",
        "is_default": True,
    }
    r = client_for(admin).put(url, {"inventors_share": "0.6000", "broker_share": "0.0400"})
    assert r.status_code == 422 and r.json()["code"] == "broker_share_too_low"
    assert (
        client_for(admin).put(url, {"inventors_share": "0.9600", "broker_share": "0.0500"}).json()["code"]
        == "invalid_shares"
    )
    assert client_for(member).put(url, {"inventors_share": "0.6", "broker_share": "0.1"}).status_code == 403
    assert client_for(buyer).get(url).status_code == 404
    r = client_for(admin).put(url, {"inventors_share": "0.6000", "broker_share": "0.1000"})
    assert r.status_code == 200 and r.json()["is_default"] is False
    assert client_for(operator).get(url).json()["inventors_share"] == "0.6000"
