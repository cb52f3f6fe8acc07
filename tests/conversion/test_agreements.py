"""Use-first applications and agreements: apply, answer in time or be escalated, trial, convert
through a deal paid into escrow (or return); free licences and the operator's review."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from accounts.models import Membership, Notification, Organization
from conversion.models import UseFirstAgreement, UseFirstApplication, UseFirstEntry
from conversion.services import (
    use_first_agreements_remind,
    use_first_applications_escalate,
    use_first_run,
)
from listings.models import ConversionStatus, Listing
from marketplace.models import Deal
from marketplace.services import payment_receive
from tests.conftest import client_for
from tests.factories import OrganizationFactory, member_of

from .helpers import at_noon, make_achievement

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def entry(university):
    member_of(university, Membership.Role.ADMIN)
    achievement = make_achievement(university, D(2024, 6, 1), title="一种土壤重金属钝化剂")
    with time_machine.travel(at_noon(D(2026, 6, 2)), tick=False):
        use_first_run()
    return UseFirstEntry.objects.get(achievement=achievement)


@pytest.fixture
def eligible_entry(university):
    achievement = make_achievement(university, D(2022, 1, 1), title="一种茶叶保鲜工艺")
    use_first_run()
    entry = UseFirstEntry.objects.get(achievement=achievement)
    assert entry.free_license_eligible
    return entry


def apply(buyer, entry, plan="在本公司两条产线试用"):
    return client_for(buyer).post(f"/api/v1/use-first/{entry.pk}/applications/", {"plan": plan})


def test_apply_accept_trial_convert_through_escrow(entry, buyer, holder_member, company):
    r = apply(buyer, entry)
    assert r.status_code == 201, r.json()
    app = r.json()
    assert app["kind"] == "use_first" and app["status"] == "pending" and app["respond_by"]
    assert Notification.objects.filter(kind="use_first_applied").exists()
    again = apply(buyer, entry)
    assert again.status_code == 409 and again.json()["code"] == "application_open"

    holder = client_for(holder_member)
    bad = holder.post(f"/api/v1/use-first/applications/{app['id']}/accept/", {"trial_ends_on": "2099-06-30"})
    assert bad.status_code == 400 and "conversion_price" in bad.json()["fields"]
    assert (
        client_for(buyer).post(f"/api/v1/use-first/applications/{app['id']}/accept/", {}).status_code == 403
    )
    r = holder.post(
        f"/api/v1/use-first/applications/{app['id']}/accept/",
        {"trial_ends_on": "2099-06-30", "conversion_price": "200000.00"},
    )
    assert r.status_code == 201, r.json()
    agreement = r.json()
    assert agreement["status"] == "in_trial" and agreement["decision_on"] == "2099-06-30"
    assert agreement["conversion_price"] == "200000.00"
    entry.achievement.refresh_from_db()
    assert entry.achievement.conversion_status == ConversionStatus.CONVERTING

    # The company converts: a deal at the agreed price, idempotently.
    company_client = client_for(buyer)
    url = f"/api/v1/use-first/agreements/{agreement['id']}/convert/"
    mismatch = company_client.post(url, {"price": "1.00"})
    assert mismatch.status_code == 422 and mismatch.json()["code"] == "price_mismatch"
    r = company_client.post(url, {}, HTTP_IDEMPOTENCY_KEY="k1")
    assert r.status_code == 201, r.json()
    replay = company_client.post(url, {}, HTTP_IDEMPOTENCY_KEY="k1")
    assert replay.status_code == 201 and replay.json() == r.json()
    deal = Deal.objects.get()
    assert (deal.price, deal.buyer, deal.seller, deal.listing_id) == (
        Decimal("200000.00"),
        company,
        entry.holder,
        entry.listing_id,
    )
    assert r.json()["amount_due"] == "200000.00" and r.json()["payment"] == deal.payment_id
    entry.refresh_from_db()
    entry.achievement.refresh_from_db()
    assert entry.achievement.conversion_status == ConversionStatus.CONVERTED
    assert entry.achievement.conversion_method == "use_first"
    assert entry.closed_on is not None and entry.close_cause == "converted"
    assert entry.listing.status == Listing.Status.CLOSED
    assert UseFirstAgreement.objects.get().status == "converted"
    # Paid into escrow like any deal.
    payment_receive(
        bank_transaction_id="T-1", reference=deal.payment.payment_reference, amount=Decimal("200000.00")
    )
    deal.refresh_from_db()
    assert deal.status == Deal.Status.PAID


def test_formula_needs_the_price_it_gave(entry, buyer, holder_member):
    app = apply(buyer, entry).json()
    agreement = (
        client_for(holder_member)
        .post(
            f"/api/v1/use-first/applications/{app['id']}/accept/",
            {
                "trial_ends_on": "2099-01-31",
                "decision_on": "2099-02-28",
                "price_formula": "销售额的 3%，最低 10 万元",
            },
        )
        .json()
    )
    url = f"/api/v1/use-first/agreements/{agreement['id']}/convert/"
    assert client_for(buyer).post(url, {}).json()["code"] == "price_required"
    r = client_for(buyer).post(url, {"price": "150000.00"})
    assert r.status_code == 201 and r.json()["price"] == "150000.00"


def test_return_unconverts_and_keeps_the_entry(entry, buyer, holder_member):
    app = apply(buyer, entry).json()
    agreement = (
        client_for(holder_member)
        .post(
            f"/api/v1/use-first/applications/{app['id']}/accept/",
            {"trial_ends_on": "2099-01-31", "conversion_price": "90000.00"},
        )
        .json()
    )
    r = client_for(buyer).post(
        f"/api/v1/use-first/agreements/{agreement['id']}/return/", {"reason": "工艺不匹配"}
    )
    assert r.status_code == 200 and r.json()["status"] == "returned"
    entry.refresh_from_db()
    entry.achievement.refresh_from_db()
    assert entry.achievement.conversion_status == ConversionStatus.UNCONVERTED
    assert entry.closed_on is None
    again = client_for(buyer).post(f"/api/v1/use-first/agreements/{agreement['id']}/convert/", {})
    assert again.status_code == 409


def test_decline_with_reason(entry, buyer, holder_member):
    app = apply(buyer, entry).json()
    holder = client_for(holder_member)
    assert holder.post(f"/api/v1/use-first/applications/{app['id']}/decline/", {}).status_code == 400
    r = holder.post(f"/api/v1/use-first/applications/{app['id']}/decline/", {"reason": "已与他方洽谈"})
    assert r.status_code == 200 and r.json()["status"] == "declined"


def test_unanswered_applications_are_escalated_to_operators(entry, buyer, operator, holder_member):
    app = apply(buyer, entry).json()
    assert use_first_applications_escalate() == 0
    UseFirstApplication.objects.filter(pk=app["id"]).update(respond_by=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert use_first_applications_escalate() == 1
    assert use_first_applications_escalate() == 0  # once
    assert UseFirstApplication.objects.get(pk=app["id"]).status == "escalated"
    assert Notification.objects.filter(kind="use_first_escalated", user=operator).count() == 1
    queue = client_for(operator).get("/api/v1/use-first/applications/?status=escalated").json()["results"]
    assert [a["id"] for a in queue] == [app["id"]]
    # The operator may decide it on the holder's behalf.
    r = client_for(operator).post(
        f"/api/v1/use-first/applications/{app['id']}/accept/",
        {"trial_ends_on": "2099-01-31", "conversion_price": "90000.00"},
    )
    assert r.status_code == 201


def test_only_verified_companies_apply(entry, holder_member):
    pending = OrganizationFactory(kind=Organization.Kind.ENTERPRISE, status=Organization.Status.PENDING)
    r = apply(member_of(pending), entry)
    assert r.status_code == 403
    institute = OrganizationFactory(kind=Organization.Kind.INSTITUTE)
    r = apply(member_of(institute), entry)
    assert r.status_code == 403 and r.json()["code"] == "company_only"
    assert apply(holder_member, entry).status_code == 403


def test_free_license_decline_goes_to_an_operator(eligible_entry, buyer, holder_member, operator):
    r = apply(buyer, eligible_entry, plan="在本公司茶园无偿实施")
    assert r.status_code == 201 and r.json()["kind"] == "free_license"
    app_id = r.json()["id"]
    r = client_for(holder_member).post(
        f"/api/v1/use-first/applications/{app_id}/decline/", {"reason": "专利即将失效"}
    )
    assert r.status_code == 200 and r.json()["status"] == "decline_review"
    assert Notification.objects.filter(kind="use_first_decline_review", user=operator).exists()
    # The holder cannot now accept around the review, nor decline again.
    r = client_for(operator).post(
        f"/api/v1/use-first/applications/{app_id}/review/", {"decision": "overturn", "reason": "理由不成立"}
    )
    assert r.status_code == 201 and r.json()["status"] == "licensed"
    assert r.json()["conversion_price"] is None and r.json()["decision_on"] is None
    assert UseFirstApplication.objects.get(pk=app_id).status == "accepted"


def test_free_license_decline_upheld(eligible_entry, buyer, holder_member, operator):
    app_id = apply(buyer, eligible_entry).json()["id"]
    declined = client_for(holder_member).post(
        f"/api/v1/use-first/applications/{app_id}/decline/", {"reason": "已独占许可他人"}
    )
    assert declined.status_code == 200, declined.content
    r = client_for(operator).post(
        f"/api/v1/use-first/applications/{app_id}/review/",
        {"decision": "uphold", "reason": "独占许可合同属实"},
    )
    assert r.status_code == 200 and r.json()["status"] == "declined"


def test_reminder_before_the_decision_date_once(entry, buyer, holder_member):
    app = apply(buyer, entry).json()
    client_for(holder_member).post(
        f"/api/v1/use-first/applications/{app['id']}/accept/",
        {"trial_ends_on": "2099-01-31", "conversion_price": "90000.00"},
    )
    assert use_first_agreements_remind(today=D(2099, 1, 23)) == 0  # 8 days before
    assert use_first_agreements_remind(today=D(2099, 1, 24)) == 1  # 7 days before
    assert use_first_agreements_remind(today=D(2099, 1, 25)) == 0
    notes = Notification.objects.filter(kind="use_first_decision_reminder")
    assert {n.user_id for n in notes} >= {buyer.pk, holder_member.pk}
