"""风险预警 (#16 part 6): each rule fires on what it names, with its evidence; the scan raises each
finding once; operators alone list alerts and decide on them through ``core.decisions``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from accounts.models import Membership, Notification, Organization
from auctions.models import Registration
from auctions.services import bid_place
from discovery.models import Question
from discovery.services.inquiry import question_ask
from marketplace.models import CreditEvent
from marketplace.services.payments import payment_receive
from portal.models import RiskAlert
from portal.risk import risk_scan
from tests.conftest import client_for
from tests.factories import MembershipFactory, OrganizationFactory, make_listing, member_of, open_auction

pytestmark = pytest.mark.django_db


def register(auction, organization, *, address="198.51.100.7", agent="Mozilla/5.0", account=""):
    """A member of ``organization`` registers through the API from ``address`` with ``agent``; the
    bank then reports its deposit paid from ``account``."""
    user = member_of(organization)
    r = client_for(user).post(
        f"/api/v1/auctions/{auction.pk}/registrations/", {}, REMOTE_ADDR=address, HTTP_USER_AGENT=agent
    )
    assert r.status_code == 201, r.content
    registration = Registration.objects.select_related("payment").get(pk=r.json()["id"])
    if registration.payment.amount == 0:  # no deposit to pay: frozen at once
        return user, registration
    payment_receive(
        bank_transaction_id=f"T{registration.pk}",
        reference=registration.payment.payment_reference,
        amount=registration.payment.amount,
        payer_account=account,
    )
    return user, registration


def rules_of(alerts):
    return sorted({a.rule for a in alerts})


def test_bidders_sharing_a_person_an_address_a_device_or_an_account(university):
    auction = open_auction(university, deposit="500.00", started=True)
    a, b = OrganizationFactory(name="甲公司"), OrganizationFactory(name="乙公司")
    register(auction, a, address="198.51.100.7", agent="BidBot/1.0", account="6222 0001")
    register(auction, b, address="198.51.100.7", agent="BidBot/1.0", account="6222 0001")
    honest = OrganizationFactory(name="丙公司")
    register(auction, honest, address="203.0.113.5", agent="Mozilla/5.0 Firefox", account="6222 9999")
    shared_person = member_of(a)
    MembershipFactory(user=shared_person, organization=b, role=Membership.Role.MEMBER)

    raised = risk_scan()
    assert rules_of(raised) == ["shared_address", "shared_bank_account", "shared_device", "shared_member"]
    by_rule = {alert.rule: alert for alert in raised}
    assert by_rule["shared_address"].evidence["address"] == "198.51.100.7"
    assert by_rule["shared_bank_account"].evidence["bank_account"] == "6222 0001"
    assert by_rule["shared_member"].evidence["person"]["user"] == shared_person.pk
    assert {o["name"] for o in by_rule["shared_member"].evidence["organizations"]} == {"甲公司", "乙公司"}
    assert all("丙公司" not in str(alert.evidence) for alert in raised)
    assert risk_scan() == []  # a second scan raises nothing twice
    assert Notification.objects.filter(kind="risk_alert").exists()


def test_a_bidder_sharing_a_bank_account_with_the_holder(university):
    auction = open_auction(university, deposit="500.00", started=True)
    # the holder once paid from this account (its deposit on another listing's auction)
    other = open_auction(OrganizationFactory(kind=Organization.Kind.UNIVERSITY), deposit="300.00")
    register(other, university, account="6228 4800")
    register(auction, OrganizationFactory(), account="6228 4800")
    alerts = [a for a in risk_scan() if a.rule == "shared_bank_account"]
    assert len(alerts) == 1 and alerts[0].evidence["organizations"][1]["is_holder"] is True


def test_bid_jumps_bursts_and_a_new_organization_bidding_large(university):
    auction = open_auction(university, start_price="1000.00", increment="100.00", started=True)
    old = OrganizationFactory()
    Organization.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    veteran, _r1 = register(auction, old, address="203.0.113.1", agent="A")
    newcomer, _r2 = register(auction, OrganizationFactory(name="新设公司"), address="203.0.113.2", agent="B")
    bid_place(auction_id=auction.pk, user=veteran, amount=Decimal("1000.00"))
    bid_place(auction_id=auction.pk, user=newcomer, amount=Decimal("1100.00"))
    bid_place(auction_id=auction.pk, user=veteran, amount=Decimal("2200.00"))  # 11 increments above
    rules = {
        **settings.MARKET["RISK_RULES"],
        "BID_BURST": {"BIDS": 3, "SECONDS": 60},
        "NEW_ORGANIZATION_LARGE_BID": {"DAYS": 30, "AMOUNT": "2000.00"},
    }
    bid_place(auction_id=auction.pk, user=newcomer, amount=Decimal("2300.00"))
    bid_place(auction_id=auction.pk, user=veteran, amount=Decimal("2400.00"))
    with override_settings(MARKET={**settings.MARKET, "RISK_RULES": rules}):
        raised = risk_scan()
    by_rule = {}
    for alert in raised:
        by_rule.setdefault(alert.rule, []).append(alert)
    assert [a.evidence["seq"] for a in by_rule["bid_jump"]] == [3]
    assert by_rule["bid_jump"][0].evidence["increments"] == "11.0"
    assert [a.evidence["bids"] for a in by_rule["bid_burst"]] == [3]  # the veteran's three bids
    assert [a.evidence["amount"] for a in by_rule["new_organization_large_bid"]] == ["2300.00"]


def test_repeated_defaults_and_unanswered_questions(university, operator):
    company = OrganizationFactory(name="屡次违约公司")
    for days in (10, 40):
        CreditEvent.objects.create(
            organization=company,
            kind=CreditEvent.Kind.DEAL_DEFAULT,
            occurred_at=timezone.now() - dt.timedelta(days=days),
        )
    listing = make_listing(achievement=None)
    asker = member_of(OrganizationFactory())
    for n in range(3):
        question_ask(listing=listing, actor=asker, body=f"请问中试规模？（{n}）")
    Question.objects.update(answer_due_at=timezone.now() - dt.timedelta(days=1))
    raised = risk_scan()
    assert rules_of(raised) == ["repeated_defaults", "unanswered_questions"]
    defaults = next(a for a in raised if a.rule == "repeated_defaults")
    assert defaults.evidence["defaults"] == 2 and "屡次违约公司" in defaults.subject
    late = next(a for a in raised if a.rule == "unanswered_questions")
    assert late.evidence["holder"] == listing.achievement.holder_id and len(late.evidence["questions"]) == 3


def test_only_operators_list_and_decide_on_record(university, operator, buyer):
    auction = open_auction(university, deposit="500.00", started=True)
    register(auction, OrganizationFactory(), address="198.51.100.9")
    register(auction, OrganizationFactory(), address="198.51.100.9")
    (alert,) = [a for a in risk_scan() if a.rule == "shared_address"]
    assert client_for(buyer).get("/api/v1/risk-alerts/").status_code == 403
    body = client_for(operator).get("/api/v1/risk-alerts/?status=open").json()
    row = next(r for r in body["results"] if r["id"] == alert.pk)
    assert (row["rule"], row["status"]) == ("shared_address", "open") and row["evidence"]["address"]
    url = f"/api/v1/risk-alerts/{alert.pk}/decide/"
    assert client_for(buyer).post(url, {"decision": "acknowledge"}).status_code == 403
    r = client_for(operator).post(url, {"decision": "investigate"})
    assert r.status_code == 400 and r.json()["code"] == "reason_required"
    r = client_for(operator).post(url, {"decision": "dismiss"})
    assert r.status_code == 400
    assert (
        client_for(operator).post(url, {"decision": "investigate", "reason": "调取登记记录"}).json()["status"]
        == "investigating"
    )
    r = client_for(operator).post(url, {"decision": "act", "reason": "暂停两家机构的竞买资格"})
    assert r.status_code == 200 and r.json()["status"] == "actioned"
    r = client_for(operator).post(url, {"decision": "acknowledge"})
    assert r.status_code == 409 and r.json()["code"] == "invalid_status_transition"
    assert [c.decision for c in RiskAlert.objects.get(pk=alert.pk).status_changes.all()] == [
        "investigate",
        "act",
    ]


def test_a_rule_turned_off_does_not_fire(university):
    auction = open_auction(university, deposit="500.00", started=True)
    register(auction, OrganizationFactory(), address="198.51.100.9", agent="X")
    register(auction, OrganizationFactory(), address="198.51.100.9", agent="Y")
    rules = {**settings.MARKET["RISK_RULES"], "SHARED_ADDRESS": {"ENABLED": False}}
    with override_settings(MARKET={**settings.MARKET, "RISK_RULES": rules}):
        assert risk_scan() == []


def test_bidders_sharing_a_phone_with_each_other_or_with_the_holder(university):
    """The contact phones compare by their digits: a mainland mobile written with +86, spaces or
    dashes is the same phone; a different phone, or none, raises nothing."""
    Organization.objects.filter(pk=university.pk).update(phone="0571-8888 1234")
    auction = open_auction(university, deposit="500.00", started=True)
    a = OrganizationFactory(name="甲公司", phone="+86 138-0013-8000")
    b = OrganizationFactory(name="乙公司", phone="13800138000")
    c = OrganizationFactory(name="丙公司", phone="(0571) 88881234")
    honest = OrganizationFactory(name="丁公司", phone="13900000000")
    silent = OrganizationFactory(name="戊公司")
    for n, org in enumerate((a, b, c, honest, silent)):
        register(auction, org, address=f"203.0.113.{n + 1}", agent=f"Agent/{n}", account=f"6222 000{n}")
    alerts = [alert for alert in risk_scan() if alert.rule == "shared_phone"]
    assert len(alerts) == 2
    pair = next(x for x in alerts if not x.evidence["organizations"][1]["is_holder"])
    assert pair.evidence["phone"] == "13800138000"
    assert {o["name"] for o in pair.evidence["organizations"]} == {"甲公司", "乙公司"}
    with_holder = next(x for x in alerts if x.evidence["organizations"][1]["is_holder"])
    assert with_holder.evidence["phone"] == "057188881234"
    assert [o["organization"] for o in with_holder.evidence["organizations"]] == [c.pk, university.pk]
    assert with_holder.subject.endswith("与持有单位")
    assert all("丁公司" not in str(x.evidence) and "戊公司" not in str(x.evidence) for x in alerts)
    assert risk_scan() == []  # raised once


def test_the_organization_phone_is_optional_and_checked():
    from tests.factories import UserFactory, make_credit_code

    api, credit_code = client_for(UserFactory()), make_credit_code()
    r = api.post(
        "/api/v1/organizations/",
        {"name": "某公司", "kind": "enterprise", "credit_code": credit_code, "phone": "电话：123"},
        format="json",
    )
    assert r.status_code == 400 and r.json()["code"] == "invalid_phone" and "phone" in r.json()["fields"]
    r = api.post(
        "/api/v1/organizations/",
        {"name": "某公司", "kind": "enterprise", "credit_code": credit_code, "phone": "+86 138 0013 8000"},
        format="json",
    )
    assert r.status_code == 201 and r.json()["phone"] == "+86 138 0013 8000"
    assert Organization.objects.get(pk=r.json()["id"]).phone_digits == "13800138000"
