"""Issue 14 item 7: after the close the room tells each person the outcome: the winner a link to
its deal and what to pay by when; a loser that its deposit is released and when the refund is paid;
the holder the deal; the public the result. No bid form after the close."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from auctions.models import Auction
from auctions.services import auction_close, bid_place
from core.display import local_date, local_time
from marketplace.models import Deal, Payable, Result
from tests.factories import member_of, open_auction, registered_bidder
from tests.marketplace.conftest import bank_pays

pytestmark = pytest.mark.django_db


def browser_of(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def closed():
    auction = open_auction(deposit="10000.00", start_price="100000.00", increment="5000.00")
    winner, _w = registered_bidder(auction)
    loser, _l = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=loser, amount="100000.00")
    bid_place(auction_id=auction.pk, user=winner, amount="105000.00")
    Auction.objects.filter(pk=auction.pk).update(ends_at=timezone.now() - timedelta(milliseconds=1))
    auction_close(auction_id=auction.pk)
    return auction, winner, loser


def room(auction, user=None) -> str:
    response = browser_of(user).get(f"/auctions/{auction.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_winner_gets_its_deal_and_what_to_pay_by_when_and_no_bid_form(closed):
    auction, winner, _loser = closed
    deal = Deal.objects.get(listing=auction.listing)
    page = room(auction, winner)
    assert 'data-role="winner"' in page
    assert f"/my/deals/{deal.pk}/" in page
    assert "¥95,000.00" in page and local_time(deal.payment_due_at) in page  # 105,000 less the 10,000 deposit
    assert "保证金尚未到账冻结" not in page and 'data-live="bid-form"' not in page
    assert "落槌成交" in page


def test_a_loser_reads_its_deposit_is_released_and_when_the_refund_comes(closed):
    auction, _winner, loser = closed
    refund = Payable.objects.get(kind="refund", payer=loser.memberships.first().organization)
    page = room(auction, loser)
    assert 'data-role="loser"' in page and "¥10,000.00" in page and local_date(refund.due_at) in page
    assert 'data-live="bid-form"' not in page


def test_the_holder_sees_the_deal(closed):
    auction, _winner, _loser = closed
    deal = Deal.objects.get(listing=auction.listing)
    page = room(auction, member_of(auction.holder))
    assert 'data-role="holder"' in page and f"/my/deals/{deal.pk}/" in page


def test_the_public_sees_the_result_once_published(closed):
    auction, _winner, _loser = closed
    page = room(auction)
    assert 'data-role="public"' in page and "付清价款后" in page
    deal = Deal.objects.get(listing=auction.listing)
    bank_pays(deal.payment)
    result = Result.objects.get(deal=deal)
    page = room(auction)
    assert f"/results/{result.pk}/" in page
    # and the breadcrumb to the closed listing works
    assert browser_of().get(f"/listings/{auction.listing_id}/").status_code == 200
