"""An auction's life: opened from a listing (or from contested intents), started, closed, cancelled.

ONE transition table and ONE transition service (``auction_transition``); nobody else assigns
``status``. Starting and closing run from Celery tasks scheduled for the moment and a beat sweeper
that catches whatever they missed; both take the auction lock and are idempotent, and a late close
cannot change the outcome because the engine itself refuses bids at or after ``ends_at``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from core.dbclock import db_now
from core.display import local_time
from core.errors import InvalidInput
from core.locks import auction_lock
from core.money import money_display
from core.transitions import status_move, transitions_register
from listings.models import Listing

from ..events import publish_after_commit
from ..models import Auction, AuctionStatusChange

log = logging.getLogger("market.auctions")

S = Auction.Status

# The one transition table of an auction's status.
AUCTION_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "auctions.Auction",
    record="auctions.AuctionStatusChange",
    table={
        S.SCHEDULED: {
            S.LIVE,
            S.UNSOLD,
            S.CANCELLED,
        },  # UNSOLD: nobody could bid before the end (a missed start)
        S.LIVE: {S.SOLD, S.UNSOLD, S.CANCELLED},
        S.SOLD: set(),
        S.UNSOLD: set(),
        S.CANCELLED: set(),
    },
)


def auction_transition(
    *, auction: Auction, to_status: str, now: datetime, actor: User | None = None, reason: str = ""
) -> Auction:
    """Move a LOCKED auction (the caller holds ``auction_lock``) along the table and record it."""
    status_move(
        auction,
        to_status=to_status,
        transitions=AUCTION_TRANSITIONS,
        noun=_("拍卖"),
        record=lambda **change: AuctionStatusChange.objects.create(auction=auction, created_at=now, **change),
        actor=actor,
        reason=reason,
        changes={"closed_at": now} if to_status in Auction.FINAL else None,
    )
    return auction


def _open(
    *,
    listing: Listing,
    start_price: Decimal,
    increment: Decimal,
    reserve_price: Decimal | None,
    deposit: Decimal,
    starts_at: datetime,
    ends_at: datetime,
    extension_seconds: int,
    allowed_buyers: list[Organization] | None = None,
) -> Auction:
    existing = Auction.objects.filter(listing=listing).first()
    if existing is not None:
        return existing
    now = db_now()
    auction = Auction.objects.create(
        listing=listing,
        holder_id=listing.achievement.holder_id,
        start_price=start_price,
        increment=increment,
        reserve_price=reserve_price,
        deposit=deposit,
        starts_at=starts_at,
        ends_at=ends_at,
        scheduled_ends_at=ends_at,
        extension_seconds=extension_seconds,
        restricted=allowed_buyers is not None,
    )
    if allowed_buyers:
        auction.allowed_buyers.set(allowed_buyers)
    AuctionStatusChange.objects.create(
        auction=auction, from_status="", to_status=S.SCHEDULED, reason=_("挂牌发布"), created_at=now
    )
    # No task is scheduled for its start and end: the sweeper (auctions/sweeper.py) starts and
    # closes it by the database clock, whatever becomes of Redis and the workers.
    return auction


@transaction.atomic
def auction_open_for_listing(*, listing: Listing) -> Auction:
    """Answer the ``listing_published`` seam: open the auction of a published auction listing with the
    listing's terms copied. Called inside the publishing transaction; idempotent per listing."""
    if listing.mode != Listing.Mode.AUCTION:
        raise InvalidInput("not_an_auction_listing", _("该挂牌不是拍卖方式。"))
    assert listing.start_price is not None and listing.increment is not None
    assert listing.starts_at is not None and listing.ends_at is not None
    return _open(
        listing=listing,
        start_price=listing.start_price,
        increment=listing.increment,
        reserve_price=listing.reserve_price,
        deposit=listing.deposit or Decimal("0.00"),
        starts_at=listing.starts_at,
        ends_at=listing.ends_at,
        extension_seconds=listing.extension_seconds or settings.MARKET["AUCTION_EXTENSION_SECONDS"],
    )


def contested_terms(price: Decimal) -> dict[str, Decimal]:
    """The terms of an auction among a fixed-price listing's intent holders.

    It starts at the listed price (every one of them declared they would pay it), rises by 1% of it
    rounded up to a whole yuan (at least 1.00), has no reserve (the holder already accepted the
    listed price) and no deposit (the buyers qualified when they declared intent). Settings
    ``MARKET["CONTESTED_AUCTION_DELAY_MINUTES"]`` / ``["CONTESTED_AUCTION_MINUTES"]`` time it."""
    increment = max(Decimal("1.00"), (price / 100).quantize(Decimal("1"), rounding=ROUND_CEILING))
    return {
        "start_price": price,
        "increment": increment.quantize(Decimal("0.01")),
        "deposit": Decimal("0.00"),
    }


@transaction.atomic
def auction_open_for_intents(*, listing: Listing, buyers: list[Organization]) -> Auction:
    """Answer the ``fixed_price_contested`` seam: two or more intents on a fixed-price listing make an
    auction among exactly those buyers (DESIGN.md, "Listed price"); terms in ``contested_terms``.
    The buyers' members are told to register."""
    from accounts.services import notify

    assert listing.price is not None
    now = db_now()
    delay = int(settings.MARKET.get("CONTESTED_AUCTION_DELAY_MINUTES", 60))
    length = int(settings.MARKET.get("CONTESTED_AUCTION_MINUTES", 60))
    starts_at = now + timedelta(minutes=delay)
    auction = _open(
        listing=listing,
        reserve_price=None,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=length),
        extension_seconds=settings.MARKET["AUCTION_EXTENSION_SECONDS"],
        allowed_buyers=list(buyers),
        **contested_terms(listing.price),
    )
    for buyer in buyers:
        notify(
            organization=buyer,
            kind="auction_for_intents",
            title=_("挂牌项目转为竞价：%(t)s") % {"t": listing.achievement.title},
            body=_(
                "该挂牌项目有多家意向受让方，将在意向方之间竞价，起拍价 %(p)s，%(s)s 开拍。请在开拍前完成竞买登记。"
            )
            % {"p": money_display(listing.price), "s": local_time(auction.starts_at)},
            link=reverse("auctions:live", args=[auction.pk]),
        )
    return auction


@transaction.atomic
def auction_start(*, auction_id: int) -> Auction:
    """Scheduled -> live once ``starts_at`` has passed (the engine also does this itself at the first
    bid). Early, late or twice: harmless. Announced to the room as a reload."""
    auction = auction_lock(auction_id)
    now = db_now()
    if auction.status == S.SCHEDULED and auction.starts_at <= now < auction.ends_at:
        auction_transition(auction=auction, to_status=S.LIVE, now=now)
        publish_after_commit(
            auction_id=auction.pk,
            first=auction.bid_count + 1,
            last=auction.bid_count,
            events=[{"type": "reload"}],
        )
    return auction
