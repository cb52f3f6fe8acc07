"""Closing an auction: sold (a deal through the marketplace) or unsold, and an operator's cancel."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import is_operator
from config.errors import Forbidden, InvalidInput
from listings.models import Listing
from listings.services import listing_close
from marketplace.services import deal_conclude, deposit_release

from ..events import publish_after_commit
from ..locks import auction_lock_at
from ..models import Auction, Bid, Registration
from ..selectors import money
from .lifecycle import auction_transition

S = Auction.Status


def _bidder_count(auction: Auction) -> int:
    return Bid.objects.filter(auction=auction).values("registration_id").distinct().count()


def _release_deposits(*, auction: Auction, keep: Registration | None) -> None:
    """Give back every deposit of the auction but ``keep``'s (the winner's, applied to the price)."""
    for registration in auction.registrations.exclude(payment=None).select_related("payment").order_by("pk"):
        if keep is not None and registration.pk == keep.pk:
            continue
        assert registration.payment is not None
        deposit_release(
            payable=registration.payment, note=_("拍卖 #%(id)s 结束，保证金退还") % {"id": auction.pk}
        )


def _announce_closed(auction: Auction) -> None:
    publish_after_commit(
        auction_id=auction.pk,
        first=auction.bid_count + 1,
        last=auction.bid_count,
        events=[
            {
                "type": "closed",
                "seq": auction.bid_count,
                "status": auction.status,
                "final_price": money(auction.current_price) if auction.status == S.SOLD else None,
                "winner_bidder_no": auction.leader.bidder_no
                if auction.status == S.SOLD and auction.leader
                else None,
            }
        ],
    )


@transaction.atomic
def auction_close(*, auction_id: int) -> Auction:
    """Close the auction if its end has passed; otherwise leave it (the end may have moved).

    Under the auction lock, so no bid can slip in: sold when there is a leader and the reserve (if
    any) is met -- the deal is concluded through the marketplace with the winner's deposit applied
    and every other deposit released -- else unsold, releasing every deposit and closing the
    listing. Idempotent: a closed auction is returned unchanged. ``closed`` is announced after commit
    with the winner only as ``bidder_no``."""
    auction, now = auction_lock_at(auction_id)
    if auction.is_final or now < auction.ends_at:
        return auction
    leader = auction.leader
    reserve_ok = auction.reserve_price is None or (
        auction.current_price is not None and auction.current_price >= auction.reserve_price
    )
    if leader is not None and reserve_ok:
        assert auction.current_price is not None
        deal = deal_conclude(
            listing=auction.listing,
            buyer=leader.organization,
            price=auction.current_price,
            mode=Listing.Mode.AUCTION,
            bid_count=auction.bid_count,
            bidder_count=_bidder_count(auction),
            deposit=leader.payment,
        )
        auction.deal = deal
        auction.save(update_fields=["deal", "updated_at"])
        _release_deposits(auction=auction, keep=leader)
        reason = _("竞价结束，成交")
        auction_transition(auction=auction, to_status=S.SOLD, now=now, reason=reason)
    else:
        _release_deposits(auction=auction, keep=None)
        reason = _("无人出价，流拍") if leader is None else _("未达保留价，流拍")
        auction_transition(auction=auction, to_status=S.UNSOLD, now=now, reason=reason)
    # Idempotent on the listings side: a deal_conclude that already closed it changes nothing.
    listing_close(listing=auction.listing, reason=reason)
    _announce_closed(auction)
    return auction


@transaction.atomic
def auction_cancel(*, auction_id: int, actor: User, reason: str) -> Auction:
    """An operator stops a scheduled or live auction, with a reason: no deal, every deposit released,
    the listing closed; the room hears ``closed`` with status ``cancelled``."""
    if not is_operator(actor):
        raise Forbidden("operator_only", _("只有平台运营人员可以取消拍卖。"))
    if not reason.strip():
        raise InvalidInput(
            "reason_required", _("请填写取消理由。"), fields={"reason": [_("请填写取消理由。")]}
        )
    auction, now = auction_lock_at(auction_id)
    auction_transition(auction=auction, to_status=S.CANCELLED, now=now, actor=actor, reason=reason)
    _release_deposits(auction=auction, keep=None)
    listing_close(listing=auction.listing, reason=reason)
    _announce_closed(auction)
    return auction
