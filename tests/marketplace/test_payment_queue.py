"""The payment queue says what each item is and filters it; a company says "I have paid" with
its bank receipt and sees its deposit's real state through to the refund (#14 items 9, 10)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from marketplace.models import Payable
from marketplace.selectors import deposit_state
from marketplace.services import deal_conclude, deposit_release
from marketplace.services.brokers import deal_broker_name
from marketplace.services.confirmation import deal_confirmation_sign
from marketplace.services.settlement import deal_settle
from tests.factories import OrganizationFactory, broker_mandate, broker_profile, member_of, open_auction

from .conftest import bank_pays

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


@pytest.fixture
def settled(listing, company, operator):
    broker = broker_profile(OrganizationFactory(name="浙江省技术转移服务中心", kind="agency"))
    broker_mandate(listing, broker, rate="0.0800")
    deal = deal_conclude(listing=listing, buyer=company, price=Decimal("480000.00"), mode="negotiated")
    deal = deal_broker_name(deal=deal, actor=member_of(company), broker=broker)
    for side in (deal.buyer, deal.seller):
        deal_confirmation_sign(deal=deal, actor=member_of(side))
    bank_pays(deal.payment)
    deal.refresh_from_db()
    deal_settle(deal=deal, actor=operator)
    return deal


def test_each_payout_is_labelled_and_filtered_and_confirmed_in_its_own_words(client, settled, operator):
    client.force_login(operator)
    url = reverse("marketplace:console_payments")
    body = client.get(url).content.decode()
    for label in ("结算付款 · 持有单位所得", "结算付款 · 完成人奖励", "结算付款 · 技术经理人佣金"):
        assert label in body
    only_broker = client.get(url, {"kind": "payout_broker"}).content.decode()
    assert re.findall(r'data-testid="purpose">([^<]+)<', only_broker) == ["结算付款 · 技术经理人佣金"]
    payout = Payable.objects.get(kind="payout", payout_account="broker_payable")
    done = client.post(
        f"{url}?kind=payout_broker",
        {"payable": payout.pk, f"p{payout.pk}-bank_transaction_id": "OUT-1", f"p{payout.pk}-note": "已转账"},
        follow=True,
    ).content.decode()
    assert "已确认付出：结算付款 · 技术经理人佣金 已付给" in done and "已确认到账" not in done
    paid = client.get(url, {"kind": "payout_broker", "state": "paid"}).content.decode()
    assert payout.payment_reference in paid


def test_a_company_uploads_its_receipt_and_follows_its_deposit_to_the_refund(client, university, operator):
    auction = open_auction(university, deposit="20000.00")
    company = OrganizationFactory(name="宁波某新材料有限公司")
    bidder = member_of(company)
    client.force_login(bidder)
    client.post(reverse("auctions:register", args=[auction.pk]))
    deposit = Payable.objects.get(kind="deposit", payer=company)
    page = client.get(reverse("auctions:register", args=[auction.pk])).content.decode()
    assert "待缴纳" in page and reverse("marketplace:payment_receipt", args=[deposit.pk]) in page

    sent = client.post(
        reverse("marketplace:payment_receipt", args=[deposit.pk]),
        {"file": SimpleUploadedFile("网银回单.pdf", PDF), "note": "12月6日转账"},
    )
    assert sent.status_code == 302
    assert deposit_state(deposit)[0] == "receipt_submitted"
    assert (
        "回单已提交，待平台确认到账"
        in client.get(reverse("auctions:register", args=[auction.pk])).content.decode()
    )

    client.force_login(operator)
    queue = client.get(reverse("marketplace:console_payments"), {"state": "receipt"}).content.decode()
    assert deposit.payment_reference in queue and "网银回单.pdf" in queue
    receipt = deposit.receipts.get()
    served = client.get(reverse("marketplace:payment_receipt_file", args=[deposit.pk, receipt.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    client.post(
        reverse("marketplace:console_payments") + "?state=receipt",
        {
            "payable": deposit.pk,
            f"p{deposit.pk}-bank_transaction_id": "IN-1",
            f"p{deposit.pk}-note": "已核对回单",
        },
    )
    deposit.refresh_from_db()
    assert deposit_state(deposit) == ("frozen", "已冻结，可以出价")

    deposit_release(payable=deposit)
    deposit.refresh_from_db()
    assert deposit_state(deposit) == ("refund_pending", "已解冻，退款待付")  # not "已解冻" while unpaid
    refund = Payable.objects.get(kind="refund", refund_of=deposit)
    queue = client.get(reverse("marketplace:console_payments"), {"kind": "refund"}).content.decode()
    assert refund.payment_reference in queue and "确认已退款" in queue
    client.post(
        reverse("marketplace:console_payments") + "?kind=refund",
        {"payable": refund.pk, f"p{refund.pk}-bank_transaction_id": "OUT-2", f"p{refund.pk}-note": "已退"},
    )
    assert deposit_state(deposit) == ("refunded", "已退还")
    client.force_login(bidder)
    assert "已退还" in client.get(reverse("auctions:mine")).content.decode()


def test_a_stranger_can_neither_see_nor_send_a_receipt(client, university):
    auction = open_auction(university, deposit="20000.00")
    company = OrganizationFactory()
    client.force_login(member_of(company))
    client.post(reverse("auctions:register", args=[auction.pk]))
    deposit = Payable.objects.get(kind="deposit", payer=company)
    client.force_login(member_of(OrganizationFactory()))
    assert client.get(reverse("marketplace:payment_receipt", args=[deposit.pk])).status_code == 404
