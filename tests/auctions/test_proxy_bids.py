"""Proxy bids (代理出价): the engine bids for a ceiling, each automatic bid a real bid with its own seq."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from auctions.models import Auction, Bid
from auctions.services import BidRejected, bid_place, proxy_bid_set
from tests.factories import open_auction, registered_bidder

pytestmark = pytest.mark.django_db


def history(auction):
    return [
        (b.seq, b.registration.bidder_no, str(b.amount), b.is_proxy)
        for b in Bid.objects.filter(auction=auction).select_related("registration").order_by("seq")
    ]


def test_proxy_opens_at_start_price_and_answers_a_manual_bid():
    auction = open_auction()
    alice, a = registered_bidder(auction)
    bob, b = registered_bidder(auction)
    proxy_bid_set(auction_id=auction.pk, user=alice, max_amount="2000.00")
    bid_place(auction_id=auction.pk, user=bob, amount="1100.00")
    assert history(auction) == [
        (1, a.bidder_no, "1000.00", True),
        (2, b.bidder_no, "1100.00", False),
        (3, a.bidder_no, "1200.00", True),
    ]
    auction.refresh_from_db()
    assert (auction.current_price, auction.leader_id, auction.bid_count) == (Decimal("1200.00"), a.pk, 3)


def test_manual_bid_above_the_ceiling_wins():
    auction = open_auction()
    alice, a = registered_bidder(auction)
    bob, b = registered_bidder(auction)
    proxy_bid_set(auction_id=auction.pk, user=alice, max_amount="1500.00")
    bid_place(auction_id=auction.pk, user=bob, amount="1500.00")
    assert history(auction)[-1] == (2, b.bidder_no, "1500.00", False)


def test_higher_ceiling_wins_one_increment_over_the_other():
    auction = open_auction()
    alice, a = registered_bidder(auction)
    bob, b = registered_bidder(auction)
    proxy_bid_set(auction_id=auction.pk, user=alice, max_amount="2000.00")
    proxy_bid_set(auction_id=auction.pk, user=bob, max_amount="1500.00")
    assert history(auction) == [
        (1, a.bidder_no, "1000.00", True),
        (2, b.bidder_no, "1500.00", True),
        (3, a.bidder_no, "1600.00", True),
    ]


def test_equal_ceilings_the_earlier_wins():
    auction = open_auction()
    alice, a = registered_bidder(auction)
    bob, b = registered_bidder(auction)
    proxy_bid_set(auction_id=auction.pk, user=alice, max_amount="2000.00")
    proxy_bid_set(auction_id=auction.pk, user=bob, max_amount="2000.00")
    assert history(auction)[-2:] == [(2, b.bidder_no, "1900.00", True), (3, a.bidder_no, "2000.00", True)]


def test_challenger_ceiling_beats_the_leaders_ceiling():
    auction = open_auction()
    alice, a = registered_bidder(auction)
    bob, b = registered_bidder(auction)
    proxy_bid_set(auction_id=auction.pk, user=alice, max_amount="1500.00")
    proxy_bid_set(auction_id=auction.pk, user=bob, max_amount="3000.00")
    assert history(auction)[-1] == (2, b.bidder_no, "1600.00", True)
    carol, c = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=carol, amount="2500.00")
    assert history(auction)[-2:] == [(3, c.bidder_no, "2500.00", False), (4, b.bidder_no, "2600.00", True)]


def test_proxy_ceiling_rules():
    auction = open_auction()
    alice, _ = registered_bidder(auction)
    bob, _ = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=bob, amount="1000.00")
    for amount, code in (("1000.00", "below_minimum"), ("1250.00", "invalid_increment")):
        with pytest.raises(BidRejected) as info:
            proxy_bid_set(auction_id=auction.pk, user=alice, max_amount=amount)
        assert info.value.code == code
    proxy_bid_set(auction_id=auction.pk, user=alice, max_amount="3000.00")
    with pytest.raises(BidRejected) as info:
        proxy_bid_set(auction_id=auction.pk, user=alice, max_amount="2000.00")
    assert info.value.code == "proxy_max_lowered"
    assert Auction.objects.get(pk=auction.pk).proxy_count == 1


def test_a_proxy_on_an_auction_whose_start_task_is_late_starts_it():
    auction = open_auction(starts_in=-1)
    assert auction.status == Auction.Status.SCHEDULED
    alice, a = registered_bidder(auction)
    _proxy, bids = proxy_bid_set(auction_id=auction.pk, user=alice, max_amount="2000.00")
    auction.refresh_from_db()
    assert auction.status == Auction.Status.LIVE
    assert list(auction.status_changes.values_list("to_status", flat=True)) == ["scheduled", "live"]
    assert [(b.seq, str(b.amount), b.is_proxy) for b in bids] == [(1, "1000.00", True)]
    assert (auction.current_price, auction.leader_id) == (Decimal("1000.00"), a.pk)


def test_no_proxy_before_the_start_or_after_the_end():
    early = open_auction(starts_in=600)
    alice, _ = registered_bidder(early)
    with pytest.raises(BidRejected) as info:
        proxy_bid_set(auction_id=early.pk, user=alice, max_amount="2000.00")
    assert info.value.code == "auction_not_live"
    ended = open_auction()
    bob, _ = registered_bidder(ended)
    Auction.objects.filter(pk=ended.pk).update(
        ends_at=timezone.now() - timedelta(seconds=1)
    )  # the clock moved on
    with pytest.raises(BidRejected) as info:
        proxy_bid_set(auction_id=ended.pk, user=bob, max_amount="2000.00")
    assert info.value.code == "auction_ended"
