"""Technology brokers (技术经理人, #16 part 5): profiles, mandates, the buyer naming its broker, the
commission as the settlement's broker line at the mandate's rate, contribution points, the ranking."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from accounts.models import Membership, Notification, Organization
from marketplace.models import BrokerPoints, Payable
from marketplace.services import deal_conclude
from marketplace.services.brokers import deal_broker_name, points_for
from marketplace.services.settlement import deal_settle
from tests.conftest import client_for
from tests.factories import OrganizationFactory, broker_mandate, broker_profile, member_of

from .conftest import bank_pays, both_sign, make_listing

pytestmark = pytest.mark.django_db

IN_A_MONTH = (timezone.localdate() + dt.timedelta(days=30)).isoformat()


def test_a_broker_records_its_profile_only_for_an_organization_it_brokers_for(buyer):
    agency = OrganizationFactory(kind=Organization.Kind.AGENCY, name="浙江省技术转移中心")
    person = member_of(agency, Membership.Role.BROKER)
    body = {
        "organization": agency.pk,
        "name": "王经理",
        "certificate_no": "zjjl-0001",
        "fields": ["electronics", "new_energy"],
    }
    r = client_for(person).post("/api/v1/brokers/", body, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["certificate_no"] == "ZJJL-0001" and r.json()["points"] == 0
    r = client_for(person).post("/api/v1/brokers/", {**body, "name": "王伟"}, format="json")
    assert r.status_code == 200 and r.json()["name"] == "王伟"
    # a plain member of another organization cannot act as a broker for the agency
    assert client_for(buyer).post("/api/v1/brokers/", body, format="json").status_code == 403
    other = member_of(agency, Membership.Role.BROKER)
    r = client_for(other).post("/api/v1/brokers/", body, format="json")
    assert r.status_code == 409 and r.json()["code"] == "certificate_taken"


def test_only_the_holder_gives_a_mandate_at_no_less_than_the_minimum_share(listing, buyer, university):
    broker = broker_profile()
    holder = member_of(university, Membership.Role.MEMBER)
    approver = member_of(university, Membership.Role.APPROVER)
    url = f"/api/v1/listings/{listing.pk}/mandates/"
    body = {"broker": broker.pk, "commission_rate": "0.0400", "ends_on": IN_A_MONTH}
    r = client_for(holder).post(url, body, format="json")
    assert r.status_code == 422 and r.json()["code"] == "broker_share_too_low"
    body["commission_rate"] = "0.0800"
    assert client_for(buyer).post(url, body, format="json").status_code == 403
    assert client_for(approver).post(url, body, format="json").status_code == 403
    r = client_for(holder).post(url, body, format="json")
    assert r.status_code == 201, r.content
    assert (r.json()["status"], r.json()["commission_rate"]) == ("active", "0.0800")
    assert client_for(holder).post(url, body, format="json").json()["code"] == "mandate_exists"
    assert Notification.objects.filter(user=broker.user, kind="mandate_given").exists()
    # anyone reads the active mandates of a published listing
    assert [m["broker_name"] for m in client_for(buyer).get(url).json()["results"]] == [broker.name]


@override_settings(MARKET={**settings.MARKET, "BROKER_SHARE_MIN": "0.10"})
def test_the_minimum_share_is_the_market_setting(listing, university):
    holder = member_of(university, Membership.Role.MEMBER)
    r = client_for(holder).post(
        f"/api/v1/listings/{listing.pk}/mandates/",
        {"broker": broker_profile().pk, "commission_rate": "0.0800", "ends_on": IN_A_MONTH},
        format="json",
    )
    assert r.status_code == 422 and r.json()["code"] == "broker_share_too_low"


def test_the_buyer_names_the_broker_and_its_mandate_rate_is_the_settlement_line(
    listing, company, university, operator
):
    broker = broker_profile(name="李经理")
    broker_mandate(listing, broker, rate="0.1000")
    deal = deal_conclude(listing=listing, buyer=company, price=Decimal("480000.00"), mode="negotiated")
    url = f"/api/v1/deals/{deal.pk}/broker/"
    seller_member = member_of(university, Membership.Role.MEMBER)
    assert client_for(seller_member).post(url, {"broker": broker.pk}).status_code == 403
    stranger = broker_profile()
    r = client_for(member_of(company)).post(url, {"broker": stranger.pk})
    assert r.status_code == 422 and r.json()["code"] == "no_mandate"
    r = client_for(member_of(company)).post(url, {"broker": broker.pk})
    assert r.status_code == 200 and r.json()["mandate"] is not None
    r = client_for(member_of(company)).post(url, {"broker": broker.pk})
    assert r.status_code == 409 and r.json()["code"] == "broker_already_named"
    assert Notification.objects.filter(user=broker.user, kind="deal_broker_named").exists()

    bank_pays(deal.payment)
    both_sign(deal)
    settlement = deal_settle(deal=deal)
    # fee 3% = 14,400.00; net 465,600.00; inventors 50% = 232,800.00; broker 10% (the mandate's) = 46,560.00
    assert (settlement.broker_share, settlement.broker_amount) == (Decimal("0.1000"), Decimal("46560.00"))
    assert settlement.inventors_amount == Decimal("232800.00")
    payout = Payable.objects.get(kind="payout", payout_account="broker_payable", deal=deal)
    assert (payout.payer_id, payout.amount) == (broker.organization_id, Decimal("46560.00"))
    # points: 10 base + 4 whole 100,000s
    points = BrokerPoints.objects.get(deal=deal)
    assert points.points == 14 == points_for(Decimal("480000.00"), points.rule)
    broker.refresh_from_db()
    assert (broker.points, broker.deal_count) == (14, 1)
    body = client_for(operator).get(f"/api/v1/brokers/{broker.pk}/").json()
    assert body["points"] == 14 and [d["deal"] for d in body["deals"]] == [deal.pk]
    assert Notification.objects.filter(user=broker.user, kind="broker_points").exists()


def test_a_deal_without_a_named_broker_pays_no_commission(listing, company):
    broker_mandate(listing)
    deal = deal_conclude(listing=listing, buyer=company, price=Decimal("100000.00"), mode="negotiated")
    bank_pays(deal.payment)
    both_sign(deal)
    settlement = deal_settle(deal=deal)
    assert (settlement.broker_amount, settlement.broker_share) == (Decimal("0.00"), Decimal("0"))
    assert not BrokerPoints.objects.exists()


def test_revoking_works_at_once_but_not_backwards(listing, company, university):
    broker = broker_profile()
    mandate = broker_mandate(listing, broker)
    deal = deal_conclude(listing=listing, buyer=company, price=Decimal("100000.00"), mode="negotiated")
    holder = member_of(university, Membership.Role.MEMBER)
    r = client_for(holder).post(f"/api/v1/mandates/{mandate.pk}/revoke/", {"reason": "合作终止"})
    assert r.status_code == 200 and r.json()["status"] == "revoked"
    assert (
        client_for(holder).post(f"/api/v1/mandates/{mandate.pk}/revoke/", {"reason": "x"}).status_code == 409
    )
    # the deal was concluded while the mandate held: the buyer may still name the broker
    deal = deal_broker_name(deal=deal, actor=member_of(company), broker=broker)
    assert deal.mandate_id == mandate.pk
    # a listing concluded after the revocation: no mandate
    later = make_listing(university)
    m2 = broker_mandate(later, broker)
    client_for(holder).post(f"/api/v1/mandates/{m2.pk}/revoke/", {"reason": "合作终止"})
    deal2 = deal_conclude(listing=later, buyer=company, price=Decimal("100000.00"), mode="negotiated")
    r = client_for(member_of(company)).post(f"/api/v1/deals/{deal2.pk}/broker/", {"broker": broker.pk})
    assert r.status_code == 422 and r.json()["code"] == "no_mandate"


def test_a_broker_of_the_buyer_itself_earns_no_commission_from_the_seller(listing, company):
    broker = broker_profile(company)
    broker_mandate(listing, broker)
    deal = deal_conclude(listing=listing, buyer=company, price=Decimal("100000.00"), mode="negotiated")
    r = client_for(member_of(company)).post(f"/api/v1/deals/{deal.pk}/broker/", {"broker": broker.pk})
    assert r.status_code == 422 and r.json()["code"] == "broker_is_buyer"


def test_the_ranking_orders_by_points(api):
    low, high = broker_profile(name="甲"), broker_profile(name="乙")
    type(low).objects.filter(pk=low.pk).update(points=5)
    type(high).objects.filter(pk=high.pk).update(points=50)
    body = api.get("/api/v1/brokers/").json()
    assert [b["name"] for b in body["results"]] == ["乙", "甲"]
    assert api.get(f"/api/v1/brokers/{high.pk}/").json()["deals"] == []


def test_points_rule_is_capped():
    rule = {"BASE": 10, "PER_AMOUNT": "100000.00", "MAX": 100}
    assert points_for(Decimal("99999.99"), rule) == 10
    assert points_for(Decimal("100000.00"), rule) == 11
    assert points_for(Decimal("900000000.00"), rule) == 100
