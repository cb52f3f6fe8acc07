"""Reads of auctions in the shapes of API.md: the REST views, the live room and the pages use these."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Min, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.selectors import is_finance_operator, is_operator
from core.dbclock import db_now
from core.money import money_format

from .events import watchers_counts as _watchers_counts
from .models import Auction, Bid, ProxyBid, Registration

SNAPSHOT_BIDS = 20


def when(value: datetime | None) -> str | None:
    return None if value is None else timezone.localtime(value).isoformat()


def auction_get(auction_id: int) -> Auction:
    return Auction.objects.select_related("leader").get(pk=auction_id)


def reserve_visible_to(*, auction: Auction, user: Any) -> bool:
    """The reserve is the holder's and the operators' until the close (DESIGN.md, "Market rules")."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_operator(user) or is_finance_operator(user):
        return True
    return user.memberships.filter(organization_id=auction.holder_id).exists()


def reserve_met(auction: Auction) -> bool | None:
    """Whether the reserve was met: public only once the auction is sold or unsold."""
    if auction.status not in (Auction.Status.SOLD, Auction.Status.UNSOLD):
        return None
    if auction.reserve_price is None:
        return True
    return auction.current_price is not None and auction.current_price >= auction.reserve_price


def next_bid_minimum(
    *, bid_count: int, current_price: Decimal | None, start_price: Decimal, increment: Decimal
) -> Decimal:
    """The least acceptable next bid: the start price, then the current price plus the increment.

    The rule itself is the engine's SQL function ``auction_minimum_next_bid``
    (auctions/sql/0004_bid_engine.sql), which decides every bid and proxy ceiling; this is its one
    Python reading, for what the API and the live room SHOW before anyone bids, where a database
    round trip per event is not wanted. tests/auctions/test_minimum_next_bid.py holds the two equal."""
    if bid_count == 0:
        return start_price
    assert current_price is not None
    return current_price + increment


def minimum_next_bid(auction: Auction) -> Decimal:
    return next_bid_minimum(
        bid_count=auction.bid_count,
        current_price=auction.current_price,
        start_price=auction.start_price,
        increment=auction.increment,
    )


def auction_public(
    auction: Auction, *, server_time: datetime | None = None, show_reserve: bool = False
) -> dict[str, Any]:
    """``GET /api/v1/auctions/{id}/`` and the snapshot's ``auction``. ``auction.leader`` should be
    selected with it. ``min_next_bid``, ``deposit``, ``extension_seconds``, ``restricted`` and
    ``close_blocked`` are additions to API.md's fields for bidding clients; the holder and the
    operators (``show_reserve``) also get ``reserve_price`` and ``close_blocked_code``."""
    data: dict[str, Any] = {
        "id": auction.pk,
        "listing": auction.listing_id,
        "status": auction.status,
        "start_price": money_format(auction.start_price),
        "increment": money_format(auction.increment),
        "current_price": money_format(auction.current_price),
        "leader_bidder_no": auction.leader.bidder_no if auction.leader is not None else None,
        "bid_count": auction.bid_count,
        "starts_at": when(auction.starts_at),
        "ends_at": when(auction.ends_at),
        "server_time": when(server_time or timezone.now()),
        "reserve_met": reserve_met(auction),
        "deal": auction.deal_id,
        "min_next_bid": money_format(minimum_next_bid(auction)),
        "deposit": money_format(auction.deposit),
        "extension_seconds": auction.extension_seconds,
        "restricted": auction.restricted,
        "close_blocked": bool(auction.close_blocked_code),
        # A recorded pre-emption holder registered (never who): its bid equal to the price leads.
        "preemptive_registered": auction.preemptive_registered,
    }
    if show_reserve:
        data["reserve_price"] = money_format(auction.reserve_price)
        data["close_blocked_code"] = auction.close_blocked_code or None
    return data


def bid_public(bid: Bid, *, bidder_no: str) -> dict[str, Any]:
    """A bid as the public sees it: the bidder only as ``bidder_no``; ``hash`` for the offline check."""
    return {
        "seq": bid.seq,
        "amount": money_format(bid.amount),
        "bidder_no": bidder_no,
        "placed_at": when(bid.placed_at),
        "proxy": bid.is_proxy,
        "hash": bid.hash,
    }


def bids_public(auction_id: int) -> QuerySet[Bid]:
    return Bid.objects.filter(auction_id=auction_id).select_related("registration").order_by("seq")


def price_points(auction_id: int) -> list[tuple[datetime, Decimal]]:
    """Every accepted bid's (time, amount), oldest first: the room's price-over-time chart."""
    return list(Bid.objects.filter(auction_id=auction_id).order_by("seq").values_list("placed_at", "amount"))


def auction_snapshot(auction_id: int) -> dict[str, Any]:
    """The live room's ``snapshot``: the auction as GET shows it and its last bids, oldest first.

    ``server_time`` is the database clock, read in the same statement sequence as the state."""
    auction = auction_get(auction_id)
    recent = list(bids_public(auction_id).order_by("-seq")[:SNAPSHOT_BIDS])
    recent.reverse()
    return {
        "type": "snapshot",
        "seq": auction.bid_count,
        "auction": auction_public(auction, server_time=db_now()),
        "bids": [bid_public(b, bidder_no=b.registration.bidder_no) for b in recent],
        # How many companies registered (the room and the cards show it; never who).
        "registered": Registration.objects.filter(auction_id=auction_id).count(),
    }


def watchers_counts(auction_ids: list[int]) -> dict[int, int | None]:
    """Sockets in each live room now (Redis, kept by ``auctions.room``); None while Redis is away."""
    return _watchers_counts(auction_ids)


def registration_for(*, auction_id: int, user: User) -> Registration | None:
    """The registration through which ``user`` bids in the auction: one of the user's organizations'."""
    return (
        Registration.objects.filter(auction_id=auction_id, organization__memberships__user=user)
        .select_related("organization", "payment")
        .order_by("id")
        .first()
    )


def proxy_bid_for(registration: Registration) -> ProxyBid | None:
    return ProxyBid.objects.filter(registration=registration).first()


def auctions_due_to_start(now: datetime) -> QuerySet[Auction]:
    return Auction.objects.filter(status=Auction.Status.SCHEDULED, starts_at__lte=now).order_by("id")


def auctions_next_moment() -> datetime | None:
    """The earliest ``starts_at`` of a scheduled auction or ``ends_at`` of an open one that the
    sweeper will act on (past ones included), in one query: when the sweeper must look again."""
    open_ = (Auction.Status.LIVE, Auction.Status.SCHEDULED)
    moments = Auction.objects.aggregate(
        start=Min("starts_at", filter=Q(status=Auction.Status.SCHEDULED)),
        end=Min("ends_at", filter=Q(status__in=open_, close_blocked_code="")),
    )
    found = [m for m in (moments["start"], moments["end"]) if m is not None]
    return min(found) if found else None


def auctions_due_to_close(now: datetime) -> QuerySet[Auction]:
    """Ended but not closed, excluding auctions whose close was refused and await an operator."""
    return Auction.objects.filter(
        status__in=(Auction.Status.LIVE, Auction.Status.SCHEDULED), ends_at__lte=now, close_blocked_code=""
    ).order_by("id")


def registration_public(registration: Registration) -> dict[str, Any]:
    """``POST /registrations/`` and ``GET /registrations/mine/``."""
    proxy = ProxyBid.objects.filter(registration=registration).first()
    payment = registration.payment
    return {
        "id": registration.pk,
        "auction": registration.auction_id,
        "bidder_no": registration.bidder_no,
        "deposit": money_format(registration.deposit),
        "deposit_status": payment.deposit_status if payment is not None else None,
        "payment": registration.payment_id,
        "payment_reference": payment.payment_reference if payment is not None else None,
        "proxy_max_amount": money_format(proxy.max_amount) if proxy is not None else None,
        "preemptive": registration.preemptive,
    }


def auctions_watched() -> QuerySet[Auction]:
    """The operators' live-auction queue (console tile and page): live, then upcoming, by end."""
    return (
        Auction.objects.filter(status__in=(Auction.Status.LIVE, Auction.Status.SCHEDULED))
        .select_related("listing__achievement__holder", "leader")
        .order_by("status", "ends_at")
    )


def checkpoint_public(checkpoint: Any) -> dict[str, Any]:
    return {
        "payload": checkpoint.payload,
        "signature": checkpoint.signature,
        "key_id": checkpoint.key_id,
        "algorithm": "Ed25519",
    }


def auction_record(auction: Auction) -> dict[str, Any]:
    """``GET /api/v1/auctions/{id}/record/``: every bid with its hash, every signed checkpoint and
    the market's public key, in one document that ``tools/verify_record.py`` checks offline.
    Only after the close (the caller checks ``is_final``)."""
    from core.signing import public_key_info

    return {
        "format": "zjtm-auction-record/1",
        "auction": auction.pk,
        "listing": auction.listing_id,
        "status": auction.status,
        "closed_at": when(auction.closed_at),
        "bid_count": auction.bid_count,
        "head": auction.last_hash,
        "bids": [bid_public(b, bidder_no=b.registration.bidder_no) for b in bids_public(auction.pk)],
        "checkpoints": [checkpoint_public(c) for c in auction.checkpoints.order_by("created_at", "id")],
        "public_key": public_key_info(),
    }


def rescue_view(*, auction: Auction, user: Any) -> dict[str, Any]:
    """What the rescue page shows ``user``: the best-offer window and the offers it may see (the
    holder's members see every offer; a bidder only its own), and the runner-up offers of the
    auction's defaulted deal(s) to the holder and to the runner-up."""
    from accounts.selectors import member_organization_ids

    from .models import BestOfferWindow, RunnerUpOffer

    org_ids = set(member_organization_ids(user)) if getattr(user, "is_authenticated", False) else set()
    is_holder = auction.holder_id in org_ids
    window = BestOfferWindow.objects.filter(auction=auction).first()
    offers = []
    if window is not None:
        queryset = window.offers.select_related("registration", "payment").order_by("-amount", "made_at")
        if not is_holder:
            queryset = queryset.filter(registration__organization_id__in=org_ids)
        offers = list(queryset)
    runner_ups = RunnerUpOffer.objects.filter(auction=auction).select_related("registration", "payment")
    if not is_holder:
        runner_ups = runner_ups.filter(registration__organization_id__in=org_ids)
    mine = Registration.objects.filter(auction=auction, organization_id__in=org_ids).first()
    return {
        "is_holder": is_holder,
        "registration": mine,
        "window": window,
        "offers": offers,
        "runner_ups": list(runner_ups.order_by("-offered_at")),
    }


def auction_outcome_for(
    *, auction: Auction, user: Any, registration: Registration | None
) -> dict[str, Any] | None:
    """What the closed room tells this person (None while the auction runs): ``role`` is
    ``winner`` (its deal, what it still owes and by when), ``holder`` (the deal), ``loser`` (its
    deposit released and when the refund is paid, or that it was), or ``public`` (the result page
    once published, else that it follows payment). The room shows it instead of the bid form."""
    from marketplace.models import Deal, Payable, Result

    if not auction.is_final:
        return None
    deal: Deal | None = (
        Deal.objects.select_related("payment").filter(pk=auction.deal_id).first() if auction.deal_id else None
    )
    result = Result.objects.filter(deal_id=deal.pk).first() if deal is not None else None
    outcome: dict[str, Any] = {
        "status": auction.status,
        "deal": deal,
        "result": result,
        "price": auction.current_price if auction.status == Auction.Status.SOLD else None,
        "winner_bidder_no": auction.leader.bidder_no
        if auction.status == Auction.Status.SOLD and auction.leader
        else None,
    }
    member_of: set[int] = set()
    if getattr(user, "is_authenticated", False):
        member_of = set(user.memberships.values_list("organization_id", flat=True))
    if deal is not None and deal.buyer_id in member_of:
        outstanding = deal.payment.outstanding if deal.payment is not None else Decimal("0")
        return {**outcome, "role": "winner", "outstanding": outstanding, "due_at": deal.payment_due_at}
    if auction.holder_id in member_of:
        return {**outcome, "role": "holder"}
    if registration is not None and registration.payment_id is not None:
        deposit = Payable.objects.get(pk=registration.payment_id)
        refund = deposit.refunds.order_by("pk").first()
        return {**outcome, "role": "loser", "deposit": deposit, "refund": refund}
    return {**outcome, "role": "public"}
