"""The engine under real concurrency: threads, each with its own PostgreSQL connection."""

from __future__ import annotations

import contextlib
import random
import threading
import uuid
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from auctions.chain import verify_chain
from auctions.models import Auction, Bid
from auctions.selectors import bid_public, bids_public
from auctions.services import BidRejected, bid_place
from tests.factories import open_auction, registered_bidder

pytestmark = pytest.mark.django_db(transaction=True)


def run_threads(target, args_list):
    errors: list[BaseException] = []

    def wrapper(*args):
        try:
            target(*args)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrapper, args=args) for args in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors


def test_twenty_bidders_fifty_attempts_random_amounts_and_key_retries():
    auction = open_auction(start_price="1000.00", increment="10.00", ends_in=3600)
    bidders = [registered_bidder(auction)[0] for _ in range(20)]
    outcomes: list[tuple[int, str, Decimal, str]] = []  # (user, key, amount, seq or code)
    lock = threading.Lock()

    def bidder(user, seed):
        rng = random.Random(seed)
        last: tuple[str, Decimal] | None = None
        for _ in range(50):
            if last is not None and rng.random() < 0.25:
                key, amount = last  # a client retrying after a lost response
            else:
                price = Auction.objects.values_list("current_price", flat=True).get(pk=auction.pk)
                base = price if price is not None else Decimal("990.00")
                amount = (
                    base
                    + Decimal("10.00") * rng.choice([-1, 0, 1, 1, 2, 3])
                    + rng.choice([Decimal("0"), Decimal("0"), Decimal("0"), Decimal("5.00")])
                )
                key = uuid.uuid4().hex
            try:
                result = str(bid_place(auction_id=auction.pk, user=user, amount=amount, key=key).bid.seq)
            except BidRejected as exc:
                result = exc.code
            with lock:
                outcomes.append((user.pk, key, amount, result))
            last = (key, amount)

    run_threads(bidder, [(u, i) for i, u in enumerate(bidders)])

    bids = list(Bid.objects.filter(auction=auction).order_by("seq"))
    n = len(bids)
    assert n > 20
    assert [b.seq for b in bids] == list(range(1, n + 1))  # no gaps
    assert all(later.amount > earlier.amount for earlier, later in zip(bids, bids[1:], strict=False))
    auction.refresh_from_db()
    assert auction.current_price == bids[-1].amount and auction.bid_count == n
    assert auction.leader_id == bids[-1].registration_id  # exactly one leader: the last bid's
    keyed = Counter((b.registration_id, b.key) for b in bids)
    assert max(keyed.values()) == 1  # no key inserted twice
    # every retry of a key got the first outcome
    by_key: dict[str, set[str]] = {}
    for _user, key, _amount, result in outcomes:
        by_key.setdefault(key, set()).add(result)
    assert all(len(results) == 1 for results in by_key.values()), [r for r in by_key.values() if len(r) > 1]
    accepted = {r for _u, _k, _a, r in outcomes if r.isdigit()}
    assert accepted == {str(b.seq) for b in bids}
    codes = Counter(r for _u, _k, _a, r in outcomes if not r.isdigit())
    assert set(codes) <= {"below_minimum", "invalid_increment", "already_leading"}
    public = [bid_public(b, bidder_no=b.registration.bidder_no) for b in bids_public(auction.pk)]
    assert verify_chain(auction.pk, public) is None


def test_bids_racing_the_end_none_accepted_at_or_after_it():
    auction = open_auction(start_price="1000.00", increment="10.00")
    bidders = [registered_bidder(auction)[0] for _ in range(8)]
    # No extension here, so the end stays put while the bidders race it.
    ends_at = timezone.now() + timedelta(seconds=2.5)
    Auction.objects.filter(pk=auction.pk).update(ends_at=ends_at, extension_seconds=0)
    codes: Counter[str] = Counter()
    lock = threading.Lock()

    def bidder(user):
        stop = ends_at + timedelta(seconds=1)
        while timezone.now() < stop:
            price = Auction.objects.values_list("current_price", flat=True).get(pk=auction.pk)
            amount = (price or Decimal("990.00")) + Decimal("10.00")
            try:
                bid_place(auction_id=auction.pk, user=user, amount=amount)
                code = "accepted"
            except BidRejected as exc:
                code = exc.code
            with lock:
                codes[code] += 1

    run_threads(bidder, [(u,) for u in bidders])
    assert codes["accepted"] > 0 and codes["auction_ended"] > 0, codes
    bids = Bid.objects.filter(auction=auction)
    assert bids.count() == codes["accepted"]
    assert all(b.placed_at < ends_at for b in bids)
    assert Auction.objects.get(pk=auction.pk).ends_at == ends_at


def test_close_racing_bids_and_a_second_close_one_outcome_one_deal():
    from auctions.services import auction_close
    from marketplace.models import Deal

    auction = open_auction(start_price="1000.00", increment="10.00")
    bidders = [registered_bidder(auction)[0] for _ in range(6)]
    ends_at = timezone.now() + timedelta(seconds=2.5)
    Auction.objects.filter(pk=auction.pk).update(ends_at=ends_at, extension_seconds=0)
    stop = ends_at + timedelta(seconds=1)

    def bidder(user):
        while timezone.now() < stop:
            price = Auction.objects.values_list("current_price", flat=True).get(pk=auction.pk)
            with contextlib.suppress(BidRejected):
                bid_place(
                    auction_id=auction.pk, user=user, amount=(price or Decimal("990.00")) + Decimal("10.00")
                )

    def closer(_n):
        while timezone.now() < stop:
            auction_close(auction_id=auction.pk)

    run_threads(
        lambda kind, arg: bidder(arg) if kind == "bid" else closer(arg),
        [("bid", u) for u in bidders] + [("close", 1), ("close", 2)],
    )

    auction.refresh_from_db()
    assert auction.status == Auction.Status.SOLD
    deals = Deal.objects.filter(listing=auction.listing)
    assert deals.count() == 1
    last = Bid.objects.filter(auction=auction).order_by("-seq").first()
    assert deals[0].price == auction.current_price == last.amount
    assert deals[0].buyer_id == last.registration.organization_id
    assert all(b.placed_at < ends_at for b in Bid.objects.filter(auction=auction))
    assert auction.status_changes.filter(to_status="sold").count() == 1
