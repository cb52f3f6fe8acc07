"""Marketplace test helpers: listings in each mode, and paying a payable as the bank would."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Organization
from listings.models import Achievement, Listing
from marketplace.models import Payable
from marketplace.services.payments import payment_receive
from tests.factories import OrganizationFactory, UserFactory

_txn = itertools.count(1)


def make_listing(
    holder: Organization,
    *,
    mode: str = Listing.Mode.NEGOTIATED,
    status: str = Listing.Status.PUBLISHED,
    title: str = "一种基于人工智能的茶叶品质检测方法",
    field: str = "electronics",
    fiscally_funded: bool = False,
    **terms,
) -> Listing:
    achievement = Achievement.objects.create(
        holder=holder,
        title=title,
        summary="利用近红外光谱与深度学习对龙井茶进行分级。",
        field=field,
        kind=Achievement.Kind.APPLIED,
        maturity=6,
        fiscally_funded=fiscally_funded,
        created_by=UserFactory(),
    )
    now = timezone.now()
    defaults: dict = {
        Listing.Mode.NEGOTIATED: {"asking_price": Decimal("500000.00"), "notice_days": 15},
        Listing.Mode.FIXED_PRICE: {
            "price": Decimal("300000.00"),
            "listing_ends_at": now + dt.timedelta(days=7),
        },
        Listing.Mode.AUCTION: {
            "start_price": Decimal("100000.00"),
            "increment": Decimal("5000.00"),
            "deposit": Decimal("20000.00"),
            "starts_at": now - dt.timedelta(hours=1),
            "ends_at": now + dt.timedelta(hours=1),
            "extension_seconds": 300,
        },
    }[mode]
    defaults.update(terms)
    return Listing.objects.create(
        achievement=achievement, mode=mode, rights="transfer", status=status, published_at=now, **defaults
    )


def bank_pays(payable: Payable, amount: Decimal | str | None = None, txn: str | None = None):
    """The bank reports a transfer quoting the payable's reference (the service behind the webhook)."""
    payable.refresh_from_db()
    transfer, _created = payment_receive(
        bank_transaction_id=txn or f"BANK{next(_txn):08d}",
        reference=payable.payment_reference,
        amount=Decimal(str(amount)) if amount is not None else payable.outstanding,
    )
    payable.refresh_from_db()
    return transfer


def both_sign(deal) -> None:
    """A member of each party signs the deal's 成交确认书 (settlement and payouts wait for it)."""
    from marketplace.services.confirmation import deal_confirmation_sign
    from tests.factories import member_of

    deal_confirmation_sign(deal=deal, actor=member_of(deal.buyer))
    deal_confirmation_sign(deal=deal, actor=member_of(deal.seller))


@pytest.fixture
def listing(university) -> Listing:
    return make_listing(university)


@pytest.fixture
def auction_listing(university) -> Listing:
    return make_listing(university, mode=Listing.Mode.AUCTION)


@pytest.fixture
def other_company(db) -> Organization:
    return OrganizationFactory(name="宁波某新材料有限公司")
