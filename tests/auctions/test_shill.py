"""Shill bidding through membership (#12 hole 1). A person who is a member (any role) of the
holder, or of an organization related to it, never registers, bids or sets a proxy on the holder's
lots, through any organization; a registration whose organization later gains such a member is
suspended (related_party). Membership itself needs the person's consent (an invitation)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import Membership, Notification
from accounts.services import invitation_accept, membership_invite, organization_relation_declare
from auctions.services import BidRejected, bid_place, proxy_bid_set
from core.errors import DomainError
from tests.conftest import client_for
from tests.factories import OrganizationFactory, UserFactory, member_of, open_auction, registered_bidder

pytestmark = pytest.mark.django_db


def _join(person, organization) -> None:
    """``person`` joins ``organization`` the only way there is: invited by its admin, accepting."""
    admin = organization.memberships.filter(role=Membership.Role.ADMIN).first().user
    invitation = membership_invite(
        organization=organization, actor=admin, username=person.username, role="member"
    )
    invitation_accept(invitation=invitation, actor=person)


def test_a_holders_admin_cannot_register_a_company_for_the_holders_auction():
    holder = OrganizationFactory(kind="university")
    auction = open_auction(holder, started=True)
    holder_admin = member_of(holder)
    company = OrganizationFactory()
    member_of(company)
    _join(holder_admin, company)
    r = client_for(holder_admin).post(
        f"/api/v1/auctions/{auction.pk}/registrations/", {"organization": company.pk}
    )
    assert (r.status_code, r.json()["code"]) == (422, "related_party")


def test_a_member_of_a_related_organization_cannot_register_either():
    holder = OrganizationFactory(kind="university")
    auction = open_auction(holder, started=True)
    affiliate = OrganizationFactory()
    organization_relation_declare(
        actor=member_of(holder), organization=holder, other=affiliate, kind="affiliate"
    )
    insider = member_of(affiliate, Membership.Role.APPROVER)
    company = OrganizationFactory()
    member_of(company)
    _join(insider, company)
    with pytest.raises(DomainError) as refused:
        from auctions.services import registration_create

        registration_create(auction_id=auction.pk, actor=insider, organization_id=company.pk)
    assert refused.value.code == "related_party"


def test_a_registration_is_suspended_when_its_company_gains_a_holders_member():
    holder = OrganizationFactory(kind="university")
    auction = open_auction(holder, started=True)
    company = OrganizationFactory()
    bidder, _registration = registered_bidder(auction, company)
    assert bid_place(auction_id=auction.pk, user=bidder, amount=Decimal("1000.00")).bid.seq == 1
    holder_broker = member_of(holder, Membership.Role.BROKER)
    _join(holder_broker, company)
    # Everyone of that company is refused now, the holder's broker and the honest bidder alike.
    for person in (holder_broker, bidder):
        with pytest.raises(BidRejected) as refused:
            bid_place(auction_id=auction.pk, user=person, amount=Decimal("1500.00"))
        assert refused.value.code == "related_party"
    with pytest.raises(DomainError) as refused:
        proxy_bid_set(auction_id=auction.pk, user=holder_broker, max_amount=Decimal("9000.00"))
    assert refused.value.code == "related_party"
    told = Notification.objects.filter(kind="related_party")
    assert told.filter(user__memberships__organization=company).exists()  # the company's admins
    assert told.exclude(user__memberships__organization=company).exists()  # and the operators


def test_an_honest_company_still_bids():
    holder = OrganizationFactory(kind="university")
    auction = open_auction(holder, started=True)
    bidder, _registration = registered_bidder(auction)
    _join(UserFactory(), _registration.organization)  # an outsider joins: no tie
    assert bid_place(auction_id=auction.pk, user=bidder, amount=Decimal("1000.00")).bid.seq == 1


def test_a_suspended_registrations_proxy_is_withdrawn_and_bids_no_more():
    """The engine's proxy step does not read standings: a tied company's ceiling must go with it."""
    from auctions.models import Auction, ProxyBid

    holder = OrganizationFactory(kind="university")
    auction = open_auction(holder, started=True)
    tied_company = OrganizationFactory()
    proxy_user, _r = registered_bidder(auction, tied_company)
    proxy_bid_set(auction_id=auction.pk, user=proxy_user, max_amount=Decimal("9000.00"))
    honest, _h = registered_bidder(auction)
    _join(member_of(holder), tied_company)  # the holder's admin joins the proxy's company
    assert not ProxyBid.objects.filter(registration__organization=tied_company).exists()
    bid_place(auction_id=auction.pk, user=honest, amount=Decimal("1100.00"))
    auction = Auction.objects.get(pk=auction.pk)
    assert auction.leader.organization != tied_company  # no automatic counter-bid for it


def test_a_relation_declared_later_suspends_too():
    from auctions.models import ProxyBid

    holder = OrganizationFactory(kind="university")
    auction = open_auction(holder, started=True)
    company = OrganizationFactory()
    bidder, _r = registered_bidder(auction, company)
    proxy_bid_set(auction_id=auction.pk, user=bidder, max_amount=Decimal("9000.00"))
    affiliate = OrganizationFactory()
    member_of(affiliate)
    _join(bidder, affiliate)  # the bidder is also a member of another company...
    organization_relation_declare(
        actor=member_of(holder), organization=holder, other=affiliate, kind="affiliate"
    )
    assert not ProxyBid.objects.filter(
        registration__organization=company
    ).exists()  # ...now related to the holder
    with pytest.raises(BidRejected) as refused:
        bid_place(auction_id=auction.pk, user=bidder, amount=Decimal("9500.00"))
    assert refused.value.code == "related_party"


def test_a_tied_buyer_concludes_no_deal():
    from marketplace.services import deal_conclude
    from tests.factories import AchievementFactory, make_listing

    holder = OrganizationFactory(kind="university")
    holder_admin = member_of(holder)
    listing = make_listing(achievement=AchievementFactory(holder=holder))
    company = OrganizationFactory()
    member_of(company)
    _join(holder_admin, company)
    with pytest.raises(DomainError) as refused:
        deal_conclude(listing=listing, buyer=company, price=Decimal("1000.00"), mode="negotiated")
    assert refused.value.code == "related_party"
