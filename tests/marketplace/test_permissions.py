"""Every marketplace endpoint against every role: the allowed succeed, the rest get 401/403/404
and change nothing. Within a row the roles that must be refused go first, the allowed one last."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Organization
from marketplace.models import BankTransfer, Deal, Objection, Offer, PublicNotice, PurchaseIntent
from marketplace.services import deal_conclude
from marketplace.services.confirmation import deal_confirmation_sign
from marketplace.services.negotiation import objection_raise, offer_accept, offer_make
from tests.conftest import client_for, notification_links_that_lead_nowhere
from tests.factories import OrganizationFactory, UserFactory, member_of

from .conftest import bank_pays, make_listing

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "unverified", "buyer", "holder", "operator"]


@pytest.fixture
def world(university, company, operator):
    holder = member_of(university)
    buyer = member_of(company)
    unverified = member_of(OrganizationFactory(status=Organization.Status.PENDING))
    paid = deal_conclude(
        listing=make_listing(university), buyer=company, price=Decimal("200000.00"), mode="negotiated"
    )
    bank_pays(paid.payment)
    deal_confirmation_sign(deal=paid, actor=buyer)
    deal_confirmation_sign(deal=paid, actor=holder)
    unpaid = deal_conclude(
        listing=make_listing(university), buyer=company, price=Decimal("90000.00"), mode="negotiated"
    )
    negotiated = make_listing(university)
    fixed = make_listing(university, mode="fixed_price")
    offer = offer_make(listing=negotiated, actor=buyer, amount=Decimal("300000.00"))
    noticed = make_listing(university)
    notice = offer_accept(
        offer=offer_make(listing=noticed, actor=buyer, amount=Decimal("1.00")), actor=holder
    )
    objection = objection_raise(notice=notice, actor=UserFactory(), reason="价格过低")
    clients = {
        "anonymous": APIClient(),
        "unverified": client_for(unverified),
        "buyer": client_for(buyer),
        "holder": client_for(holder),
        "operator": client_for(operator),
    }
    return {
        "clients": clients,
        "paid": paid,
        "unpaid": unpaid,
        "negotiated": negotiated,
        "fixed": fixed,
        "offer": offer,
        "notice": notice,
        "objection": objection,
    }


def _state(w):
    return (
        BankTransfer.objects.count(),
        Offer.objects.count(),
        PurchaseIntent.objects.count(),
        Objection.objects.count(),
        tuple(Deal.objects.order_by("pk").values_list("status", flat=True)),
        tuple(Offer.objects.order_by("pk").values_list("status", flat=True)),
        tuple(PublicNotice.objects.order_by("pk").values_list("status", flat=True)),
        tuple(Objection.objects.order_by("pk").values_list("status", flat=True)),
    )


N401, N403, N404 = 401, 403, 404
# (name, method, url, body, expected by role); the single writer that succeeds is listed last in ROLES order.
TABLE = [
    (
        "payment detail",
        "get",
        lambda w: f"/api/v1/payments/{w['paid'].payment_id}/",
        None,
        {"anonymous": N401, "unverified": N404, "buyer": 200, "holder": N404, "operator": 200},
    ),
    (
        "payment confirm",
        "post",
        lambda w: f"/api/v1/payments/{w['unpaid'].payment_id}/confirm/",
        {"note": "线下转账已核实", "bank_transaction_id": "OFF-9"},
        {"anonymous": N401, "unverified": N403, "buyer": N403, "holder": N403, "operator": 200},
    ),
    (
        "bank notification unsigned",
        "post",
        lambda w: "/api/v1/payments/notifications/",
        {"transaction_id": "T", "reference": "x", "amount": "1.00"},
        {r: N401 for r in ROLES},
    ),
    (
        "deal list",
        "get",
        lambda w: "/api/v1/deals/",
        None,
        {"anonymous": N401, "unverified": 200, "buyer": 200, "holder": 200, "operator": 200},
    ),
    (
        "deal detail",
        "get",
        lambda w: f"/api/v1/deals/{w['paid'].pk}/",
        None,
        {"anonymous": N401, "unverified": N404, "buyer": 200, "holder": 200, "operator": 200},
    ),
    (
        "deal settlement",
        "get",
        lambda w: f"/api/v1/deals/{w['paid'].pk}/settlement/",
        None,
        {"anonymous": N401, "unverified": N404, "buyer": 200, "holder": 200, "operator": 200},
    ),
    (
        "contract registration",
        "post",
        lambda w: f"/api/v1/deals/{w['paid'].pk}/contract-registration/",
        {"contract_registration_no": f"{timezone.localdate().year}330106000001"},
        {"anonymous": N401, "unverified": N404, "buyer": N403, "operator": N403, "holder": 200},
    ),
    (
        "deal settle",
        "post",
        lambda w: f"/api/v1/deals/{w['paid'].pk}/settle/",
        {"reason": "合同登记延迟，经审批先行结算"},
        {"anonymous": N401, "unverified": N403, "buyer": N403, "holder": N403, "operator": 200},
    ),
    ("results", "get", lambda w: "/api/v1/results/", None, {r: 200 for r in ROLES}),
    (
        "offer list",
        "get",
        lambda w: f"/api/v1/listings/{w['negotiated'].pk}/offers/",
        None,
        {"anonymous": N401, "unverified": 200, "buyer": 200, "holder": 200, "operator": 200},
    ),
    (
        "offer make",
        "post",
        lambda w: f"/api/v1/listings/{w['fixed'].pk}/offers/",
        {"amount": "1.00"},
        {"anonymous": N401, "unverified": N403, "holder": N403, "operator": N403, "buyer": 409},
    ),
    (
        "offer accept",
        "post",
        lambda w: f"/api/v1/offers/{w['offer'].pk}/accept/",
        None,
        {"anonymous": N401, "unverified": N403, "buyer": N403, "operator": N403, "holder": 200},
    ),
    (
        "offer reject",
        "post",
        lambda w: f"/api/v1/offers/{w['offer'].pk}/reject/",
        {"reason": "价格过低"},
        {"anonymous": N401, "unverified": N403, "buyer": N403, "operator": N403, "holder": 200},
    ),
    (
        "offer counter",
        "post",
        lambda w: f"/api/v1/offers/{w['offer'].pk}/counter/",
        {"amount": "350000.00"},
        {"anonymous": N401, "unverified": N403, "buyer": N403, "operator": N403, "holder": 201},
    ),
    (
        "intent declare",
        "post",
        lambda w: f"/api/v1/listings/{w['fixed'].pk}/intents/",
        {},
        {"anonymous": N401, "unverified": N403, "holder": N403, "operator": N403, "buyer": 201},
    ),
    (
        "intent list",
        "get",
        lambda w: f"/api/v1/listings/{w['fixed'].pk}/intents/",
        None,
        {"anonymous": N401, "unverified": 200, "buyer": 200, "holder": 200, "operator": 200},
    ),
    ("notice list", "get", lambda w: "/api/v1/notices/", None, {r: 200 for r in ROLES}),
    ("notice detail", "get", lambda w: f"/api/v1/notices/{w['notice'].pk}/", None, {r: 200 for r in ROLES}),
    (
        "objection list",
        "get",
        lambda w: f"/api/v1/notices/{w['notice'].pk}/objections/",
        None,
        {"anonymous": N401, "unverified": 200, "buyer": 200, "holder": 200, "operator": 200},
    ),
    (
        "objection raise",
        "post",
        lambda w: f"/api/v1/notices/{w['notice'].pk}/objections/",
        {"reason": "定价依据不足"},
        {"anonymous": N401, "unverified": 201, "buyer": 201, "holder": 201, "operator": 201},
    ),
    (
        "objection decide",
        "post",
        lambda w: f"/api/v1/objections/{w['objection'].pk}/decide/",
        {"decision": "dismiss", "reason": "定价有评估报告支持"},
        {"anonymous": N401, "unverified": N403, "buyer": N403, "holder": N403, "operator": 200},
    ),
]


def test_permission_table(world):
    """Every row meets the same world: each runs in a savepoint rolled back after it (building the
    world is most of the cost, ~1 s, once instead of once a row)."""
    failures = []
    for name, method, url, body, expected in TABLE:
        try:
            with transaction.atomic():
                _check_row(world, name, method, url, body, expected)
                transaction.set_rollback(True)
        except AssertionError as failure:
            failures.append(f"{name}: {failure}")
    assert not failures, failures


def _check_row(world, name, method, url, body, expected):
    for role, wanted in expected.items():
        before = _state(world)
        client = world["clients"][role]
        response = (
            getattr(client, method)(url(world), body or {}, format="json")
            if method == "post"
            else client.get(url(world))
        )
        assert response.status_code == wanted, (name, role, response.content)
        if wanted >= 400:
            assert set(response.json()) <= {"code", "detail", "fields"}
            assert _state(world) == before, (name, role, "changed state while refused")
    assert not notification_links_that_lead_nowhere()


def test_a_read_only_token_cannot_write(world, operator):
    r = client_for(operator, read_only=True).post(
        f"/api/v1/objections/{world['objection'].pk}/decide/", {"decision": "dismiss", "reason": "x"}
    )
    assert r.status_code == 403 and r.json()["code"] == "read_only_token"
