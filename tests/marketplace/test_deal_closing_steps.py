"""Issue 14, items 1-3: a result keeps a public page linked from the board, the CSV and the API;
settlement and payouts wait for the 成交确认书 signed by both; the 技术合同认定登记号 is validated
by its published format, corrected by an operator with a reason on record, published only valid."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Notification
from listings.models import Listing
from marketplace.models import ContractRegistrationChange, Deal, Payable, Result
from marketplace.selectors import deal_steps
from marketplace.services import deal_conclude, payable_confirm
from marketplace.services.confirmation import deal_confirmation_sign
from marketplace.services.settlement import deal_register_contract, deal_release_for_settlement
from marketplace.validators import contract_registration_no_normalize
from tests.conftest import client_for
from tests.factories import member_of

from .conftest import bank_pays, make_listing

pytestmark = pytest.mark.django_db


def browser_of(user) -> Client:
    """A signed-in browser session (pages use the session, not tokens)."""
    client = Client()
    client.force_login(user)
    return client


YEAR = timezone.localdate().year
GOOD = f"{YEAR}330106012345"


@pytest.fixture
def paid(university, company) -> Deal:
    deal = deal_conclude(
        listing=make_listing(university), buyer=company, price=Decimal("480000.00"), mode="negotiated"
    )
    bank_pays(deal.payment)
    deal.refresh_from_db()
    return deal


# 1. Public result pages ---------------------------------------------------------------------


def test_every_link_on_the_results_board_opens_the_results_public_page(paid, university, company):
    result = Result.objects.get(deal=paid)
    board = Client().get("/results/")
    assert board.status_code == 200
    page_url = f"/results/{result.pk}/"
    assert f'href="{page_url}"' in board.content.decode()
    page = Client().get(page_url)
    text = page.content.decode()
    assert page.status_code == 200
    for fact in (result.listing_title, company.name, university.name, "¥480,000.00", "协议定价"):
        assert fact in text, fact
    # the lot's own listing page stays public after it closed (the page links it)
    assert paid.listing.status == Listing.Status.CLOSED
    listing_page = Client().get(f"/listings/{paid.listing_id}/")
    assert listing_page.status_code == 200 and page_url in listing_page.content.decode()
    assert Client().get("/results/999999/").status_code == 404


def test_the_api_and_the_csv_carry_the_results_address(paid):
    result = Result.objects.get(deal=paid)
    (item,) = APIClient().get("/api/v1/results/").json()["results"]
    assert item["url"] == f"http://testserver/results/{result.pk}/"
    body = b"".join(APIClient().get("/api/v1/results/?format=csv").streaming_content).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(body)))
    assert header[-1] == "公示页面" and row[-1] == f"http://testserver/results/{result.pk}/"


def test_the_listing_published_notification_link_works_after_the_lot_closes(paid, university):
    holder = member_of(university)
    link = f"/listings/{paid.listing_id}/"
    assert browser_of(holder).get(link).status_code == 200
    assert Client().get(link).status_code == 200  # the public too


# 2. Settlement and payouts wait for both signatures ----------------------------------------


def test_no_settlement_or_payout_while_the_confirmation_is_unsigned(paid, university, buyer, operator):
    holder = member_of(university)
    r = client_for(operator).post(f"/api/v1/deals/{paid.pk}/settle/", {"reason": "放款"})
    assert (r.status_code, r.json()["code"]) == (409, "confirmation_unsigned")
    assert "受让方、转让方" in r.json()["detail"]
    r = client_for(holder).post(
        f"/api/v1/deals/{paid.pk}/contract-registration/", {"contract_registration_no": GOOD}
    )
    assert (r.status_code, r.json()["code"]) == (409, "confirmation_unsigned")
    deal_confirmation_sign(deal=paid, actor=buyer)
    r = client_for(operator).post(f"/api/v1/deals/{paid.pk}/settle/", {"reason": "放款"})
    assert r.json()["code"] == "confirmation_unsigned" and "转让方" in r.json()["detail"]
    paid.refresh_from_db()
    assert paid.status == "paid" and not Payable.objects.filter(kind="payout").exists()
    deal_confirmation_sign(deal=paid, actor=holder)
    assert (
        client_for(operator).post(f"/api/v1/deals/{paid.pk}/settle/", {"reason": "放款"}).status_code == 200
    )


def test_a_payout_of_a_deal_settled_unsigned_before_the_rule_is_held(paid, operator, monkeypatch):
    # A deal settled before the rule existed (today's main settled unsigned deals): its payouts
    # wait for the signatures all the same.
    from core.errors import Conflict
    from marketplace.services import settlement

    monkeypatch.setattr(settlement, "confirmation_require_signed", lambda deal: None)
    deal_release_for_settlement(deal=paid, actor=operator, reason="旧数据")
    monkeypatch.undo()
    payout = Payable.objects.filter(kind="payout").first()
    with pytest.raises(Conflict) as refused:
        payable_confirm(payable=payout, actor=operator, note="付出", bank_transaction_id="OUT1")
    assert refused.value.code == "confirmation_unsigned"


def test_each_party_sees_what_waits_on_whom(paid, university, buyer):
    holder = member_of(university)
    steps = {s["key"]: s for s in deal_steps(paid)}
    assert steps["buyer_signs"]["waiting"] and steps["seller_signs"]["waiting"]
    assert steps["pay"]["done"] and not steps["register"]["waiting"]  # blocked until both sign
    page = browser_of(buyer).get(f"/my/deals/{paid.pk}/").content.decode()
    assert "受让方签署成交确认书" in page and "待您办理" in page and "等待转让方" in page
    holder_page = browser_of(holder).get(f"/my/deals/{paid.pk}/").content.decode()
    assert "等待受让方" in holder_page and 'data-testid="contract-blocked"' in holder_page
    deal_confirmation_sign(deal=paid, actor=buyer)
    deal_confirmation_sign(deal=paid, actor=holder)
    steps = {s["key"]: s for s in deal_steps(paid)}
    assert steps["register"]["waiting"] and not steps["settle"]["waiting"]
    assert (
        'name="contract_registration_no"' in browser_of(holder).get(f"/my/deals/{paid.pk}/").content.decode()
    )


# 3. The 技术合同认定登记号 -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "ok"),
    [
        (GOOD, True),
        (f"{YEAR}-3301-06-012345", True),  # separators between the parts
        ("abc", False),
        ("330106X0012345", False),  # letters
        (f"{YEAR}990106012345", False),  # 99 is no province
        (f"{YEAR}330100012345", False),  # office 00
        (f"{YEAR}330106000000", False),  # serial 000000
        (f"{YEAR + 1}330106012345", False),  # a year to come
        ("2001330106012345", False),  # before the deal
    ],
)
def test_the_number_has_the_published_shape(raw, ok):
    number, error = contract_registration_no_normalize(
        raw, concluded_on=timezone.localdate(), today=timezone.localdate()
    )
    assert (error is None) is ok, error
    if ok:
        assert number == GOOD


def test_abc_is_refused_and_nothing_is_settled_or_published(paid, university, buyer):
    holder = member_of(university)
    deal_confirmation_sign(deal=paid, actor=buyer)
    deal_confirmation_sign(deal=paid, actor=holder)
    url = f"/api/v1/deals/{paid.pk}/contract-registration/"
    r = client_for(holder).post(url, {"contract_registration_no": "abc"})
    assert (r.status_code, r.json()["code"]) == (400, "invalid_contract_registration_no")
    assert "contract_registration_no" in r.json()["fields"]
    paid.refresh_from_db()
    assert paid.status == "paid" and Result.objects.get(deal=paid).contract_registration_no == ""
    # the schema documents the format
    schema = client_for(holder).get("/api/schema/?format=json").json()
    field = schema["components"]["schemas"]["ContractRegistrationInputRequest"]["properties"][
        "contract_registration_no"
    ]
    assert "16 digits" in field["description"]


def test_an_operator_corrects_the_number_with_a_reason_on_record(paid, university, buyer, operator):
    holder = member_of(university)
    deal_confirmation_sign(deal=paid, actor=buyer)
    deal_confirmation_sign(deal=paid, actor=holder)
    deal_register_contract(deal=paid, actor=holder, contract_registration_no=GOOD)
    url = f"/api/v1/deals/{paid.pk}/contract-registration/correction/"
    fixed = f"{YEAR}330106012346"
    assert client_for(holder).post(url, {"contract_registration_no": fixed, "reason": "x"}).status_code == 403
    r = client_for(operator).post(url, {"contract_registration_no": fixed, "reason": ""})
    assert r.status_code == 400
    r = client_for(operator).post(url, {"contract_registration_no": fixed, "reason": "登记机构回执为 012346"})
    assert r.status_code == 200, r.content
    assert r.json()["contract_registration_no"] == fixed
    changes = list(
        ContractRegistrationChange.objects.filter(deal=paid).values_list("from_no", "to_no", "reason")
    )
    assert changes == [("", GOOD, ""), (GOOD, fixed, "登记机构回执为 012346")]
    assert Result.objects.get(deal=paid).contract_registration_no == fixed
    assert Notification.objects.filter(kind="contract_registration_corrected", user=buyer).exists()
    # the operator's form is on the deal page
    page = browser_of(operator).get(f"/my/deals/{paid.pk}/").content.decode()
    assert "更正技术合同登记号" in page and "登记机构回执为 012346" in page


def test_a_malformed_number_entered_before_the_check_is_not_published(paid):
    from marketplace.services.results import result_publish

    Deal.objects.filter(pk=paid.pk).update(contract_registration_no="abc")
    result_publish(deal=paid)
    assert Result.objects.get(deal=paid).contract_registration_no == ""
