"""Closing an auction: sold (a deal through the marketplace) or unsold, and an operator's cancel."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import is_operator
from accounts.services import notify
from core.display import local_date
from core.errors import DomainError, Forbidden, InvalidInput
from core.locks import auction_lock_at
from core.money import money_display, money_format
from listings.models import Listing
from listings.services import listing_close
from marketplace.services import deal_conclude, deposit_release, listing_engagements_withdraw
from marketplace.services.leaving import listing_deal_refuse_exit

from ..events import publish_after_commit
from ..models import Auction, Bid, Registration
from .lifecycle import auction_transition
from .record import checkpoint_payload, checkpoint_seal, checkpoint_sign, checkpoint_store

S = Auction.Status
log = logging.getLogger("market.auctions")


def _bidder_count(auction: Auction) -> int:
    return Bid.objects.filter(auction=auction).values("registration_id").distinct().count()


def _release_deposits(*, auction: Auction, keep: Registration | None) -> None:
    """Give back every deposit of the auction but ``keep``'s (the winner's, applied to the price),
    and tell each other registered bidder the outcome: not won, its deposit released, and when the
    refund is paid (the refund's due date)."""
    title = _("拍卖已结束，未竞得：%(t)s") % {"t": auction.listing.achievement.title}
    link = reverse("auctions:live", args=[auction.pk])
    for registration in (
        auction.registrations.exclude(payment=None).select_related("payment", "organization").order_by("pk")
    ):
        if keep is not None and registration.pk == keep.pk:
            continue
        assert registration.payment is not None
        deposit = deposit_release(payable=registration.payment, note=_("拍卖结束，保证金退还"))
        refund = deposit.refunds.order_by("pk").first() if deposit.amount_paid > 0 else None
        outcome = (
            _("本场拍卖已成交，成交价 %(p)s。") % {"p": money_display(auction.current_price)}
            if keep is not None
            else _("本场拍卖流拍。")
        )
        if refund is not None:
            money = _("您的保证金 %(a)s 已解冻，将于 %(d)s 前退回原付款账户。") % {
                "a": money_display(refund.amount),
                "d": local_date(refund.due_at),
            }
        else:
            money = _("您未缴纳保证金，无需退款。")
        notify(
            organization=registration.organization,
            kind="auction_lost",
            title=title,
            body=f"{outcome}{money}",
            link=link,
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
                "final_price": money_format(auction.current_price) if auction.status == S.SOLD else None,
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
    with the winner only as ``bidder_no``.

    When the marketplace refuses the deal (``deal_conclude`` raises, e.g. ``related_party`` because
    the leader was declared related to the holder between its last bid and the close), the
    refusal is recorded ONCE on the auction (``close_blocked_code``/``close_blocked_at``) and the
    operators are notified once; the auction stays live, takes no bid (its end has passed) and
    is skipped by the close task and the sweeper until an operator cancels it (``auction_cancel``)."""
    auction, now = auction_lock_at(auction_id)
    if auction.is_final or now < auction.ends_at or auction.close_blocked_code:
        return auction
    leader = auction.leader
    reserve_ok = auction.reserve_price is None or (
        auction.current_price is not None and auction.current_price >= auction.reserve_price
    )
    if leader is not None and reserve_ok:
        assert auction.current_price is not None
        # The close's checkpoint is signed before the deal exists, so that its 成交确认书 carries it.
        sealed = checkpoint_seal(
            checkpoint_payload(
                auction=auction,
                event="close",
                outcome=S.SOLD,
                now=now,
                price=auction.current_price,
                winner=leader.bidder_no,
            )
        )
        try:
            with transaction.atomic():  # a savepoint: a refusal leaves nothing half-done
                deal = deal_conclude(
                    listing=auction.listing,
                    buyer=leader.organization,
                    price=auction.current_price,
                    mode=Listing.Mode.AUCTION,
                    bid_count=auction.bid_count,
                    bidder_count=_bidder_count(auction),
                    deposit=leader.payment,
                    record=sealed,
                )
        except DomainError as refusal:
            return _block_close(auction=auction, now=now, refusal=refusal)
        auction.deal = deal
        auction.save(update_fields=["deal", "updated_at"])
        _release_deposits(auction=auction, keep=leader)
        reason = _("竞价结束，成交")
        auction_transition(auction=auction, to_status=S.SOLD, now=now, reason=reason)
        checkpoint_store(auction=auction, sealed=sealed, deal_id=deal.pk)
    else:
        _release_deposits(auction=auction, keep=None)
        reason = _("无人出价，流拍") if leader is None else _("未达保留价，流拍")
        auction_transition(auction=auction, to_status=S.UNSOLD, now=now, reason=reason)
        checkpoint_sign(auction=auction, event="close", outcome=S.UNSOLD, now=now)
    # Idempotent on the listings side: a deal_conclude that already closed it changes nothing.
    listing_close(listing=auction.listing, reason=reason)
    _announce_closed(auction)
    return auction


def _block_close(*, auction: Auction, now: datetime, refusal: DomainError) -> Auction:
    """Record, on the LOCKED auction, that its close was refused, and tell the operators (once: the
    caller returns early for an auction already blocked)."""
    auction.close_blocked_code, auction.close_blocked_at = refusal.code, now
    auction.save(update_fields=["close_blocked_code", "close_blocked_at", "updated_at"])
    log.warning("auction close refused", extra={"auction": auction.pk, "code": refusal.code})
    # Rooms reload, so that every watcher sees the outcome is waiting for the operators.
    publish_after_commit(
        auction_id=auction.pk,
        first=auction.bid_count + 1,
        last=auction.bid_count,
        events=[{"type": "reload"}],
    )
    notify(
        operators=True,
        kind="auction_close_blocked",
        title=_("拍卖无法成交，待运营处理：%(t)s") % {"t": auction.listing.achievement.title},
        body=_("成交被拒绝（%(code)s）：%(detail)s。请核实后取消该拍卖。")
        % {"code": refusal.code, "detail": refusal.detail},
        link=reverse("auctions:live", args=[auction.pk]),
    )
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
    return _cancel(auction_id=auction_id, actor=actor, reason=reason, close_listing=True)


def _cancel(*, auction_id: int, actor: User | None, reason: str, close_listing: bool) -> Auction:
    """Cancel under the auction lock: no deal, every deposit released, registered bidders told,
    ``closed`` (status ``cancelled``) announced after commit. ``close_listing`` is off when the
    listing is leaving the market another way (taken down, withdrawn) in the same transaction."""
    auction, now = auction_lock_at(auction_id)
    auction_transition(auction=auction, to_status=S.CANCELLED, now=now, actor=actor, reason=reason)
    checkpoint_sign(auction=auction, event="close", outcome=S.CANCELLED, now=now)
    _release_deposits(auction=auction, keep=None)
    if close_listing:
        listing_close(listing=auction.listing, reason=reason)
    title = _("拍卖已取消：%(t)s") % {"t": auction.listing.achievement.title}
    for registration in auction.registrations.select_related("organization").order_by("pk"):
        notify(
            organization=registration.organization,
            kind="auction_cancelled",
            title=title,
            body=reason,
            link=reverse("auctions:live", args=[auction.pk]),
        )
    _announce_closed(auction)
    return auction


@transaction.atomic
def listing_leave_market(*, listing: Listing, actor: User | None, reason: str) -> None:
    """Answer the ``listing_taken_down`` and ``listing_withdrawn`` seams, BEFORE the listing moves
    (``listings.services.listing_take_down`` / ``listing_withdraw`` call it first so the locks are
    taken in the market's order: auction, notices, listing, offers).

    409 ``deal_concluded`` when a deal on the listing stands. Otherwise the listing's scheduled or
    live auction is cancelled with ``reason`` (every deposit released, bidders told, the room hears
    ``closed`` with status ``cancelled``), then the marketplace withdraws open offers, the open
    public notice and purchase intents and tells those buyers. A listing that is not published has
    nothing open: only the deal check applies."""
    listing_deal_refuse_exit(listing=listing)
    if Listing.objects.filter(pk=listing.pk, status=Listing.Status.PUBLISHED).exists():
        auction_id = Auction.objects.filter(listing=listing).values_list("pk", flat=True).first()
        if auction_id is not None and not auction_lock_at(auction_id)[0].is_final:
            _cancel(auction_id=auction_id, actor=actor, reason=reason, close_listing=False)
        listing_engagements_withdraw(listing=listing, actor=actor, reason=reason)
