"""Money is ASCII digits with at most one point and two places, nothing else (#12 hole 9)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.inputs import FieldErrors
from core.money import money_parse
from tests.conftest import client_for
from tests.factories import OrganizationFactory, member_of, open_auction, registered_bidder

pytestmark = pytest.mark.django_db

ODD = [
    "8.6E5",
    "８６００００",
    "٨٦٠٠٠٠",
    "860_000",
    "+860000",
    "860000.",
    ".5",
    "1,000",
    " 86 0000",
    "0x10",
    "NaN",
]


@pytest.mark.parametrize("text", ODD)
def test_the_one_rule_refuses_odd_forms(text):
    errors = FieldErrors()
    assert money_parse(text, errors=errors, field="price") is None
    assert errors["price"]


@pytest.mark.parametrize(
    ("text", "value"), [("860000", "860000.00"), ("860000.5", "860000.50"), (" 12.34 ", "12.34")]
)
def test_plain_amounts_pass(text, value):
    assert money_parse(text, errors=FieldErrors(), field="price") == Decimal(value)


@pytest.mark.parametrize("text", ["8.6E5", "８６００００", "+1100", "1_100"])
def test_a_bid_in_an_odd_form_is_invalid_amount(text):
    auction = open_auction(started=True)
    bidder, _registration = registered_bidder(auction)
    r = client_for(bidder).post(f"/api/v1/auctions/{auction.pk}/bids/", {"amount": text}, format="json")
    assert (r.status_code, r.json()["code"]) == (400, "invalid_amount"), r.json()


@pytest.mark.parametrize("text", ["8.6E5", "٨٦٠٠٠٠", "860_000"])
def test_an_offer_in_an_odd_form_is_invalid_amount(text):
    from tests.marketplace.conftest import make_listing

    holder = OrganizationFactory(kind="university")
    member_of(holder)
    listing = make_listing(holder)
    buyer = member_of(OrganizationFactory())
    r = client_for(buyer).post(f"/api/v1/listings/{listing.pk}/offers/", {"amount": text}, format="json")
    assert (r.status_code, r.json()["code"]) == (400, "invalid_amount"), r.json()
