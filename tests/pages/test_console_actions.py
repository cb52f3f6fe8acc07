"""Operator console actions through the Django test client (no browser needed): cancelling an
auction needs a reason, and refunds owed by the escrow are listed for finance to pay out."""

import pytest

from auctions.models import Auction
from marketplace.models import Payable
from tests.factories import OrganizationFactory, make_listing, member_of

pytestmark = pytest.mark.django_db


def test_operator_cancels_an_auction_with_a_reason(client, operator):
    auction = Auction.objects.get(listing=make_listing(mode="auction"))
    client.force_login(operator)
    page = client.post(f"/console/auctions/{auction.pk}/cancel/", {"reason": ""}, follow=True)
    assert "取消理由" in page.content.decode() and Auction.objects.get(pk=auction.pk).status == "scheduled"
    page = client.post(f"/console/auctions/{auction.pk}/cancel/", {"reason": "持有单位撤回授权"}, follow=True)
    assert "已取消" in page.content.decode() and Auction.objects.get(pk=auction.pk).status == "cancelled"


def test_a_released_paid_deposit_is_a_refund_for_finance_to_pay_out(client, operator):
    auction = Auction.objects.get(listing=make_listing(mode="auction"))
    buyer = member_of(OrganizationFactory(kind="enterprise"))
    client.force_login(buyer)
    client.post(f"/auctions/{auction.pk}/register/")
    deposit = Payable.objects.get(kind=Payable.Kind.DEPOSIT)
    client.force_login(operator)
    form = {
        "payable": deposit.pk,
        f"p{deposit.pk}-bank_transaction_id": "ICBC-9",
        f"p{deposit.pk}-note": "回单已核",
    }
    assert client.post("/console/payments/", form).status_code == 302
    client.post(f"/console/auctions/{auction.pk}/cancel/", {"reason": "流程调整"})
    refund = Payable.objects.get(kind=Payable.Kind.REFUND)
    page = client.get("/console/payments/").content.decode()
    assert "确认已退款" in page and refund.payment_reference in page  # a refund's own words (#14 item 10)
