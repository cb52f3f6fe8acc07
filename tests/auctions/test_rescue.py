"""Rescue of failed trades (issue #16, parts 2 and 3): the best-offer window after 流拍 and the move
to a negotiated listing; the runner-up after the winner's default. Deposits, records, roles."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from auctions.models import BestOffer, BestOfferWindow, Checkpoint, RunnerUpOffer
from auctions.services import (
    auction_close,
    best_offer_window_lapse,
    bid_place,
    runner_up_offer_lapse,
)
from listings.models import Listing
from marketplace.models import Deal, Payable
from marketplace.services.defaults import deal_default
from tests.auctions.fair_helpers import end_now, overdue
from tests.conftest import client_for
from tests.factories import OrganizationFactory, member_of, open_auction, pay_deposit, registered_bidder

pytestmark = pytest.mark.django_db


def unsold_auction(deposit: str = "500.00"):
    auction = open_auction(deposit=deposit, reserve_price="5000.00")
    alice, a = registered_bidder(auction)
    bob, b = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=alice, amount="1000.00")
    bid_place(auction_id=auction.pk, user=bob, amount="1100.00")
    end_now(auction)
    auction = auction_close(auction_id=auction.pk)
    assert auction.status == "unsold"
    return auction, (alice, a), (bob, b)


def _deposit_status(payable_id: int) -> str:
    return Payable.objects.get(pk=payable_id).deposit_status


def test_best_offer_window_sealed_offers_and_the_holder_accepts_one(settings):
    settings.MARKET = {**settings.MARKET, "BEST_OFFER_WINDOW_HOURS": 24}
    auction, (alice, a), (bob, b) = unsold_auction()
    holder = client_for(member_of(auction.holder))
    assert client_for(alice).post(f"/api/v1/auctions/{auction.pk}/best-offer-window/").status_code == 403
    r = holder.post(f"/api/v1/auctions/{auction.pk}/best-offer-window/")
    assert r.status_code == 201, r.content
    window = BestOfferWindow.objects.get(auction=auction)
    assert window.closes_at - window.opened_at == dt.timedelta(hours=24)
    assert holder.post(f"/api/v1/auctions/{auction.pk}/best-offer-window/").json()["code"] == "window_exists"
    ra = client_for(alice).post(f"/api/v1/auctions/{auction.pk}/best-offers/", {"amount": "3000.00"})
    rb = client_for(bob).post(f"/api/v1/auctions/{auction.pk}/best-offers/", {"amount": "4000.00"})
    assert ra.status_code == rb.status_code == 201, (ra.content, rb.content)
    assert ra.json()["deposit_status"] == "pending" and ra.json()["payment_reference"]
    again = client_for(alice).post(f"/api/v1/auctions/{auction.pk}/best-offers/", {"amount": "3500.00"})
    assert again.status_code == 409 and again.json()["code"] == "offer_exists"
    offer_b = BestOffer.objects.get(pk=rb.json()["id"])
    # The holder may accept only once the offer's deposit is frozen.
    refused = holder.post(f"/api/v1/best-offers/{offer_b.pk}/accept/")
    assert refused.status_code == 409 and refused.json()["code"] == "deposit_not_frozen"

    class _Reg:  # pay_deposit pays a registration's payment
        payment = offer_b.payment

    pay_deposit(_Reg)
    assert client_for(bob).post(f"/api/v1/best-offers/{offer_b.pk}/accept/").status_code == 403
    r = holder.post(f"/api/v1/best-offers/{offer_b.pk}/accept/")
    assert r.status_code == 200, r.content
    deal = Deal.objects.get(pk=r.json()["deal"])
    assert (deal.buyer_id, deal.price, deal.applied_deposit) == (
        b.organization_id,
        Decimal("4000.00"),
        Decimal("500.00"),
    )
    assert _deposit_status(offer_b.payment_id) == "applied"
    offer_a = BestOffer.objects.get(pk=ra.json()["id"])
    assert offer_a.status == "declined" and _deposit_status(offer_a.payment_id) == "released"
    window.refresh_from_db()
    assert window.status == "accepted" and window.deal_id == deal.pk
    assert list(window.status_changes.values_list("to_status", flat=True)) == ["open", "accepted"]
    assert deal.confirmation.terms["record_checkpoint"]["payload"]["event"] == "best_offer_accepted"
    assert Checkpoint.objects.filter(auction=auction, event="best_offer_accepted", deal=deal).exists()


def test_a_bidder_that_did_not_register_cannot_offer_and_a_lapsed_window_opens_the_negotiated_move():
    auction, (alice, a), _ = unsold_auction()
    holder_user = member_of(auction.holder)
    holder = client_for(holder_user)
    early = holder.post(f"/api/v1/auctions/{auction.pk}/move-to-negotiated/", {}, format="json")
    assert early.status_code == 201  # no window opened: the holder may move at once
    Listing.objects.filter(pk=early.json()["listing"]).delete()  # (undo, to try the window path)
    holder.post(f"/api/v1/auctions/{auction.pk}/best-offer-window/")
    stranger = member_of(OrganizationFactory())
    r = client_for(stranger).post(f"/api/v1/auctions/{auction.pk}/best-offers/", {"amount": "3000.00"})
    assert r.status_code == 422 and r.json()["code"] == "not_registered"
    offer = (
        client_for(alice).post(f"/api/v1/auctions/{auction.pk}/best-offers/", {"amount": "3000.00"}).json()
    )
    blocked = holder.post(f"/api/v1/auctions/{auction.pk}/move-to-negotiated/", {}, format="json")
    assert blocked.status_code == 409 and blocked.json()["code"] == "window_open"
    BestOfferWindow.objects.filter(auction=auction).update(
        closes_at=timezone.now() - dt.timedelta(seconds=1), opened_at=timezone.now() - dt.timedelta(hours=25)
    )
    best_offer_window_lapse(window_id=BestOfferWindow.objects.get(auction=auction).pk)
    assert BestOffer.objects.get(pk=offer["id"]).status == "declined"
    assert _deposit_status(offer["payment"]) == "released"
    r = holder.post(
        f"/api/v1/auctions/{auction.pk}/move-to-negotiated/", {"asking_price": "3500.00"}, format="json"
    )
    assert r.status_code == 201, r.content
    listing = Listing.objects.get(pk=r.json()["listing"])
    assert (listing.mode, listing.status, listing.notice_days) == ("negotiated", "pending_review", 15)
    assert listing.achievement_id == auction.listing.achievement_id


def sold_then_defaulted(deposit: str = "500.00"):
    auction = open_auction(deposit=deposit)
    alice, a = registered_bidder(auction)
    bob, b = registered_bidder(auction)
    carol, c = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=alice, amount="1000.00")
    bid_place(auction_id=auction.pk, user=carol, amount="1100.00")
    bid_place(auction_id=auction.pk, user=bob, amount="1200.00")
    bid_place(auction_id=auction.pk, user=alice, amount="1300.00")
    end_now(auction)
    auction_close(auction_id=auction.pk)
    deal = Deal.objects.get(listing=auction.listing)
    overdue(deal)
    deal_default(deal=deal)
    return auction, deal, (alice, a), (bob, b), (carol, c)


def test_runner_up_accepts_within_three_working_days_with_a_new_deposit():
    auction, deal, (alice, a), (bob, b), _ = sold_then_defaulted()
    holder = client_for(member_of(auction.holder))
    assert client_for(bob).post(f"/api/v1/deals/{deal.pk}/runner-up-offer/").status_code == 403
    r = holder.post(f"/api/v1/deals/{deal.pk}/runner-up-offer/")
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["bidder_no"], body["amount"], body["deposit_status"]) == (b.bidder_no, "1200.00", "pending")
    offer = RunnerUpOffer.objects.get(pk=body["id"])
    from marketplace.working_days import add_working_days

    assert offer.expires_at == add_working_days(offer.offered_at, 3)
    assert holder.post(f"/api/v1/deals/{deal.pk}/runner-up-offer/").json()["code"] == "runner_up_offer_exists"
    assert client_for(alice).post(f"/api/v1/runner-up-offers/{offer.pk}/accept/").status_code == 403
    unpaid = client_for(bob).post(f"/api/v1/runner-up-offers/{offer.pk}/accept/")
    assert unpaid.status_code == 409 and unpaid.json()["code"] == "deposit_not_frozen"

    class _Reg:
        payment = offer.payment

    pay_deposit(_Reg)
    r = client_for(bob).post(f"/api/v1/runner-up-offers/{offer.pk}/accept/")
    assert r.status_code == 200, r.content
    new = Deal.objects.get(pk=r.json()["deal"])
    assert (new.buyer_id, new.price, new.applied_deposit, new.status) == (
        b.organization_id,
        Decimal("1200.00"),
        Decimal("500.00"),
        "awaiting_payment",
    )
    auction.refresh_from_db()
    assert auction.deal_id == new.pk
    assert new.confirmation.terms["record_checkpoint"]["payload"]["event"] == "runner_up_accepted"
    assert list(offer.status_changes.values_list("to_status", flat=True)) == ["open", "accepted"]


def test_runner_up_declines_without_penalty_or_lets_it_lapse():
    auction, deal, _, (bob, b), _ = sold_then_defaulted()
    holder = client_for(member_of(auction.holder))
    offer = holder.post(f"/api/v1/deals/{deal.pk}/runner-up-offer/").json()
    r = client_for(bob).post(f"/api/v1/runner-up-offers/{offer['id']}/decline/", {"reason": "预算调整"})
    assert r.status_code == 200 and r.json()["status"] == "declined"
    assert _deposit_status(offer["payment"]) == "released"
    from marketplace.models import CreditEvent

    assert not CreditEvent.objects.filter(organization_id=b.organization_id).exists()
    # A second lot: no answer in time lapses the offer.
    auction2, deal2, _, (bob2, _b2), _ = sold_then_defaulted()
    offer2 = client_for(member_of(auction2.holder)).post(f"/api/v1/deals/{deal2.pk}/runner-up-offer/").json()
    RunnerUpOffer.objects.filter(pk=offer2["id"]).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    late = client_for(bob2).post(f"/api/v1/runner-up-offers/{offer2['id']}/accept/")
    assert late.status_code == 409 and late.json()["code"] in ("offer_expired", "deposit_not_frozen")
    assert runner_up_offer_lapse(offer_id=offer2["id"]).status == "lapsed"
    assert _deposit_status(offer2["payment"]) == "released"


def test_runner_up_needs_a_defaulted_deal():
    auction = open_auction()
    alice, _ = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=alice, amount="1000.00")
    end_now(auction)
    auction_close(auction_id=auction.pk)
    deal = Deal.objects.get(listing=auction.listing)
    r = client_for(member_of(auction.holder)).post(f"/api/v1/deals/{deal.pk}/runner-up-offer/")
    assert r.status_code == 409 and r.json()["code"] == "deal_not_defaulted"


def test_the_rescue_page_answers_a_malformed_offer_with_its_message(client):
    from auctions.services import best_offer_window_open

    auction, (alice, _), _ = unsold_auction()
    best_offer_window_open(auction_id=auction.pk, actor=member_of(auction.holder))
    client.force_login(alice)
    r = client.post(f"/auctions/{auction.pk}/rescue/", {"action": "make_offer", "amount": "abc"}, follow=True)
    assert r.status_code == 200 and "报价须为正数" in r.content.decode()
    r = client.post(f"/auctions/{auction.pk}/rescue/", {"action": "unknown"}, follow=True)
    assert "未知的操作" in r.content.decode()
    assert not BestOffer.objects.exists()
