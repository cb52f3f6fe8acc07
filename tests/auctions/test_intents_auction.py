"""Two or more intents on a fixed-price listing make an auction among exactly those buyers
(marketplace's ``fixed_price_resolve`` -> the ``fixed_price_contested`` seam), end to end."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models.expressions import RawSQL

from auctions.models import Auction
from auctions.services import BidRejected, auction_close, bid_place, registration_create
from core.errors import DomainError, Forbidden
from listings.models import Listing
from marketplace.models import Deal
from marketplace.services.intents import fixed_price_resolve
from tests.conftest import client_for
from tests.factories import AchievementFactory, OrganizationFactory, make_listing, member_of

pytestmark = pytest.mark.django_db


def test_contested_fixed_price_listing_becomes_a_restricted_auction_and_sells():
    listing = make_listing(achievement=AchievementFactory(), mode="fixed_price", price=Decimal("300000.00"))
    first, second, outsider = (member_of(OrganizationFactory()) for _ in range(3))
    for user in (first, second):
        assert client_for(user).post(f"/api/v1/listings/{listing.pk}/intents/", {}).status_code == 201
    # marketplace decides by now() (the transaction's start): end the period before it
    Listing.objects.filter(pk=listing.pk).update(listing_ends_at=RawSQL("now() - interval '1 second'", []))
    fixed_price_resolve(listing=listing)

    auction = Auction.objects.get(listing=listing)
    assert auction.restricted and auction.status == Auction.Status.SCHEDULED
    # The documented terms: start at the listed price, 1% increments, no reserve, no deposit.
    assert (auction.start_price, auction.increment, auction.reserve_price, auction.deposit) == (
        Decimal("300000.00"),
        Decimal("3000.00"),
        None,
        Decimal("0.00"),
    )
    with pytest.raises(Forbidden) as info:
        registration_create(auction_id=auction.pk, actor=outsider)
    assert info.value.code == "not_an_allowed_buyer"
    registrations = [registration_create(auction_id=auction.pk, actor=u) for u in (first, second)]
    assert all(r.payment.deposit_status == "frozen" for r in registrations)  # a zero deposit
    # the clock moves on to the start
    now = dt.datetime.now(dt.UTC)
    Auction.objects.filter(pk=auction.pk).update(starts_at=now - dt.timedelta(seconds=1))
    bid_place(auction_id=auction.pk, user=first, amount="300000.00")
    bid_place(auction_id=auction.pk, user=second, amount="306000.00")
    with pytest.raises(BidRejected) as rejected:
        bid_place(auction_id=auction.pk, user=outsider, amount="309000.00")
    assert rejected.value.code == "not_registered"
    Auction.objects.filter(pk=auction.pk).update(
        ends_at=dt.datetime.now(dt.UTC) - dt.timedelta(milliseconds=1)
    )
    closed = auction_close(auction_id=auction.pk)
    deal = Deal.objects.get(listing=listing)
    assert closed.status == Auction.Status.SOLD and closed.deal_id == deal.pk
    assert (deal.price, deal.buyer_id, deal.mode, deal.bid_count, deal.bidder_count) == (
        Decimal("306000.00"),
        registrations[1].organization_id,
        "auction",
        2,
        2,
    )
    listing.refresh_from_db()
    assert listing.status == "closed"


def test_registration_closes_at_the_end():
    from tests.factories import open_auction

    auction = open_auction()
    Auction.objects.filter(pk=auction.pk).update(
        ends_at=dt.datetime.now(dt.UTC) - dt.timedelta(milliseconds=1)
    )
    with pytest.raises(DomainError) as info:
        registration_create(auction_id=auction.pk, actor=member_of(OrganizationFactory()))
    assert info.value.code == "registration_closed"
