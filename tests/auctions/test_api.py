"""The REST endpoints of API.md, "Auctions", through a real token client."""

from __future__ import annotations

import pytest

from auctions.chain import verify_chain
from auctions.models import Registration
from tests.conftest import client_for
from tests.factories import OrganizationFactory, member_of, open_auction, registered_bidder

pytestmark = pytest.mark.django_db


def test_auction_detail_hides_the_reserve_from_the_public(api, operator):
    auction = open_auction(reserve_price="5000.00")
    body = api.get(f"/api/v1/auctions/{auction.pk}/").json()
    assert body["status"] == "scheduled"
    assert body["start_price"] == "1000.00" and body["increment"] == "100.00"
    assert body["current_price"] is None and body["leader_bidder_no"] is None
    assert body["reserve_met"] is None and body["deal"] is None
    assert "reserve_price" not in body and "5000" not in str(body)
    assert {"id", "listing", "bid_count", "starts_at", "ends_at", "server_time"} <= set(body)
    assert client_for(operator).get(f"/api/v1/auctions/{auction.pk}/").json()["reserve_price"] == "5000.00"
    holder_member = member_of(auction.holder)
    assert (
        client_for(holder_member).get(f"/api/v1/auctions/{auction.pk}/").json()["reserve_price"] == "5000.00"
    )


def test_register_then_mine(buyer):
    auction = open_auction(deposit="20000.00")
    client = client_for(buyer)
    r = client.post(f"/api/v1/auctions/{auction.pk}/registrations/", {}, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["deposit"] == "20000.00" and body["deposit_status"] == "pending"
    assert len(body["bidder_no"]) == 6 and {"id", "payment", "payment_reference"} <= set(body)
    assert client.get(f"/api/v1/auctions/{auction.pk}/registrations/mine/").json()["id"] == body["id"]
    again = client.post(f"/api/v1/auctions/{auction.pk}/registrations/", {}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "already_registered")


def test_holder_cannot_register(holder_member):
    auction = open_auction(holder=holder_member.memberships.first().organization)
    r = client_for(holder_member).post(f"/api/v1/auctions/{auction.pk}/registrations/", {}, format="json")
    assert (r.status_code, r.json()["code"]) == (422, "related_party")


def test_mine_when_not_registered_is_404(buyer):
    auction = open_auction()
    r = client_for(buyer).get(f"/api/v1/auctions/{auction.pk}/registrations/mine/")
    assert (r.status_code, r.json()["code"]) == (404, "not_registered")


def test_bid_with_idempotency_key_and_the_public_bid_list(api):
    auction = open_auction()
    alice, registration = registered_bidder(auction)
    client = client_for(alice)
    url = f"/api/v1/auctions/{auction.pk}/bids/"
    r = client.post(url, {"amount": "1000.00"}, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert r.status_code == 201, r.content
    assert r.json()["seq"] == 1 and r.json()["amount"] == "1000.00"
    assert r.json()["bidder_no"] == registration.bidder_no and r.json()["ends_at"]
    again = client.post(url, {"amount": "1000.00"}, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert again.status_code == 201 and again.json() == r.json() and again["Idempotent-Replayed"] == "true"
    other = client.post(url, {"amount": "1500.00"}, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    refused = client.post(url, {"amount": "1100.00"}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (422, "already_leading")
    listing = api.get(url).json()
    assert listing["next"] is None
    assert [b["seq"] for b in listing["results"]] == [1]
    assert verify_chain(auction.pk, listing["results"]) is None


def test_bid_needs_sign_in_and_a_registration(api):
    auction = open_auction()
    url = f"/api/v1/auctions/{auction.pk}/bids/"
    assert api.post(url, {"amount": "1000.00"}, format="json").status_code == 401
    stranger = client_for(member_of(OrganizationFactory()))
    r = stranger.post(url, {"amount": "1000.00"}, format="json")
    assert (r.status_code, r.json()["code"]) == (422, "not_registered")
    assert stranger.post(url, {"amount": "x"}, format="json").status_code == 400


def test_proxy_bid_put():
    auction = open_auction()
    alice, _ = registered_bidder(auction)
    client = client_for(alice)
    r = client.put(f"/api/v1/auctions/{auction.pk}/proxy-bid/", {"max_amount": "3000.00"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json() == {"max_amount": "3000.00", "leading": True, "current_price": "1000.00"}
    mine = client.get(f"/api/v1/auctions/{auction.pk}/registrations/mine/").json()
    assert mine["proxy_max_amount"] == "3000.00"
    public = client_for(member_of(OrganizationFactory())).get(f"/api/v1/auctions/{auction.pk}/").json()
    assert "3000" not in str(public)


def test_missing_auction_is_404(api, buyer):
    assert api.get("/api/v1/auctions/999999/").status_code == 404
    assert (
        client_for(buyer).post("/api/v1/auctions/999999/bids/", {"amount": "1.00"}, format="json").status_code
        == 404
    )
    assert Registration.objects.count() == 0
