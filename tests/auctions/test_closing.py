"""Closing: sold through the marketplace's deal with the winner's deposit applied and the others
released; unsold releases all; idempotent, late-safe; the operator's cancel; the sweeper."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from auctions.models import Auction
from auctions.services import BidRejected, auction_cancel, auction_close, bid_place
from auctions.tasks import auctions_sweep_task
from core.errors import Forbidden
from marketplace.models import Deal, Payable
from tests.conftest import client_for
from tests.factories import open_auction, registered_bidder

pytestmark = pytest.mark.django_db


def end_now(auction: Auction) -> None:
    Auction.objects.filter(pk=auction.pk).update(ends_at=timezone.now() - timedelta(milliseconds=1))


def deposit_status(registration) -> str:
    return Payable.objects.get(pk=registration.payment_id).deposit_status


def test_sold_concludes_the_deal_applies_the_winners_deposit_and_releases_the_others(api):
    auction = open_auction(deposit="10000.00", reserve_price="1100.00")
    alice, a = registered_bidder(auction)
    bob, b = registered_bidder(auction)
    carol, c = registered_bidder(auction)  # registered, paid, never bid
    bid_place(auction_id=auction.pk, user=alice, amount="1000.00")
    bid_place(auction_id=auction.pk, user=bob, amount="1100.00")
    bid_place(auction_id=auction.pk, user=alice, amount="1200.00")
    assert api.get(f"/api/v1/auctions/{auction.pk}/").json()["reserve_met"] is None
    end_now(auction)
    closed = auction_close(auction_id=auction.pk)
    assert closed.status == Auction.Status.SOLD
    deal = Deal.objects.get(listing=auction.listing)
    assert (deal.price, deal.buyer_id, deal.mode) == (Decimal("1200.00"), a.organization_id, "auction")
    assert (deal.bid_count, deal.bidder_count) == (3, 2)
    assert deal.applied_deposit == Decimal("1200.00")  # the deposit exceeds this small price
    assert closed.deal_id == deal.pk
    assert deposit_status(a) == "applied"
    assert deposit_status(b) == deposit_status(c) == "released"
    body = api.get(f"/api/v1/auctions/{auction.pk}/").json()
    assert body["status"] == "sold" and body["reserve_met"] is True and body["deal"] == deal.pk
    assert "reserve_price" not in body
    auction.listing.refresh_from_db()
    assert auction.listing.status == "closed"


def test_no_bids_is_unsold_and_releases_every_deposit():
    auction = open_auction(deposit="5000.00")
    _, a = registered_bidder(auction)
    _, unpaid = registered_bidder(auction, frozen=False)
    end_now(auction)
    assert auction_close(auction_id=auction.pk).status == Auction.Status.UNSOLD
    assert deposit_status(a) == "released" and deposit_status(unpaid) == "released"
    assert not Deal.objects.filter(listing=auction.listing).exists()
    auction.listing.refresh_from_db()
    assert auction.listing.status == "closed"


def test_below_the_reserve_is_unsold_and_says_so_only_after_the_close(api):
    auction = open_auction(reserve_price="5000.00")
    alice, _ = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=alice, amount="1000.00")
    end_now(auction)
    auction_close(auction_id=auction.pk)
    body = api.get(f"/api/v1/auctions/{auction.pk}/").json()
    assert body["status"] == "unsold" and body["reserve_met"] is False and "reserve_price" not in body


def test_close_before_the_end_changes_nothing_and_a_second_close_is_harmless():
    auction = open_auction()
    alice, _ = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=alice, amount="1000.00")
    assert auction_close(auction_id=auction.pk).status == Auction.Status.LIVE
    end_now(auction)
    first = auction_close(auction_id=auction.pk)
    second = auction_close(auction_id=auction.pk)
    assert first.status == second.status == Auction.Status.SOLD
    assert Deal.objects.filter(listing=auction.listing).count() == 1
    assert auction.status_changes.filter(to_status="sold").count() == 1


def test_a_late_close_does_not_change_the_outcome():
    auction = open_auction()
    alice, _ = registered_bidder(auction)
    bob, b = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=bob, amount="1000.00")
    end_now(auction)  # the close task is late: the end passed, the auction is still "live"
    with pytest.raises(BidRejected) as info:
        bid_place(auction_id=auction.pk, user=alice, amount="5000.00")
    assert info.value.code == "auction_ended"
    closed = auction_close(auction_id=auction.pk)
    assert closed.leader_id == b.pk and closed.current_price == Decimal("1000.00")


def test_operator_cancels_with_a_reason(operator, buyer):
    auction = open_auction(deposit="3000.00")
    alice, a = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=alice, amount="1000.00")
    with pytest.raises(Forbidden):
        auction_cancel(auction_id=auction.pk, actor=alice, reason="x")
    r = client_for(operator).post(f"/api/v1/auctions/{auction.pk}/cancel/", {"reason": ""}, format="json")
    assert r.status_code == 400
    r = client_for(operator).post(
        f"/api/v1/auctions/{auction.pk}/cancel/", {"reason": "成果权属存在争议"}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert deposit_status(a) == "released"
    assert auction.status_changes.get(to_status="cancelled").reason == "成果权属存在争议"
    assert (
        client_for(buyer).post(f"/api/v1/auctions/{auction.pk}/cancel/", {"reason": "x"}).status_code == 403
    )
    with pytest.raises(BidRejected) as info:
        bid_place(auction_id=auction.pk, user=alice, amount="1100.00")
    # Its deposit was released with the cancel, but the auction's state is told first (#12).
    assert info.value.code == "auction_not_live"


def test_sweeper_starts_and_closes_what_the_tasks_missed():
    scheduled = open_auction(starts_in=-5)
    ended = open_auction(starts_in=-60, ends_in=-1)
    auctions_sweep_task()
    assert Auction.objects.get(pk=scheduled.pk).status == Auction.Status.LIVE
    assert Auction.objects.get(pk=ended.pk).status == Auction.Status.UNSOLD


def test_after_the_close_a_loser_hears_that_the_auction_ended():
    """#12 hole 11: after the close every loser's bid was refused deposit_not_frozen (its deposit
    had just been released); the auction's state is told first."""
    auction = open_auction(started=True, ends_in=3600)
    winner, _w = registered_bidder(auction)
    loser, _l = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=loser, amount="1000.00")
    bid_place(auction_id=auction.pk, user=winner, amount="1100.00")
    Auction.objects.filter(pk=auction.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    auction_close(auction_id=auction.pk)
    with pytest.raises(BidRejected) as info:
        bid_place(auction_id=auction.pk, user=loser, amount="1200.00")
    assert info.value.code == "auction_ended"
