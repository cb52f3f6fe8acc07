"""A key's first outcome survives a change of the bidder's standing.

The engine checks the bidder's standing (organization verified, deposit frozen, not a related party)
before it looks the key up, so a client retrying a request whose response it lost is told a refusal
of its standing instead of the outcome its key already has -- typically the winner retrying its
last bid after the close (its deposit applied), or a bidder declared related to the holder after
its bid (the case the close blocks on). The first outcome is what a retry must get."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Organization, OrganizationRelation
from auctions.models import Auction, Bid
from auctions.services import BidRejected, auction_close, bid_place
from tests.factories import OrganizationFactory, open_auction, registered_bidder

pytestmark = pytest.mark.django_db


def test_retry_of_an_accepted_bid_is_replayed_after_a_related_party_is_declared():
    auction = open_auction(started=True)
    company = OrganizationFactory()
    alice, _ = registered_bidder(auction, company)
    first = bid_place(auction_id=auction.pk, user=alice, amount="1000.00", key="lost-response")
    low, high = sorted((auction.holder_id, company.pk))
    OrganizationRelation.objects.create(low_id=low, high_id=high, kind="控股子公司", declared_by=alice)
    again = bid_place(auction_id=auction.pk, user=alice, amount="1000.00", key="lost-response")
    assert again.replayed and again.bid.pk == first.bid.pk
    assert Bid.objects.filter(auction=auction).count() == 1


def test_retry_of_the_winning_bid_is_replayed_after_the_close():
    auction = open_auction(started=True, deposit="500.00")
    alice, _ = registered_bidder(auction)
    bob, _ = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=bob, amount="1000.00")
    first = bid_place(auction_id=auction.pk, user=alice, amount="1100.00", key="last-bid")
    Auction.objects.filter(pk=auction.pk).update(ends_at=timezone.now() - timedelta(milliseconds=1))
    assert auction_close(auction_id=auction.pk).status == Auction.Status.SOLD  # alice's deposit applied
    again = bid_place(auction_id=auction.pk, user=alice, amount="1100.00", key="last-bid")
    assert again.replayed and again.bid.pk == first.bid.pk and again.bid.amount == Decimal("1100.00")


def test_retry_of_a_remembered_refusal_repeats_it_after_the_organization_is_suspended():
    auction = open_auction(started=True)
    alice, registration = registered_bidder(auction)
    with pytest.raises(BidRejected) as info:
        bid_place(auction_id=auction.pk, user=alice, amount="900.00", key="too-low")
    assert info.value.code == "below_minimum"
    Organization.objects.filter(pk=registration.organization_id).update(status=Organization.Status.SUSPENDED)
    with pytest.raises(BidRejected) as info:
        bid_place(auction_id=auction.pk, user=alice, amount="900.00", key="too-low")
    assert info.value.code == "below_minimum"
    assert info.value.fields == {"minimum": "1000.00"}


def test_a_new_key_still_gets_the_standing_refusal():
    auction = open_auction(started=True)
    alice, registration = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=alice, amount="1000.00", key="before")
    Organization.objects.filter(pk=registration.organization_id).update(status=Organization.Status.SUSPENDED)
    with pytest.raises(BidRejected) as info:
        bid_place(auction_id=auction.pk, user=alice, amount="1100.00", key="after")
    assert info.value.code == "organization_not_verified"
