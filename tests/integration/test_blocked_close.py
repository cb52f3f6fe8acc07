"""A related party declared between the last bid and the close: the close is refused once, recorded,
the operators told once; the sweeper leaves the auction to the operator, who cancels it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Notification
from accounts.services import organization_relation_declare
from auctions.models import Auction
from auctions.services import auction_cancel, auction_close, bid_place
from auctions.tasks import auction_close_task, auctions_sweep_task
from marketplace.models import Deal, Payable
from tests.conftest import client_for
from tests.factories import member_of, open_auction, registered_bidder

pytestmark = pytest.mark.django_db


def test_a_close_refused_for_a_related_party_is_recorded_once_and_waits_for_an_operator(operator):
    auction = open_auction(deposit="2000.00")
    alice, a = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=alice, amount="1000.00")
    organization_relation_declare(
        actor=operator, organization=a.organization, other=auction.listing.achievement.holder, kind="控股股东"
    )
    Auction.objects.filter(pk=auction.pk).update(ends_at=timezone.now() - timedelta(milliseconds=1))

    closed = auction_close(auction_id=auction.pk)
    assert closed.status == "live" and closed.close_blocked_code == "related_party"
    assert closed.close_blocked_at is not None
    assert not Deal.objects.filter(listing=auction.listing).exists()
    # The close task, a second close and the sweeper do nothing more: no deal, no second notice.
    auction_close_task(auction.pk)
    auctions_sweep_task()
    auctions_sweep_task()
    assert Auction.objects.get(pk=auction.pk).close_blocked_at == closed.close_blocked_at
    notices = Notification.objects.filter(user=operator, kind="auction_close_blocked")
    assert notices.count() == 1 and "related_party" in notices.get().body
    # Everyone sees that the outcome waits for the operators; only they and the holder see why.
    public = APIClient().get(f"/api/v1/auctions/{auction.pk}/").json()
    assert public["status"] == "live" and public["close_blocked"] is True
    assert "close_blocked_code" not in public
    for user in (operator, member_of(auction.holder)):
        assert (
            client_for(user).get(f"/api/v1/auctions/{auction.pk}/").json()["close_blocked_code"]
            == "related_party"
        )
    assert client_for(alice).get(f"/api/v1/auctions/{auction.pk}/").json().get("close_blocked_code") is None
    # The operator decides: cancel; the deposit goes back.
    cancelled = auction_cancel(auction_id=auction.pk, actor=operator, reason="竞得人与持有单位为关联方")
    assert cancelled.status == "cancelled"
    assert APIClient().get(f"/api/v1/auctions/{auction.pk}/").json()["status"] == "cancelled"
    assert Payable.objects.get(pk=a.payment_id).deposit_status == "released"
