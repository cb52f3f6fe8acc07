"""成交确认书: issued with every deal, its terms fixed and digested, signed once by each side."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest

from accounts.models import Membership, Notification
from core.errors import Conflict, Forbidden
from marketplace.models import Deal, DealConfirmation
from marketplace.selectors import signer_name
from marketplace.services import deal_conclude
from marketplace.services.confirmation import canonical, deal_confirmation_sign, terms_digest
from tests.conftest import client_for
from tests.factories import OrganizationFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(listing, company) -> Deal:
    return deal_conclude(listing=listing, buyer=company, price=Decimal("480000.00"), mode="negotiated")


def test_every_deal_is_issued_its_confirmation_with_fixed_terms(deal, listing, company, university):
    confirmation = DealConfirmation.objects.get(deal=deal)
    terms = confirmation.terms
    assert confirmation.number.startswith("ZJCJ") and confirmation.number.endswith(f"{deal.pk:06d}")
    assert (terms["price"], terms["amount_due"], terms["mode"]) == ("480000.00", "480000.00", "negotiated")
    assert terms["buyer"] == {"name": company.name, "credit_code": company.credit_code}
    assert terms["seller"]["name"] == university.name and terms["achievement"] == listing.achievement.title
    assert terms["payment_reference"] == deal.payment.payment_reference
    # the digest anyone can recompute from the terms
    assert confirmation.digest == terms_digest(terms)
    # the canonical form anyone can rebuild: keys sorted, no spaces, UTF-8 as is
    assert canonical({"b": 1, "a": "茶", "c": None}) == '{"a":"茶","b":1,"c":null}'
    assert terms_digest({"a": "茶"}) == hashlib.sha256('{"a":"茶"}'.encode()).hexdigest()


def test_each_side_signs_once_then_both_are_told(deal, buyer, university):
    seller_member = member_of(university, Membership.Role.MEMBER)
    confirmation = deal_confirmation_sign(deal=deal, actor=buyer)
    assert confirmation.buyer_signed_by == buyer and confirmation.seller_signed_at is None
    assert not Notification.objects.filter(kind="deal_confirmed").exists()  # not before both
    with pytest.raises(Conflict) as again:
        deal_confirmation_sign(deal=deal, actor=member_of(deal.buyer))
    assert again.value.code == "already_signed"
    confirmation = deal_confirmation_sign(deal=deal, actor=seller_member)
    assert confirmation.signed_by_both
    told = Notification.objects.filter(kind="deal_confirmed")
    assert set(told.values_list("user__memberships__organization", flat=True)) >= {
        deal.buyer_id,
        deal.seller_id,
    }


def test_only_the_parties_admins_and_members_sign(deal, university):
    for outsider in (member_of(OrganizationFactory()), member_of(university, Membership.Role.APPROVER)):
        with pytest.raises(Forbidden) as refused:
            deal_confirmation_sign(deal=deal, actor=outsider)
        assert refused.value.code == "not_a_party"
    assert not DealConfirmation.objects.get(deal=deal).buyer_signed_at


def test_the_api_shows_and_signs_it(deal, buyer, operator):
    api = client_for(buyer)
    body = api.get(f"/api/v1/deals/{deal.pk}/confirmation/").json()
    assert body["deal"] == deal.pk and body["digest"] == terms_digest(body["terms"])
    assert body["buyer_signed_at"] is None and body["signed_by_both"] is False
    signed = api.post(f"/api/v1/deals/{deal.pk}/confirmation/sign/")
    assert signed.status_code == 200 and signed.json()["buyer_signed_at"]
    assert (
        signed.json()["buyer_signed_by"] == signer_name(buyer, deal.buyer) != buyer.username
    )  # no login names
    again = api.post(f"/api/v1/deals/{deal.pk}/confirmation/sign/")
    assert (again.status_code, again.json()["code"]) == (409, "already_signed")
    # operators read it; strangers do not learn it exists
    assert client_for(operator).get(f"/api/v1/deals/{deal.pk}/confirmation/").status_code == 200
    stranger = client_for(member_of(OrganizationFactory()))
    assert stranger.get(f"/api/v1/deals/{deal.pk}/confirmation/").status_code == 404
    assert stranger.post(f"/api/v1/deals/{deal.pk}/confirmation/sign/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_database_keeps_the_terms_fixed_and_each_signature_given_once(listing, company, buyer):
    from django.db import IntegrityError, transaction

    deal = deal_conclude(listing=listing, buyer=company, price=Decimal("480000.00"), mode="negotiated")
    confirmation = DealConfirmation.objects.get(deal=deal)
    changes = [
        {"terms": {**confirmation.terms, "price": "1.00"}},
        {"digest": "0" * 64},
        {"number": "ZJCJ0"},
    ]
    for change in changes:
        with pytest.raises(IntegrityError, match="fixed"), transaction.atomic():
            DealConfirmation.objects.filter(pk=confirmation.pk).update(**change)
    deal_confirmation_sign(deal=deal, actor=buyer)
    with pytest.raises(IntegrityError, match="once"), transaction.atomic():
        DealConfirmation.objects.filter(pk=confirmation.pk).update(buyer_signed_at=None, buyer_signed_by=None)
    with pytest.raises(IntegrityError, match="never deleted"), transaction.atomic():
        DealConfirmation.objects.filter(pk=confirmation.pk).delete()
    assert DealConfirmation.objects.get(pk=confirmation.pk).terms["price"] == "480000.00"


def test_reading_a_confirmation_never_writes_it(deal):
    """#12 hole 11: a GET issued a missing confirmation (a write on a read); reads only read now,
    and migration 0013 issued the ones older deals lacked."""
    from django.db import connection

    with connection.cursor() as cursor:  # a deal from before confirmations (the trigger forbids this)
        cursor.execute("SET LOCAL session_replication_role = replica")  # triggers off, this once
        cursor.execute("DELETE FROM marketplace_dealconfirmation WHERE deal_id = %s", [deal.pk])
        cursor.execute("SET LOCAL session_replication_role = origin")
    reader = client_for(member_of(deal.buyer))
    assert reader.get(f"/api/v1/deals/{deal.pk}/confirmation/").status_code == 404
    assert not DealConfirmation.objects.filter(deal=deal).exists()
