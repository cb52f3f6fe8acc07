"""People see names, document numbers and plain statements, never a row's id (#14 item 12)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Membership, Notification
from marketplace.services import deal_conclude
from marketplace.services.confirmation import deal_confirmation_sign
from marketplace.services.settlement import deal_settle
from tests.factories import OrganizationFactory, member_of

from .conftest import bank_pays

pytestmark = pytest.mark.django_db
INTERNAL_ID = re.compile(r"(用户|成交|拍卖) ?#\d+")


@pytest.fixture
def deal(listing, company):
    return deal_conclude(listing=listing, buyer=company, price=Decimal("480000.00"), mode="negotiated")


def test_a_paid_deal_reads_paid_and_nothing_due_and_the_buyer_sees_no_ledger(
    client, deal, company, university
):
    buyer = member_of(company)  # no name on record: shown as the company's representative
    seller = member_of(university, Membership.Role.MEMBER, first_name="明", last_name="李")
    deal_confirmation_sign(deal=deal, actor=buyer)
    deal_confirmation_sign(deal=deal, actor=seller)
    bank_pays(deal.payment)
    client.force_login(buyer)
    page = client.get(reverse("marketplace:deal", args=[deal.pk])).content.decode()
    assert "已付 ¥480,000.00，待付 ¥0.00" in page and deal.number in page
    assert "借方" not in page and "贷方" not in page
    assert not INTERNAL_ID.search(page)
    mine = client.get(reverse("marketplace:my_deals")).content.decode()
    assert "¥480,000.00 / ¥0.00" in mine
    confirmation = client.get(reverse("marketplace:deal_confirmation", args=[deal.pk])).content.decode()
    assert f"{company.name} 授权代表" in confirmation and "李明" in confirmation
    assert not INTERNAL_ID.search(confirmation)


def test_notifications_and_records_name_the_deal_by_its_number(deal, company, university, operator):
    for side in (company, university):
        deal_confirmation_sign(deal=deal, actor=member_of(side))
    bank_pays(deal.payment)
    deal.refresh_from_db()
    deal_settle(deal=deal, actor=operator)
    titles = list(Notification.objects.values_list("title", flat=True))
    bodies = list(Notification.objects.values_list("body", flat=True))
    assert any(t == f"成交已结算：{deal.listing.achievement.title}" for t in titles)
    assert not [t for t in titles + bodies if INTERNAL_ID.search(t)]
    assert str(deal) == f"成交 {deal.number}" and deal.number.startswith("ZJCJ")


def test_the_confirmation_prints_as_a_pdf_in_chinese(client, deal, company, university):
    buyer = member_of(company, first_name="伟", last_name="王")
    deal_confirmation_sign(deal=deal, actor=buyer)
    client.force_login(buyer)
    page = client.get(reverse("marketplace:deal_confirmation", args=[deal.pk])).content.decode()
    url = reverse("marketplace:deal_confirmation_pdf", args=[deal.pk])
    assert url in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'filename="{deal.number}.pdf"' in response["Content-Disposition"]
    body = response.content
    assert body.startswith(b"%PDF-") and b"WenQuanYi" in body  # the Chinese font is embedded
    client.force_login(member_of(university))
    assert client.get(url).status_code == 200  # the other party prints it too
    client.force_login(member_of(OrganizationFactory()))
    assert client.get(url).status_code == 404
