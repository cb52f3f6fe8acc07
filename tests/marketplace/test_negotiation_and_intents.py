"""Negotiated offers -> public notice -> deal; fixed-price intents -> expiry, deal or auction."""

import datetime as dt
from decimal import Decimal

import pytest

from listings.models import Listing
from marketplace.models import Deal, FixedPriceOutcome, Offer, PublicNotice
from marketplace.tasks import fixed_price_resolve_due, notices_conclude_due
from tests.conftest import client_for
from tests.factories import OrganizationFactory, UserFactory, member_of

from .conftest import make_listing

pytestmark = pytest.mark.django_db


def _end_notice(notice_id: int) -> None:
    n = PublicNotice.objects.get(pk=notice_id)
    PublicNotice.objects.filter(pk=notice_id).update(
        starts_at=n.starts_at - dt.timedelta(days=16), ends_at=n.starts_at - dt.timedelta(seconds=1)
    )


@pytest.fixture
def negotiated(university):
    return make_listing(university, fiscally_funded=True, notice_days=15)


def test_offer_counter_accept_notice_then_the_job_makes_the_deal(
    negotiated, university, buyer, company, operator
):
    holder = member_of(university)
    b, h = client_for(buyer), client_for(holder)
    r = b.post(
        f"/api/v1/listings/{negotiated.pk}/offers/", {"amount": "400000.00", "message": "希望尽快签约"}
    )
    assert r.status_code == 201, r.content
    offer = r.json()
    assert (offer["side"], offer["status"], offer["amount"]) == ("buyer", "open", "400000.00")
    assert (
        b.post(f"/api/v1/listings/{negotiated.pk}/offers/", {"amount": "410000.00"}).json()["code"]
        == "offer_open"
    )
    # The buyer cannot answer its own offer; the holder counters.
    assert b.post(f"/api/v1/offers/{offer['id']}/accept/").status_code == 403
    r = h.post(f"/api/v1/offers/{offer['id']}/counter/", {"amount": "460000.00", "message": "含两年技术服务"})
    assert r.status_code == 201 and r.json()["side"] == "holder"
    counter = r.json()
    assert Offer.objects.get(pk=offer["id"]).status == "countered"
    assert h.post(f"/api/v1/offers/{counter['id']}/accept/").status_code == 403  # the holder's own counter
    r = b.post(f"/api/v1/offers/{counter['id']}/accept/")
    assert r.status_code == 200, r.content
    notice = r.json()
    assert (notice["status"], notice["price"], notice["buyer"]) == ("open", "460000.00", company.name)
    starts, ends = (
        dt.datetime.fromisoformat(notice["starts_at"]),
        dt.datetime.fromisoformat(notice["ends_at"]),
    )
    assert ends - starts == dt.timedelta(days=15)
    assert (
        client_for(UserFactory()).get("/api/v1/notices/?status=open").json()["results"][0]["id"]
        == notice["id"]
    )
    # While the notice runs: no new offers; the job does nothing.
    other = member_of(OrganizationFactory())
    assert (
        client_for(other)
        .post(f"/api/v1/listings/{negotiated.pk}/offers/", {"amount": "500000.00"})
        .status_code
        == 409
    )
    assert notices_conclude_due() == 0

    # Anyone signed in objects; an operator dismisses it.
    passer_by = client_for(UserFactory())
    r = passer_by.post(f"/api/v1/notices/{notice['id']}/objections/", {"reason": "价格明显低于评估值"})
    assert r.status_code == 201
    objection = r.json()
    _end_notice(notice["id"])
    assert notices_conclude_due() == 0  # a pending objection holds it
    assert (
        client_for(holder)
        .post(f"/api/v1/objections/{objection['id']}/decide/", {"decision": "dismiss", "reason": "x"})
        .status_code
        == 403
    )
    r = client_for(operator).post(
        f"/api/v1/objections/{objection['id']}/decide/",
        {"decision": "dismiss", "reason": "评估报告显示定价合理"},
    )
    assert r.status_code == 200 and r.json()["status"] == "dismissed"
    assert notices_conclude_due() == 1
    assert notices_conclude_due() == 0
    deal = Deal.objects.get(listing=negotiated)
    assert (deal.price, deal.buyer, deal.mode, deal.status) == (
        Decimal("460000.00"),
        company,
        "negotiated",
        "awaiting_payment",
    )
    assert PublicNotice.objects.get(pk=notice["id"]).deal == deal
    # A notice that has ended takes no more objections.
    assert (
        passer_by.post(f"/api/v1/notices/{notice['id']}/objections/", {"reason": "迟到"}).status_code == 409
    )


def test_an_upheld_objection_stops_the_deal(negotiated, university, buyer, operator):
    holder = member_of(university)
    offer = (
        client_for(buyer).post(f"/api/v1/listings/{negotiated.pk}/offers/", {"amount": "480000.00"}).json()
    )
    notice = client_for(holder).post(f"/api/v1/offers/{offer['id']}/accept/").json()
    objection = (
        client_for(UserFactory())
        .post(
            f"/api/v1/notices/{notice['id']}/objections/", {"reason": "受让方与持有单位存在未披露的关联关系"}
        )
        .json()
    )
    r = client_for(operator).post(
        f"/api/v1/objections/{objection['id']}/decide/",
        {"decision": "uphold", "reason": "经核实关联关系成立"},
    )
    assert r.json()["status"] == "upheld"
    assert PublicNotice.objects.get(pk=notice["id"]).status == "stopped"
    _end_notice(notice["id"])
    assert notices_conclude_due() == 0
    assert not Deal.objects.exists()
    negotiated.refresh_from_db()
    assert negotiated.status == "published"  # open to new offers


def test_the_holder_and_related_parties_cannot_offer_and_unverified_ones_are_refused(negotiated, university):
    holder = member_of(university)
    r = client_for(holder).post(f"/api/v1/listings/{negotiated.pk}/offers/", {"amount": "1.00"})
    assert r.status_code == 403 and r.json()["code"] == "related_party"
    pending_org = OrganizationFactory(status="pending")
    r = client_for(member_of(pending_org)).post(
        f"/api/v1/listings/{negotiated.pk}/offers/", {"amount": "1.00"}
    )
    assert r.status_code == 403 and r.json()["code"] == "organization_not_verified"
    assert not Offer.objects.exists()


def test_a_rejected_offer_can_be_followed_by_a_new_one(negotiated, university, buyer):
    offer = (
        client_for(buyer).post(f"/api/v1/listings/{negotiated.pk}/offers/", {"amount": "100000.00"}).json()
    )
    r = client_for(member_of(university)).post(
        f"/api/v1/offers/{offer['id']}/reject/", {"reason": "低于底价"}
    )
    assert r.json()["status"] == "rejected"
    assert (
        client_for(buyer)
        .post(f"/api/v1/listings/{negotiated.pk}/offers/", {"amount": "300000.00"})
        .status_code
        == 201
    )
    negotiated.refresh_from_db()
    assert negotiated.engaged_at is not None


def test_answering_an_offer_withdrawn_with_its_listing_is_409_not_500(
    negotiated, university, buyer, operator
):
    from marketplace.services.leaving import listing_engagements_withdraw

    offer = (
        client_for(buyer).post(f"/api/v1/listings/{negotiated.pk}/offers/", {"amount": "100000.00"}).json()
    )
    listing_engagements_withdraw(listing=negotiated, actor=operator, reason="挂牌下架")
    assert Offer.objects.get(pk=offer["id"]).status == "withdrawn"
    holder = client_for(member_of(university))
    for action, body in (("reject", {"reason": "x"}), ("accept", {}), ("counter", {"amount": "200000.00"})):
        r = holder.post(f"/api/v1/offers/{offer['id']}/{action}/", body)
        assert (r.status_code, r.json()["code"]) == (409, "invalid_status_transition"), action


def _ended(listing: Listing) -> None:
    Listing.objects.filter(pk=listing.pk).update(
        listing_ends_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    )


def test_fixed_price_with_no_intent_expires(university):
    listing = make_listing(university, mode="fixed_price")
    assert fixed_price_resolve_due() == 0  # still in its period
    _ended(listing)
    fixed_price_resolve_due()
    listing.refresh_from_db()
    assert listing.status == "closed" and FixedPriceOutcome.objects.get(listing=listing).outcome == "expired"
    assert not Deal.objects.exists()


def test_fixed_price_with_one_intent_makes_a_deal_at_the_listed_price(university, buyer, company):
    listing = make_listing(university, mode="fixed_price", price=Decimal("300000.00"))
    r = client_for(buyer).post(f"/api/v1/listings/{listing.pk}/intents/", {})
    assert r.status_code == 201, r.content
    assert (
        client_for(buyer).post(f"/api/v1/listings/{listing.pk}/intents/", {}).json()["code"]
        == "intent_exists"
    )
    fixed_price_resolve_due()
    assert not Deal.objects.exists()  # still in its period
    _ended(listing)
    fixed_price_resolve_due()
    fixed_price_resolve_due()
    deal = Deal.objects.get(listing=listing)
    assert (deal.price, deal.buyer, deal.mode) == (Decimal("300000.00"), company, "fixed_price")
    assert (
        client_for(member_of(OrganizationFactory()))
        .post(f"/api/v1/listings/{listing.pk}/intents/", {})
        .status_code
        == 409
    )


def test_fixed_price_with_two_intents_goes_to_the_auctions_side(university, buyer, company):
    from auctions.models import Auction

    listing = make_listing(university, mode="fixed_price", price=Decimal("300000.00"))
    second = OrganizationFactory(name="温州某智能装备有限公司")
    client_for(buyer).post(f"/api/v1/listings/{listing.pk}/intents/", {})
    client_for(member_of(second)).post(f"/api/v1/listings/{listing.pk}/intents/", {})
    _ended(listing)
    fixed_price_resolve_due()
    fixed_price_resolve_due()
    assert FixedPriceOutcome.objects.get(listing=listing).outcome == "contested"
    auction = Auction.objects.get(listing=listing)
    assert set(auction.allowed_buyers.all()) == {company, second}
    assert not Deal.objects.exists()


def test_intents_after_the_period_are_refused(university, buyer):
    listing = make_listing(university, mode="fixed_price")
    _ended(listing)
    r = client_for(buyer).post(f"/api/v1/listings/{listing.pk}/intents/", {})
    assert r.status_code == 409 and r.json()["code"] == "listing_not_published"


def test_the_notice_page_and_the_api_show_the_same_objections(negotiated, university, buyer):
    """One visibility rule (``objections_visible_to``): the parties read every objection, someone
    else only their own, an anonymous visitor none, on the page as through the API."""
    from django.test import Client

    from marketplace.models import Objection

    holder = member_of(university)
    offer = (
        client_for(buyer).post(f"/api/v1/listings/{negotiated.pk}/offers/", {"amount": "480000.00"}).json()
    )
    notice = client_for(holder).post(f"/api/v1/offers/{offer['id']}/accept/").json()
    objector, other = UserFactory(), UserFactory()
    client_for(objector).post(f"/api/v1/notices/{notice['id']}/objections/", {"reason": "价格明显偏低"})
    assert Objection.objects.count() == 1
    for user, sees in ((holder, True), (objector, True), (other, False), (None, False)):
        page = Client()
        if user is not None:
            page.force_login(user)
        html = page.get(f"/notices/{notice['id']}/").content.decode()
        assert ("价格明显偏低" in html) is sees, user
        if user is not None:
            api = client_for(user).get(f"/api/v1/notices/{notice['id']}/objections/")
            assert (len(api.json()["results"]) == 1) is sees, user


def test_a_title_at_its_200_character_limit_still_resolves_and_notifies(university, buyer, company):
    """#12 hole 3: notifications built from a 200-character title overflowed their own title, so the
    fixed-price resolution failed on that listing every run and it stayed published past its end."""
    from accounts.models import Notification

    listing = make_listing(university, mode="fixed_price", price=Decimal("300000.00"))
    listing.achievement.title = "一种" + "茶" * 197 + "法"
    listing.achievement.save(update_fields=["title"])
    assert client_for(buyer).post(f"/api/v1/listings/{listing.pk}/intents/", {}).status_code == 201
    _ended(listing)
    assert fixed_price_resolve_due() == 1
    assert Deal.objects.get(listing=listing).buyer == company
    titles = list(Notification.objects.values_list("title", flat=True))
    assert titles and all(len(t) <= 200 for t in titles)
    assert any(t.endswith("…") for t in titles)


@pytest.mark.parametrize("role", ["approver", "broker"])
def test_only_members_who_act_for_the_holder_answer_an_offer(negotiated, university, buyer, role):
    """#12 hole 4: an approver rejected and a broker accepted (opening a public notice)."""
    offer = (
        client_for(buyer).post(f"/api/v1/listings/{negotiated.pk}/offers/", {"amount": "500000.00"}).json()
    )
    other = client_for(member_of(university, role))
    for answer in ("accept", "reject"):
        r = other.post(f"/api/v1/offers/{offer['id']}/{answer}/", {})
        assert (r.status_code, r.json()["code"]) == (403, "role_not_allowed")
    r = other.post(f"/api/v1/offers/{offer['id']}/counter/", {"amount": "600000.00"})
    assert (r.status_code, r.json()["code"]) == (403, "role_not_allowed")
    assert Offer.objects.get(pk=offer["id"]).status == Offer.Status.OPEN
    assert not PublicNotice.objects.exists()
