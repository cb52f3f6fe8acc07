"""待办: after signing in, each person sees what waits on them, by role, with the page to do it (#14)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Membership
from marketplace.services import deal_conclude
from marketplace.services.confirmation import deal_confirmation_sign
from tests.factories import member_of, open_auction
from tests.marketplace.conftest import make_listing

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"


def test_signing_in_lands_on_the_todo_page(client, buyer):
    r = client.post(reverse("accounts:login"), {"username": buyer.username, "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == reverse("todo")


def test_each_side_sees_its_own_next_step_of_a_deal(client, university, company):
    deal = deal_conclude(
        listing=make_listing(university), buyer=company, price=Decimal("480000.00"), mode="negotiated"
    )
    buyer = member_of(company)
    seller = member_of(university, Membership.Role.MEMBER)
    deal_confirmation_sign(deal=deal, actor=buyer)
    client.force_login(buyer)
    mine = client.get(reverse("todo")).content.decode()
    assert "受让方付清价款" in mine and "受让方签署成交确认书" not in mine
    assert "转让方签署成交确认书" not in mine  # the other side's step is not the buyer's to do
    client.force_login(seller)
    theirs = client.get(reverse("todo")).content.decode()
    assert (
        "转让方签署成交确认书" in theirs
        and reverse("marketplace:deal_confirmation", args=[deal.pk]) in theirs
    )


def test_a_bidder_is_reminded_of_its_deposit_and_an_operator_of_the_queues(
    client, university, company, operator
):
    auction = open_auction(university, deposit="20000.00", starts_in=3600, ends_in=7200)
    bidder = member_of(company)
    client.force_login(bidder)
    client.post(reverse("auctions:register", args=[auction.pk]))
    body = client.get(reverse("todo")).content.decode()
    assert "缴纳保证金" in body and reverse("auctions:register", args=[auction.pk]) in body
    client.force_login(operator)
    body = client.get(reverse("todo")).content.decode()
    assert "待确认付款" in body and reverse("marketplace:console_payments") in body
