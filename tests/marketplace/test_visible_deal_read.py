"""``deal_get_visible`` is one statement compiled once per process (``core.compiled``): it returns
what the queryset it was compiled from returns, with the same related rows, for every caller."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Membership
from marketplace import selectors
from marketplace.services import deal_conclude
from tests.factories import OrganizationFactory, member_of

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:  # type: ignore[no-untyped-def]
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_the_compiled_deal_read_returns_what_the_queryset_returns(
    listing, company, university, operator, django_assert_num_queries
):
    deal = deal_conclude(listing=listing, buyer=company, price=Decimal("480000.00"), mode="negotiated")
    people = {
        "anonymous": AnonymousUser(),
        "outsider": member_of(OrganizationFactory(), Membership.Role.ADMIN),
        "buyer": member_of(company, Membership.Role.MEMBER),
        "seller": member_of(university, Membership.Role.ADMIN),
        "operator": operator,
    }
    for who, user in people.items():
        fast = selectors.deal_get_visible(user=user, deal_id=deal.pk)
        slow = selectors.deals_visible_to(user).filter(pk=deal.pk).first()
        assert (fast is None) == (slow is None), who
        assert (fast is not None) == (who in ("buyer", "seller", "operator")), who
        if fast is None:
            continue
        assert _fields(fast) == _fields(slow)
        for related in ("buyer", "seller", "listing"):
            assert _fields(getattr(fast, related)) == _fields(getattr(slow, related)), related
        assert _fields(fast.listing.achievement) == _fields(slow.listing.achievement)
        assert getattr(fast, "payment", None) == getattr(slow, "payment", None)

    with django_assert_num_queries(1):  # the caller's organizations are read inside it
        found = selectors.deal_get_visible(user=people["buyer"], deal_id=deal.pk)
        assert found is not None and found.listing.achievement.title and found.seller.name
    assert selectors.deal_get_visible(user=people["buyer"], deal_id=2**63) is None
    assert selectors.deal_get_visible(user=operator, deal_id=10**9) is None
