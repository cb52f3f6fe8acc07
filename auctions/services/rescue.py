"""Rescue of trades that fail: the best-offer window after 流拍, the move to a negotiated listing,
and the runner-up after a winner's default (issue #16). Every move is a ``status_move`` with its
change row, and every deal it makes carries a signed checkpoint of the auction's record.

Deposits: the auction's were released at its close, so a best offer and a runner-up's acceptance
each stand on a deposit of their own (the auction's amount; the runner-up's original one when it
is still frozen): the deal applies it as a sale does, and the ones not used are released.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Membership, User
from accounts.selectors import ACTING_ROLES, membership_for_action, organization_tied_to, person_tied_to
from accounts.services import notify
from core.dbclock import db_now_sql
from core.effects import enqueue
from core.errors import Conflict, DomainError, InvalidInput
from core.inputs import FieldErrors
from core.locks import auction_lock_at
from core.money import money_format, money_parse
from core.transitions import status_move, transitions_register
from listings import services as listing_services
from listings.models import Listing
from marketplace.models import Deal, Payable
from marketplace.services import deal_conclude, deposit_create, deposit_release
from marketplace.working_days import add_working_days

from ..models import (
    Auction,
    BestOffer,
    BestOfferStatusChange,
    BestOfferWindow,
    BestOfferWindowStatusChange,
    Bid,
    Registration,
    RunnerUpOffer,
    RunnerUpOfferStatusChange,
)
from .record import checkpoint_payload, checkpoint_seal, checkpoint_store

W = BestOfferWindow.Status
O = BestOffer.Status  # noqa: E741
R = RunnerUpOffer.Status

WINDOW_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "auctions.BestOfferWindow",
    record="auctions.BestOfferWindowStatusChange",
    table={W.OPEN: {W.ACCEPTED, W.LAPSED}, W.ACCEPTED: set(), W.LAPSED: set()},
)
BEST_OFFER_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "auctions.BestOffer",
    record="auctions.BestOfferStatusChange",
    table={O.SEALED: {O.ACCEPTED, O.DECLINED}, O.ACCEPTED: set(), O.DECLINED: set()},
)
RUNNER_UP_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "auctions.RunnerUpOffer",
    record="auctions.RunnerUpOfferStatusChange",
    table={R.OPEN: {R.ACCEPTED, R.DECLINED, R.LAPSED}, R.ACCEPTED: set(), R.DECLINED: set(), R.LAPSED: set()},
)


def _move(
    obj: Any,
    *,
    table: Any,
    noun: str,
    record_model: Any,
    key: str,
    to_status: str,
    actor: User | None,
    reason: str,
    fields: tuple[str, ...] = (),
) -> None:
    status_move(
        obj,
        to_status=to_status,
        transitions=table,
        noun=noun,
        record=lambda **change: record_model.objects.create(**{key: obj}, **change),
        actor=actor,
        reason=reason,
        fields=fields,
    )


def _holder_member(*, auction: Auction, actor: User) -> None:
    membership_for_action(user=actor, organization=auction.holder_id, roles=ACTING_ROLES)


def _release(payable: Payable | None, note: str) -> None:
    if payable is not None and payable.deposit_status in (
        Payable.DepositStatus.PENDING,
        Payable.DepositStatus.FROZEN,
    ):
        deposit_release(payable=payable, note=note)


def _frozen(payable: Payable | None) -> bool:
    return (
        payable is not None
        and Payable.objects.filter(pk=payable.pk, deposit_status=Payable.DepositStatus.FROZEN).exists()
    )


def _deposit_refused(payable: Payable | None) -> Conflict:
    reference = payable.payment_reference if payable is not None else None
    return Conflict(
        "deposit_not_frozen",
        _("保证金尚未到账冻结（付款识别码 %(r)s），到账后方可成交。") % {"r": reference},
        fields={"payment_reference": reference, "payment": payable.pk if payable else None},
    )


def _bidder_count(auction: Auction) -> int:
    return Bid.objects.filter(auction=auction).values("registration_id").distinct().count()


def _conclude(
    *,
    auction: Auction,
    registration: Registration,
    price: Decimal,
    payable: Payable,
    event: str,
    now: Any,
    actor: User,
) -> Deal:
    """The deal of a rescued lot, with the rescue's signed checkpoint in its 成交确认书."""
    sealed = checkpoint_seal(
        checkpoint_payload(
            auction=auction, event=event, outcome=event, now=now, price=price, winner=registration.bidder_no
        )
    )
    deal = deal_conclude(
        listing=auction.listing,
        buyer=registration.organization,
        price=price,
        mode=Listing.Mode.AUCTION,
        bid_count=auction.bid_count,
        bidder_count=_bidder_count(auction),
        deposit=payable,
        actor=actor,
        record=sealed,
    )
    checkpoint_store(auction=auction, sealed=sealed, deal_id=deal.pk)
    return deal


# --- 流拍后择优报价 ---------------------------------------------------------------------------


@transaction.atomic
def best_offer_window_open(*, auction_id: int, actor: User) -> BestOfferWindow:
    """The holder opens a best-offer window on an unsold auction, for ``BEST_OFFER_WINDOW_HOURS``
    (a market setting, 24 h by default). Its registered bidders are told. 409 ``auction_not_unsold``,
    ``window_exists`` (once per auction)."""
    auction, now = auction_lock_at(auction_id)
    _holder_member(auction=auction, actor=actor)
    if auction.status != Auction.Status.UNSOLD:
        raise Conflict("auction_not_unsold", _("只有流拍的拍卖可以开启择优报价。"))
    if BestOfferWindow.objects.filter(auction=auction).exists():
        raise Conflict("window_exists", _("该拍卖已开启过择优报价。"))
    if Deal.objects.filter(listing=auction.listing).exclude(status=Deal.Status.DEFAULTED).exists():
        raise Conflict("deal_exists", _("该挂牌已经成交。"))
    hours = int(settings.MARKET.get("BEST_OFFER_WINDOW_HOURS", 24))
    window = BestOfferWindow.objects.create(
        auction=auction, opened_by=actor, opened_at=now, closes_at=now + timedelta(hours=hours)
    )
    BestOfferWindowStatusChange.objects.create(
        window=window, to_status=window.status, actor=actor, reason=_("流拍后开启择优报价")
    )
    enqueue("auctions.best_offer_lapse", window.pk, eta=window.closes_at)
    title = _("流拍后择优报价：%(t)s") % {"t": auction.listing.achievement.title}
    body = _("持有单位开启了择优报价，%(h)s 小时内可提交一次密封报价（须缴保证金 %(d)s 元）。") % {
        "h": hours,
        "d": money_format(auction.deposit),
    }
    for registration in auction.registrations.select_related("organization").order_by("pk"):
        notify(
            organization=registration.organization,
            kind="best_offer_window",
            title=title,
            body=body,
            link=reverse("auctions:live", args=[auction.pk]),
        )
    return window


@transaction.atomic
def best_offer_make(*, auction_id: int, actor: User, amount: Any) -> BestOffer:
    """A registered bidder's one sealed offer while the window is open, with a deposit of the
    auction's amount (pay it with the returned payable's reference; a zero deposit is frozen at
    once). Other bidders never see it; the holder sees it to decide. 409 ``window_closed``,
    ``offer_exists``; 422 ``not_registered``, ``related_party``."""
    errors = FieldErrors()
    value = money_parse(str(amount), errors=errors, field="amount")  # the market's one money rule
    if value is None:
        raise InvalidInput(
            "invalid_amount", _("报价须为正数，最多两位小数。"), fields={"amount": errors.get("amount") or []}
        )
    auction, now = auction_lock_at(auction_id)
    registration = (
        Registration.objects.filter(auction=auction, organization__memberships__user=actor)
        .select_related("organization")
        .order_by("pk")
        .first()
    )
    if registration is None:
        raise DomainError("not_registered", _("只有本场拍卖的登记竞买人可以提交择优报价。"))
    membership_for_action(user=actor, organization=registration.organization_id, roles=ACTING_ROLES)
    if person_tied_to(user=actor, holder=auction.holder_id) or organization_tied_to(
        organization=registration.organization, holder=auction.holder_id
    ):
        raise DomainError("related_party", _("成果持有单位及其关联方（含其成员）不能参与竞买。"))
    window = BestOfferWindow.objects.filter(auction=auction).first()
    if window is None or window.status != W.OPEN or now >= window.closes_at:
        raise Conflict("window_closed", _("择优报价未开启或已截止。"))
    if BestOffer.objects.filter(window=window, registration=registration).exists():
        raise Conflict("offer_exists", _("每位竞买人只能提交一次择优报价。"))
    payment = deposit_create(
        payer=registration.organization,
        listing=auction.listing,
        amount=auction.deposit,
        idempotency_key=f"auction:{auction.pk}:best_offer:{registration.organization_id}",
    )
    offer = BestOffer.objects.create(
        window=window, registration=registration, amount=value, payment=payment, made_by=actor, made_at=now
    )
    BestOfferStatusChange.objects.create(offer=offer, to_status=offer.status, actor=actor)
    notify(
        organization=auction.holder,
        kind="best_offer",
        title=_("收到一份择优报价：%(t)s") % {"t": auction.listing.achievement.title},
        body=_("竞买号 %(n)s 提交了密封报价。") % {"n": registration.bidder_no},
        link=reverse("auctions:rescue", args=[auction.pk]),
    )
    return offer


@transaction.atomic
def best_offer_accept(*, offer_id: int, actor: User) -> Deal:
    """The holder accepts one offer while the window is open: a deal at its amount with its deposit
    applied; every other offer is declined and its deposit released; the window is ``accepted``.
    409 ``window_closed``, ``deposit_not_frozen`` (its deposit is not yet paid)."""
    auction_id = BestOffer.objects.values_list("window__auction_id", flat=True).get(pk=offer_id)
    auction, now = auction_lock_at(auction_id)
    _holder_member(auction=auction, actor=actor)
    window = BestOfferWindow.objects.select_for_update(of=("self",)).get(auction=auction)
    offer = BestOffer.objects.select_related("registration__organization", "payment").get(pk=offer_id)
    if window.status != W.OPEN or now >= window.closes_at:
        raise Conflict("window_closed", _("择优报价未开启或已截止。"))
    if offer.status != O.SEALED:
        raise Conflict("invalid_status_transition", _("该报价已处理。"))
    if not _frozen(offer.payment):
        raise _deposit_refused(offer.payment)
    assert offer.payment is not None
    deal = _conclude(
        auction=auction,
        registration=offer.registration,
        price=offer.amount,
        payable=offer.payment,
        event="best_offer_accepted",
        now=now,
        actor=actor,
    )
    _move(
        offer,
        table=BEST_OFFER_TRANSITIONS,
        noun=_("择优报价"),
        record_model=BestOfferStatusChange,
        key="offer",
        to_status=O.ACCEPTED,
        actor=actor,
        reason=_("成交 #%(id)s") % {"id": deal.pk},
    )
    window.deal = deal
    _move(
        window,
        table=WINDOW_TRANSITIONS,
        noun=_("择优报价窗口"),
        record_model=BestOfferWindowStatusChange,
        key="window",
        to_status=W.ACCEPTED,
        actor=actor,
        reason=_("接受竞买号 %(n)s 的报价") % {"n": offer.registration.bidder_no},
        fields=("deal",),
    )
    for other in (
        window.offers.exclude(pk=offer.pk)
        .select_related("payment", "registration__organization")
        .order_by("pk")
    ):
        _move(
            other,
            table=BEST_OFFER_TRANSITIONS,
            noun=_("择优报价"),
            record_model=BestOfferStatusChange,
            key="offer",
            to_status=O.DECLINED,
            actor=actor,
            reason=_("另一报价已被接受"),
        )
        _release(other.payment, _("择优报价未获接受，保证金退还"))
        notify(
            organization=other.registration.organization,
            kind="best_offer_declined",
            title=_("择优报价未获接受"),
            body=_("保证金已退还。"),
            link=reverse("auctions:live", args=[auction.pk]),
        )
    return deal


@transaction.atomic
def best_offer_window_lapse(*, window_id: int) -> BestOfferWindow:
    """At ``closes_at`` a window with no accepted offer lapses: offers declined, deposits released,
    the holder told it may move the lot to a negotiated listing. Early, late or twice: harmless."""
    auction_id = BestOfferWindow.objects.values_list("auction_id", flat=True).get(pk=window_id)
    auction, now = auction_lock_at(auction_id)
    window = BestOfferWindow.objects.select_for_update(of=("self",)).get(pk=window_id)
    if window.status != W.OPEN or now < window.closes_at:
        return window
    _move(
        window,
        table=WINDOW_TRANSITIONS,
        noun=_("择优报价窗口"),
        record_model=BestOfferWindowStatusChange,
        key="window",
        to_status=W.LAPSED,
        actor=None,
        reason=_("截止时未接受任何报价"),
    )
    for offer in window.offers.select_related("payment", "registration__organization").order_by("pk"):
        _move(
            offer,
            table=BEST_OFFER_TRANSITIONS,
            noun=_("择优报价"),
            record_model=BestOfferStatusChange,
            key="offer",
            to_status=O.DECLINED,
            actor=None,
            reason=_("择优报价已截止"),
        )
        _release(offer.payment, _("择优报价截止，保证金退还"))
        notify(
            organization=offer.registration.organization,
            kind="best_offer_declined",
            title=_("择优报价已截止，未成交"),
            body=_("保证金已退还。"),
        )
    notify(
        organization=auction.holder,
        kind="best_offer_lapsed",
        title=_("择优报价已截止：%(t)s") % {"t": auction.listing.achievement.title},
        body=_("可将该成果转为协议定价挂牌。"),
        link=reverse("auctions:rescue", args=[auction.pk]),
    )
    return window


def best_offer_windows_due_ids() -> list[int]:
    return list(
        BestOfferWindow.objects.filter(status=W.OPEN, closes_at__lte=db_now_sql()).values_list(
            "id", flat=True
        )
    )


@transaction.atomic
def auction_move_to_negotiated(
    *, auction_id: int, actor: User, asking_price: Any = None, notice_days: int | None = None
) -> Listing:
    """After 流拍 (and a best-offer window, if one was opened, that lapsed), the holder moves the
    lot to a negotiated listing of the same achievement and rights, submitted for review as any
    listing; the agreed price then goes through the public notice the rules require (at least
    ``FISCAL_NOTICE_DAYS_MIN`` days for fiscally funded achievements). 409 ``auction_not_unsold``,
    ``window_open``."""
    auction, _now = auction_lock_at(auction_id)
    _holder_member(auction=auction, actor=actor)
    if auction.status != Auction.Status.UNSOLD:
        raise Conflict("auction_not_unsold", _("只有流拍的拍卖可以转为协议定价。"))
    window = BestOfferWindow.objects.filter(auction=auction).first()
    if window is not None and window.status != W.LAPSED:
        raise Conflict("window_open", _("择优报价尚未结束或已成交。"))
    listing = auction.listing
    achievement = listing.achievement
    minimum = int(settings.MARKET["FISCAL_NOTICE_DAYS_MIN"])
    days = notice_days if notice_days is not None else (minimum if achievement.fiscally_funded else 15)
    terms: dict[str, Any] = {"notice_days": days}
    if asking_price not in (None, ""):
        terms["asking_price"] = asking_price
    new = listing_services.listing_create(
        actor=actor, achievement=achievement, mode=Listing.Mode.NEGOTIATED, rights=listing.rights, **terms
    )
    new = listing_services.listing_submit(listing=new, actor=actor)
    notify(
        organization=auction.holder,
        roles=[Membership.Role.ADMIN],
        kind="moved_to_negotiated",
        title=_("流拍成果已转为协议定价挂牌：%(t)s") % {"t": achievement.title},
        body=_("新挂牌 #%(id)s 已提交审核；议定价格后须公示 %(d)s 天。") % {"id": new.pk, "d": days},
        link=reverse("listings:detail", args=[new.pk]),
    )
    return new


# --- 顺位受让 ---------------------------------------------------------------------------------


def runner_up_of(*, auction: Auction, deal: Deal) -> tuple[Registration, Decimal] | None:
    """The runner-up of a defaulted auction deal: the other bidder with the highest bid (the
    earlier at equal amounts), and that bid."""
    bid = (
        Bid.objects.filter(auction=auction)
        .exclude(registration__organization_id=deal.buyer_id)
        .select_related("registration__organization", "registration__payment")
        .order_by("-amount", "seq")
        .first()
    )
    return None if bid is None else (bid.registration, bid.amount)


@transaction.atomic
def runner_up_offer_make(*, deal_id: int, actor: User) -> RunnerUpOffer:
    """After the winner's default the holder offers the lot to the runner-up at its highest bid,
    to accept within ``RUNNER_UP_ACCEPT_WORKING_DAYS`` (3) working days. The runner-up's deposit is
    used when still frozen; otherwise a new deposit is opened for it. 409 ``deal_not_defaulted``,
    ``no_runner_up``, ``runner_up_offer_exists``, ``deal_exists`` (the lot was sold again)."""
    deal = Deal.objects.select_related("listing").get(pk=deal_id)
    auction = Auction.objects.filter(listing_id=deal.listing_id).first()
    if auction is None:
        raise Conflict("not_an_auction_deal", _("该成交不是拍卖成交。"))
    auction, now = auction_lock_at(auction.pk)
    _holder_member(auction=auction, actor=actor)
    if deal.status != Deal.Status.DEFAULTED:
        raise Conflict("deal_not_defaulted", _("只有买受人违约的成交可以顺位受让。"))
    if RunnerUpOffer.objects.filter(defaulted_deal=deal).exists():
        raise Conflict("runner_up_offer_exists", _("该成交已向顺位竞买人发出过要约。"))
    if Deal.objects.filter(listing_id=deal.listing_id).exclude(status=Deal.Status.DEFAULTED).exists():
        raise Conflict("deal_exists", _("该挂牌已经成交。"))
    found = runner_up_of(auction=auction, deal=deal)
    if found is None:
        raise Conflict("no_runner_up", _("没有其他竞买人出过价。"))
    registration, amount = found
    payment = registration.payment
    if not _frozen(payment):
        payment = deposit_create(
            payer=registration.organization,
            listing=auction.listing,
            amount=auction.deposit,
            idempotency_key=f"auction:{auction.pk}:runner_up:{deal.pk}",
        )
    days = int(settings.MARKET.get("RUNNER_UP_ACCEPT_WORKING_DAYS", 3))
    offer = RunnerUpOffer.objects.create(
        auction=auction,
        defaulted_deal=deal,
        registration=registration,
        amount=amount,
        payment=payment,
        offered_by=actor,
        offered_at=now,
        expires_at=add_working_days(now, days),
    )
    RunnerUpOfferStatusChange.objects.create(
        offer=offer, to_status=offer.status, actor=actor, reason=_("买受人违约，顺位受让")
    )
    enqueue("auctions.runner_up_lapse", offer.pk, eta=offer.expires_at)
    assert payment is not None
    notify(
        organization=registration.organization,
        kind="runner_up_offer",
        title=_("顺位受让要约：%(t)s") % {"t": auction.listing.achievement.title},
        body=_(
            "原买受人违约，持有单位按贵单位最高出价 %(a)s 元向贵单位发出受让要约，请于 %(e)s 前接受或放弃（放弃不承担责任）。保证金付款识别码 %(r)s。"
        )
        % {
            "a": money_format(amount),
            "e": offer.expires_at.strftime("%Y-%m-%d"),
            "r": payment.payment_reference,
        },
        link=reverse("auctions:rescue", args=[auction.pk]),
    )
    return offer


def _runner_up_party(*, offer: RunnerUpOffer, actor: User) -> None:
    membership_for_action(user=actor, organization=offer.registration.organization_id, roles=ACTING_ROLES)


@transaction.atomic
def runner_up_offer_accept(*, offer_id: int, actor: User) -> Deal:
    """The runner-up accepts in time: a deal at its highest bid, its deposit applied (409
    ``deposit_not_frozen`` until paid). 409 ``offer_expired`` after ``expires_at``."""
    offer = RunnerUpOffer.objects.select_related("registration__organization", "payment").get(pk=offer_id)
    _runner_up_party(offer=offer, actor=actor)
    auction, now = auction_lock_at(offer.auction_id)
    offer = (
        RunnerUpOffer.objects.select_for_update(of=("self",))
        .select_related("registration__organization", "payment")
        .get(pk=offer_id)
    )
    if offer.status != R.OPEN:
        raise Conflict("invalid_status_transition", _("该要约已处理。"))
    if now >= offer.expires_at:
        raise Conflict("offer_expired", _("答复期限已过。"))
    if not _frozen(offer.payment):
        raise _deposit_refused(offer.payment)
    assert offer.payment is not None
    deal = _conclude(
        auction=auction,
        registration=offer.registration,
        price=offer.amount,
        payable=offer.payment,
        event="runner_up_accepted",
        now=now,
        actor=actor,
    )
    offer.deal = deal
    _move(
        offer,
        table=RUNNER_UP_TRANSITIONS,
        noun=_("顺位受让要约"),
        record_model=RunnerUpOfferStatusChange,
        key="offer",
        to_status=R.ACCEPTED,
        actor=actor,
        reason=_("成交 #%(id)s") % {"id": deal.pk},
        fields=("deal",),
    )
    auction.deal = deal
    auction.save(update_fields=["deal", "updated_at"])
    return deal


@transaction.atomic
def runner_up_offer_decline(*, offer_id: int, actor: User, reason: str = "") -> RunnerUpOffer:
    """The runner-up declines, without penalty: its deposit (if any) is released; the holder may relist."""
    offer = RunnerUpOffer.objects.select_related("registration__organization").get(pk=offer_id)
    _runner_up_party(offer=offer, actor=actor)
    auction, _now = auction_lock_at(offer.auction_id)
    offer = RunnerUpOffer.objects.select_for_update(of=("self",)).select_related("payment").get(pk=offer_id)
    if offer.status != R.OPEN:
        raise Conflict("invalid_status_transition", _("该要约已处理。"))
    _move(
        offer,
        table=RUNNER_UP_TRANSITIONS,
        noun=_("顺位受让要约"),
        record_model=RunnerUpOfferStatusChange,
        key="offer",
        to_status=R.DECLINED,
        actor=actor,
        reason=reason or _("顺位竞买人放弃"),
    )
    _release(offer.payment, _("放弃顺位受让，保证金退还"))
    notify(
        organization=auction.holder,
        kind="runner_up_declined",
        title=_("顺位竞买人放弃受让：%(t)s") % {"t": auction.listing.achievement.title},
        body=_("可重新挂牌。"),
        link=reverse("auctions:rescue", args=[auction.pk]),
    )
    return offer


@transaction.atomic
def runner_up_offer_lapse(*, offer_id: int) -> RunnerUpOffer:
    """No answer by ``expires_at``: lapsed, deposit released, the holder told it may relist."""
    auction_id = RunnerUpOffer.objects.values_list("auction_id", flat=True).get(pk=offer_id)
    auction, now = auction_lock_at(auction_id)
    offer = RunnerUpOffer.objects.select_for_update(of=("self",)).select_related("payment").get(pk=offer_id)
    if offer.status != R.OPEN or now < offer.expires_at:
        return offer
    _move(
        offer,
        table=RUNNER_UP_TRANSITIONS,
        noun=_("顺位受让要约"),
        record_model=RunnerUpOfferStatusChange,
        key="offer",
        to_status=R.LAPSED,
        actor=None,
        reason=_("逾期未答复"),
    )
    _release(offer.payment, _("顺位受让逾期，保证金退还"))
    notify(
        organization=auction.holder,
        kind="runner_up_lapsed",
        title=_("顺位受让逾期未答复：%(t)s") % {"t": auction.listing.achievement.title},
        body=_("可重新挂牌。"),
        link=reverse("auctions:rescue", args=[auction.pk]),
    )
    return offer


def runner_up_offers_due_ids() -> list[int]:
    return list(
        RunnerUpOffer.objects.filter(status=R.OPEN, expires_at__lte=db_now_sql()).values_list("id", flat=True)
    )
