"""The bid engine, one bid at a time: every refusal code, acceptance, extension, idempotency, the chain."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Organization, OrganizationRelation
from auctions.chain import verify_chain
from auctions.models import Auction, Bid, BidRefusal
from auctions.selectors import bid_public, bids_public
from auctions.services import BidRejected, bid_place
from tests.factories import OrganizationFactory, member_of, open_auction, pay_deposit, registered_bidder

pytestmark = pytest.mark.django_db


def refused(code: str, **kwargs) -> BidRejected:
    with pytest.raises(BidRejected) as info:
        bid_place(**kwargs)
    assert info.value.code == code, info.value.detail
    return info.value


def test_first_bid_at_start_price_then_one_increment_more():
    auction = open_auction()
    alice, _ = registered_bidder(auction)
    bob, _ = registered_bidder(auction)
    first = bid_place(auction_id=auction.pk, user=alice, amount="1000.00")
    second = bid_place(auction_id=auction.pk, user=bob, amount="1100.00")
    assert (first.bid.seq, second.bid.seq) == (1, 2)
    auction.refresh_from_db()
    assert auction.status == Auction.Status.LIVE
    assert auction.current_price == Decimal("1100.00")
    assert auction.leader_id == second.bid.registration_id
    assert auction.bid_count == 2


def test_not_live_before_start():
    auction = open_auction(starts_in=600)
    alice, _ = registered_bidder(auction)
    refused("auction_not_live", auction_id=auction.pk, user=alice, amount="1000.00")


def test_scheduled_auction_past_its_start_goes_live_at_the_first_bid():
    auction = open_auction(starts_in=-1)
    assert auction.status == Auction.Status.SCHEDULED  # no start task has run
    alice, _ = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=alice, amount="1000.00")
    auction.refresh_from_db()
    assert auction.status == Auction.Status.LIVE
    assert list(auction.status_changes.values_list("to_status", flat=True)) == ["scheduled", "live"]


def test_ended_at_or_after_ends_at():
    auction = open_auction()
    alice, _ = registered_bidder(auction)
    Auction.objects.filter(pk=auction.pk).update(ends_at=timezone.now() - timedelta(milliseconds=1))
    refused("auction_ended", auction_id=auction.pk, user=alice, amount="1000.00")


def test_cancelled_auction_is_not_live():
    auction = open_auction()
    alice, _ = registered_bidder(auction)
    Auction.objects.filter(pk=auction.pk).update(status=Auction.Status.CANCELLED)
    refused("auction_not_live", auction_id=auction.pk, user=alice, amount="1000.00")


def test_not_registered():
    auction = open_auction()
    stranger = member_of(OrganizationFactory())
    refused("not_registered", auction_id=auction.pk, user=stranger, amount="1000.00")


def test_deposit_not_frozen():
    auction = open_auction(deposit="50000.00")
    alice, _ = registered_bidder(auction, frozen=False)
    refused("deposit_not_frozen", auction_id=auction.pk, user=alice, amount="1000.00")


def test_related_party_declared_after_registration():
    auction = open_auction()
    company = OrganizationFactory()
    alice, _ = registered_bidder(auction, company)
    low, high = sorted((auction.holder_id, company.pk))
    OrganizationRelation.objects.create(low_id=low, high_id=high, kind="控股子公司", declared_by=alice)
    refused("related_party", auction_id=auction.pk, user=alice, amount="1000.00")


def test_suspended_organization_cannot_bid():
    auction = open_auction()
    alice, registration = registered_bidder(auction)
    Organization.objects.filter(pk=registration.organization_id).update(status=Organization.Status.SUSPENDED)
    refused("organization_not_verified", auction_id=auction.pk, user=alice, amount="1000.00")


def test_already_leading():
    auction = open_auction()
    alice, _ = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=alice, amount="1000.00")
    refused("already_leading", auction_id=auction.pk, user=alice, amount="1100.00")


def test_below_minimum_names_the_minimum():
    auction = open_auction()
    alice, _ = registered_bidder(auction)
    bob, _ = registered_bidder(auction)
    error = refused("below_minimum", auction_id=auction.pk, user=alice, amount="900.00")
    assert error.fields == {"minimum": "1000.00"}
    bid_place(auction_id=auction.pk, user=alice, amount="1000.00")
    error = refused("below_minimum", auction_id=auction.pk, user=bob, amount="1000.00")
    assert error.fields == {"minimum": "1100.00"}


def test_invalid_increment():
    auction = open_auction()
    alice, _ = registered_bidder(auction)
    refused("invalid_increment", auction_id=auction.pk, user=alice, amount="1150.00")


def test_bid_in_the_window_extends_to_decision_time_plus_extension():
    auction = open_auction(ends_in=120, extension_seconds=300)
    alice, _ = registered_bidder(auction)
    placed = bid_place(auction_id=auction.pk, user=alice, amount="1000.00")
    auction.refresh_from_db()
    assert auction.ends_at == placed.bid.placed_at + timedelta(seconds=300)
    assert placed.ends_at == auction.ends_at
    assert auction.scheduled_ends_at < auction.ends_at


def test_bid_outside_the_window_and_refused_bids_do_not_extend():
    auction = open_auction(ends_in=3600, extension_seconds=300)
    alice, _ = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=alice, amount="1000.00")
    auction.refresh_from_db()
    assert auction.ends_at == auction.scheduled_ends_at
    Auction.objects.filter(pk=auction.pk).update(ends_at=timezone.now() + timedelta(seconds=60))
    ends_at = Auction.objects.get(pk=auction.pk).ends_at
    refused("already_leading", auction_id=auction.pk, user=alice, amount="1100.00")
    assert Auction.objects.get(pk=auction.pk).ends_at == ends_at


def test_same_key_returns_first_outcome_and_never_inserts_twice():
    auction = open_auction()
    alice, _ = registered_bidder(auction)
    bob, _ = registered_bidder(auction)
    first = bid_place(auction_id=auction.pk, user=alice, amount="1000.00", key="k-1")
    bid_place(auction_id=auction.pk, user=bob, amount="1100.00")
    again = bid_place(auction_id=auction.pk, user=alice, amount="1000.00", key="k-1")
    assert again.replayed and again.bid.pk == first.bid.pk
    assert Bid.objects.filter(auction=auction).count() == 2


def test_same_key_repeats_a_refusal_even_when_the_state_changed():
    auction = open_auction()
    alice, _ = registered_bidder(auction)
    bob, _ = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=alice, amount="1000.00")
    refused("already_leading", auction_id=auction.pk, user=alice, amount="1100.00", key="k-2")
    bid_place(auction_id=auction.pk, user=bob, amount="1100.00")
    # alice no longer leads, but the key's first outcome was a refusal
    refused("already_leading", auction_id=auction.pk, user=alice, amount="1100.00", key="k-2")
    assert BidRefusal.objects.filter(key="k-2").count() == 1
    refused("idempotency_key_reused", auction_id=auction.pk, user=alice, amount="1200.00", key="k-2")


def test_standing_refusals_are_not_remembered():
    auction = open_auction(deposit="100.00")
    alice, registration = registered_bidder(auction, frozen=False)
    refused("deposit_not_frozen", auction_id=auction.pk, user=alice, amount="1000.00", key="k-3")
    pay_deposit(registration)
    assert bid_place(auction_id=auction.pk, user=alice, amount="1000.00", key="k-3").bid.seq == 1


def test_invalid_amount_is_400():
    auction = open_auction()
    alice, _ = registered_bidder(auction)
    for amount in ("-1", "0", "1000.001", "abc", "1000000000000.00"):  # the last: beyond the column
        with pytest.raises(Exception) as info:
            bid_place(auction_id=auction.pk, user=alice, amount=amount)
        assert getattr(info.value, "code", None) == "invalid_amount"


def test_hash_chain_verifies_and_detects_tampering():
    auction = open_auction()
    alice, _ = registered_bidder(auction)
    bob, _ = registered_bidder(auction)
    for i in range(6):
        bid_place(auction_id=auction.pk, user=(alice, bob)[i % 2], amount=str(1000 + 100 * i))
    public = [bid_public(b, bidder_no=b.registration.bidder_no) for b in bids_public(auction.pk)]
    assert verify_chain(auction.pk, public) is None
    public[3]["amount"] = "9999.00"
    assert verify_chain(auction.pk, public) == 4
    assert verify_chain(auction.pk, public[:2] + public[3:]) == 3


def test_bid_path_query_count(django_assert_num_queries):
    auction = open_auction()
    alice, _ = registered_bidder(auction)
    bob, _ = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=bob, amount="1000.00")
    # one call of the engine's function: the standing (with the related-party rule), the key's lock
    # and first outcome, the auction's lock and clock, the bid written; committed with it
    with django_assert_num_queries(1):
        bid_place(auction_id=auction.pk, user=alice, amount="1100.00", key="q-1")
    # a refusal: the same one call, which remembers it under the key
    with django_assert_num_queries(1), pytest.raises(BidRejected):
        bid_place(auction_id=auction.pk, user=alice, amount="1200.00", key="q-2")


def test_a_refusal_inside_the_callers_transaction_leaves_its_commit_durable():
    """Alone, a remembered refusal commits without waiting for the WAL flush; inside a caller's
    transaction (this test's), nothing of the caller's may lose its durability."""
    auction = open_auction()
    alice, _ = registered_bidder(auction)
    refused("below_minimum", auction_id=auction.pk, user=alice, amount="900.00", key="k-durable")
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
