"""Operators get the console, not the parties' pages (#14 item 11)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from marketplace.services import deal_conclude
from tests.factories import UserFactory
from tests.marketplace.conftest import make_listing

pytestmark = pytest.mark.django_db


def test_an_operator_is_not_invited_to_register_an_organization(client, operator):
    client.force_login(operator)
    response = client.get(reverse("accounts:organization"))
    assert response.status_code == 302 and response["Location"] == reverse("console")
    console = client.get(reverse("console")).content.decode()
    assert reverse("accounts:organization") not in console and "我的机构" not in console


def test_an_operator_sees_every_deal_with_both_parties_not_a_side(client, operator, university, company):
    deal = deal_conclude(
        listing=make_listing(university), buyer=company, price=Decimal("480000.00"), mode="negotiated"
    )
    client.force_login(operator)
    mine = client.get(reverse("marketplace:my_deals"))
    assert mine.status_code == 302 and mine["Location"] == reverse("marketplace:console_deals")
    body = client.get(mine["Location"]).content.decode()
    assert reverse("marketplace:deal", args=[deal.pk]) in body
    assert university.name in body and company.name in body


def test_the_admin_link_only_for_who_the_admin_shows_something(client, operator):
    client.force_login(operator)
    assert client.get(reverse("admin:index")).status_code == 200  # the page exists ...
    body = client.get(reverse("console")).content.decode()
    admin_offered = reverse("admin:index") in body
    # ... and the console links to it only when it lists something for this operator.
    shows_something = bool(client.get(reverse("admin:index")).context["app_list"])
    assert admin_offered == shows_something
    assert not admin_offered  # the operator groups give no admin model: "no permission" was a dead end
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    assert reverse("admin:index") in client.get(reverse("console")).content.decode()


def test_a_party_still_sees_its_side(client, buyer, university, company):
    deal_conclude(
        listing=make_listing(university), buyer=company, price=Decimal("1000.00"), mode="negotiated"
    )
    client.force_login(buyer)
    body = client.get(reverse("marketplace:my_deals")).content.decode()
    assert "受让方" in body
