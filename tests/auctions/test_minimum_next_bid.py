"""The least acceptable next bid has one rule, the engine's SQL function ``auction_minimum_next_bid``;
the Python reading the API and the live room show (``auctions.selectors.next_bid_minimum``) must
agree with it in every state."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from auctions.models import Auction
from auctions.selectors import minimum_next_bid
from auctions.services import bid_place
from tests.factories import open_auction, registered_bidder

pytestmark = pytest.mark.django_db


def _engine_minimum(auction: Auction) -> Decimal:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT auction_minimum_next_bid(a) FROM {Auction._meta.db_table} a WHERE a.id = %s",  # noqa: S608
            [auction.pk],
        )
        return cursor.fetchone()[0]


@pytest.mark.parametrize("bids", [0, 1, 3])
def test_the_shown_minimum_is_the_engines(bids):
    auction = open_auction(started=True)
    bidders = [registered_bidder(auction)[0], registered_bidder(auction)[0]]
    amount = Decimal("1000.00")
    for n in range(bids):
        bid_place(auction_id=auction.pk, user=bidders[n % 2], amount=str(amount))
        amount += Decimal("300.00")
    auction.refresh_from_db()
    assert minimum_next_bid(auction) == _engine_minimum(auction)
