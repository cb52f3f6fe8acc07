"""A listing leaving the market (operator take-down, holder withdrawal) ends what is open on it above
listings: the auction is cancelled with every deposit released, offers / notices / intents are
withdrawn, the buyers are told why. A listing whose deal stands cannot be taken down."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import redis
from django.conf import settings

from accounts.models import Notification
from auctions.events import channel_for
from auctions.models import Auction
from auctions.services import bid_place
from listings.models import Listing
from marketplace.models import Deal, Offer, Payable, PublicNotice, PurchaseIntent
from marketplace.services import deal_conclude
from marketplace.services.intents import intent_declare
from marketplace.services.negotiation import offer_accept, offer_make
from tests.conftest import client_for
from tests.factories import (
    AchievementFactory,
    OrganizationFactory,
    make_listing,
    member_of,
    open_auction,
    registered_bidder,
)

pytestmark = pytest.mark.django_db
REASON = "成果权属存在争议，暂停交易"


def take_down(operator, listing):
    return client_for(operator).post(
        f"/api/v1/listings/{listing.pk}/take-down/", {"reason": REASON}, format="json"
    )


def told(organization, kind: str) -> Notification | None:
    return Notification.objects.filter(user__memberships__organization=organization, kind=kind).first()


def test_taking_down_a_live_auction_cancels_it_releases_every_deposit_and_tells_the_room(
    operator, django_capture_on_commit_callbacks
):
    auction = open_auction(deposit="3000.00")
    alice, a = registered_bidder(auction)
    _, b = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=alice, amount="1000.00")
    pubsub = redis.Redis.from_url(settings.REDIS_URL).pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(channel_for(auction.pk))
    with django_capture_on_commit_callbacks(execute=True):
        r = take_down(operator, auction.listing)
    assert r.status_code == 200 and r.json()["status"] == "taken_down"
    auction.refresh_from_db()
    assert auction.status == "cancelled" and auction.deal_id is None
    assert auction.status_changes.get(to_status="cancelled").reason == REASON
    for registration in (a, b):
        assert Payable.objects.get(pk=registration.payment_id).deposit_status == "released"
        notice = told(registration.organization, "auction_cancelled")
        assert notice is not None and notice.body == REASON
    message = None
    for _ in range(20):
        message = pubsub.get_message(timeout=0.2)
        if message:
            break
    assert message is not None
    events = json.loads(message["data"])["events"]
    assert events[0]["type"] == "closed" and events[0]["status"] == "cancelled"
    # The listing is taken down (not closed), and the holder heard why.
    listing = Listing.objects.get(pk=auction.listing_id)
    assert listing.status == "taken_down"
    assert listing.status_changes.filter(to_status="closed").count() == 0


def test_taking_down_a_negotiation_withdraws_every_open_offer_and_tells_each_buyer(operator, university):
    listing = make_listing(achievement=AchievementFactory(holder=university))
    buyers = [OrganizationFactory(), OrganizationFactory()]
    for org, amount in zip(buyers, ("400000.00", "420000.00"), strict=True):
        offer_make(listing=listing, actor=member_of(org), amount=Decimal(amount))
    assert take_down(operator, listing).status_code == 200
    offers = Offer.objects.filter(listing=listing)
    assert {o.status for o in offers} == {"withdrawn"}
    assert {c.reason for o in offers for c in o.status_changes.all() if c.to_status == "withdrawn"} == {
        REASON
    }
    for org in buyers:
        notice = told(org, "offer_withdrawn")
        assert notice is not None and notice.body == REASON


def test_taking_down_during_the_public_notice_stops_it_and_no_deal_is_made(operator, university):
    from marketplace.services.negotiation import notice_conclude

    listing = make_listing(achievement=AchievementFactory(holder=university))
    buyer = OrganizationFactory()
    offer = offer_make(listing=listing, actor=member_of(buyer), amount=Decimal("450000.00"))
    notice = offer_accept(offer=offer, actor=member_of(university))
    assert take_down(operator, listing).status_code == 200
    notice.refresh_from_db()
    assert notice.status == "stopped"
    PublicNotice.objects.filter(pk=notice.pk).update(
        starts_at=notice.starts_at.replace(year=2020), ends_at=notice.ends_at.replace(year=2020)
    )
    notice_conclude(notice=notice)  # the job comes by after the notice period: nothing happens
    assert not Deal.objects.filter(listing=listing).exists()
    assert told(buyer, "notice_stopped").body == REASON


def test_taking_down_a_fixed_price_listing_withdraws_the_intents(operator):
    from marketplace.services.intents import fixed_price_resolve

    listing = make_listing(mode="fixed_price")
    buyers = [OrganizationFactory(), OrganizationFactory()]
    for org in buyers:
        intent_declare(listing=listing, actor=member_of(org))
    assert take_down(operator, listing).status_code == 200
    intents = PurchaseIntent.objects.filter(listing=listing)
    assert all(i.withdrawn_at is not None and i.withdrawal_reason == REASON for i in intents)
    Listing.objects.filter(pk=listing.pk).update(listing_ends_at=listing.listing_ends_at.replace(year=2020))
    fixed_price_resolve(listing=listing)  # the period's end no longer opens an auction among them
    assert not Auction.objects.filter(listing=listing).exists()
    for org in buyers:
        assert told(org, "intent_withdrawn").body == REASON


def test_a_listing_whose_deal_stands_cannot_be_taken_down(operator):
    listing = make_listing()
    deal_conclude(listing=listing, buyer=OrganizationFactory(), price=Decimal("1000.00"), mode="negotiated")
    r = take_down(operator, listing)
    assert r.status_code == 409 and r.json()["code"] == "deal_concluded"
    listing.refresh_from_db()
    assert listing.status == "closed"


def test_the_holder_withdrawing_an_auction_listing_nobody_registered_for_cancels_its_auction():
    auction = open_auction(starts_in=3600, ends_in=7200)
    holder_admin = member_of(auction.listing.achievement.holder)
    r = client_for(holder_admin).post(f"/api/v1/listings/{auction.listing_id}/withdraw/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    auction.refresh_from_db()
    assert auction.status == "cancelled"
    # Once a bidder registered, the holder can no longer withdraw (and the auction keeps running).
    other = open_auction(starts_in=3600, ends_in=7200)
    registered_bidder(other)
    r = client_for(member_of(other.listing.achievement.holder)).post(
        f"/api/v1/listings/{other.listing_id}/withdraw/", {}, format="json"
    )
    assert r.status_code == 409 and r.json()["code"] == "listing_engaged"
    assert Auction.objects.get(pk=other.pk).status == "scheduled"
