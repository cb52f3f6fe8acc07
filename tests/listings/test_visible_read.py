"""``listing_get_visible``, the read most API calls on a listing start with, is one statement
compiled once per process (``core.compiled``): it returns what the queryset it was compiled from
returns, with the same related rows, for every kind of caller."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Membership
from listings import selectors
from tests.factories import AchievementFactory, OrganizationFactory, make_listing, member_of, open_auction

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:  # type: ignore[no-untyped-def]
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _orm(user, pk):  # type: ignore[no-untyped-def]
    return selectors.listings_visible_to(user).filter(pk=pk).first()


def test_the_compiled_read_returns_what_the_queryset_returns(university, operator, django_assert_num_queries):
    member = member_of(university, Membership.Role.MEMBER)
    outsider = member_of(OrganizationFactory(), Membership.Role.ADMIN)
    auction = open_auction(university, started=True)
    listings = [
        make_listing(achievement=AchievementFactory(holder=university), status=status)
        for status in ("draft", "pending_review", "published")
    ] + [auction.listing]
    people = {"anonymous": AnonymousUser(), "outsider": outsider, "member": member, "operator": operator}
    seen = {}
    for who, user in people.items():
        for listing in listings:
            fast = selectors.listing_get_visible(user=user, listing_id=listing.pk)
            slow = _orm(user, listing.pk)
            seen[who, listing.status] = fast is not None
            assert (fast is None) == (slow is None), (who, listing.status)
            if fast is None:
                continue
            assert _fields(fast) == _fields(slow)
            assert _fields(fast.achievement) == _fields(slow.achievement)
            assert _fields(fast.achievement.holder) == _fields(slow.achievement.holder)
            assert selectors.listing_auction_id(fast) == selectors.listing_auction_id(slow)
            assert not fast._state.adding
    assert seen["anonymous", "published"] and not seen["anonymous", "draft"]
    assert seen["member", "draft"] and not seen["outsider", "pending_review"]
    assert seen["operator", "draft"]
    assert (
        selectors.listing_auction_id(
            selectors.listing_get_visible(user=outsider, listing_id=auction.listing_id)
        )
        == auction.pk
    )

    # One statement, the caller's organizations read inside it; the related rows come with it.
    with django_assert_num_queries(1):
        listing = selectors.listing_get_visible(user=member, listing_id=listings[0].pk)
        assert listing is not None and listing.achievement.holder.name == university.name
    # Unknown and out-of-range ids are not found (the ORM's answer to a filter beyond the column).
    assert selectors.listing_get_visible(user=member, listing_id=10**9) is None
    assert selectors.listing_get_visible(user=operator, listing_id=2**63) is None
    assert _orm(operator, 2**63) is None
