"""成交确认书 in the browser: each party opens it from the deal, signs it, and sees both signatures."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Membership, Organization
from marketplace.services import deal_conclude
from tests.factories import OrganizationFactory, make_listing, member_of

from .conftest import confirm

pytestmark = pytest.mark.django_db(transaction=True)


def test_both_parties_sign_the_confirmation(browsing):
    listing = make_listing(mode="negotiated")
    medi = OrganizationFactory(name="宁波医械创新有限公司", kind=Organization.Kind.ENTERPRISE)
    buyer = member_of(medi, Membership.Role.ADMIN, first_name="孙总")
    holder = member_of(listing.achievement.holder, Membership.Role.MEMBER, first_name="陈老师")
    deal = deal_conclude(listing=listing, buyer=medi, price=Decimal("450000.00"), mode="negotiated")

    b = browsing.page(buyer, phone=True)
    b.goto(f"/my/deals/{deal.pk}/")
    b.get_by_role("link", name="成交确认书").click()
    expect(b.get_by_test_id("confirmation-price")).to_have_text("¥450,000.00")
    expect(b.locator(".confirmation")).to_contain_text(
        f"{timezone.localtime(deal.payment_due_at):%Y-%m-%d %H:%M}"
    )
    expect(b.get_by_test_id("signatures")).to_contain_text("待签署")
    confirm(b, lambda: b.get_by_role("button", name="签署确认").click())
    expect(b.locator(".messages")).to_contain_text("已签署成交确认书")
    expect(b.get_by_role("button", name="签署确认")).to_have_count(0)  # its side has signed

    approver = browsing.page(member_of(listing.achievement.holder, Membership.Role.APPROVER))
    approver.goto(f"/my/deals/{deal.pk}/confirmation/")  # reads it; signing is for admins and members
    expect(approver.get_by_test_id("signatures")).to_contain_text("孙总")
    expect(approver.get_by_role("button", name="签署确认")).to_have_count(0)

    h = browsing.page(holder)
    h.goto(f"/my/deals/{deal.pk}/confirmation/")
    expect(h.get_by_test_id("signatures")).to_contain_text("孙总")
    confirm(h, lambda: h.get_by_role("button", name="签署确认").click())
    expect(h.get_by_test_id("confirmation-complete")).to_have_text("双方已签署")
    expect(h.get_by_test_id("signatures")).to_contain_text("陈老师")
    browsing.shot(h, "confirmation-signed")
    h.emulate_media(media="print")
    expect(h.locator(".site-header")).to_be_hidden()  # printed: the document alone
