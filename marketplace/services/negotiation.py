"""Negotiated mode: offers, counter-offers, acceptance; the public notice and its objections."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.selectors import ACTING_ROLES, is_operator, membership_for_action, organizations_related
from accounts.services import notify
from core.dbclock import db_now, db_now_sql
from core.decisions import OBJECTION, Decision, decision_parse, require_reason
from core.display import local_time
from core.errors import Conflict, Forbidden, InvalidInput
from core.locks import notice_lock, objection_lock, offer_lock
from core.money import money_display, money_quantize
from core.transitions import status_move, transitions_register
from listings import services as listing_services
from listings.models import Listing

from ..models import (
    NoticeStatusChange,
    Objection,
    ObjectionStatusChange,
    Offer,
    OfferStatusChange,
    PublicNotice,
)
from .deals import deal_conclude
from .preemption import claim_exercised, claim_open_for, claims_lapse

OS = Offer.Status
N = PublicNotice.Status

# The one transition table of an offer ...
OFFER_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "marketplace.Offer",
    record="marketplace.OfferStatusChange",
    table={
        OS.OPEN: {OS.COUNTERED, OS.ACCEPTED, OS.REJECTED, OS.SUPERSEDED, OS.WITHDRAWN},
        OS.COUNTERED: set(),
        OS.ACCEPTED: set(),
        OS.REJECTED: set(),
        OS.SUPERSEDED: set(),
        OS.WITHDRAWN: set(),
    },
)
# ... and of a public notice.
NOTICE_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "marketplace.PublicNotice",
    record="marketplace.NoticeStatusChange",
    table={
        N.OPEN: {N.CONCLUDED, N.STOPPED},
        N.CONCLUDED: set(),
        N.STOPPED: set(),
    },
)
# ... and of an objection: an operator decides it once.
OBJECTION_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "marketplace.Objection",
    record="marketplace.ObjectionStatusChange",
    table={
        Objection.Status.PENDING: {Objection.Status.UPHELD, Objection.Status.DISMISSED},
        Objection.Status.UPHELD: set(),
        Objection.Status.DISMISSED: set(),
    },
)


def buyer_for(
    *, user: User, listing: Listing, organization: Organization | int | None = None
) -> Organization:
    """The verified organization ``user`` buys for; neither the holder nor a related party."""
    membership = membership_for_action(
        user=user, organization=organization, roles=ACTING_ROLES, verified=True
    )
    buyer = membership.organization
    if organizations_related(buyer, listing.achievement.holder_id):
        raise Forbidden("related_party", _("持有单位本身及其关联方不能受让该成果。"))
    return buyer


def offer_transition(*, offer: Offer, to_status: str, actor: User | None, reason: str = "") -> Offer:
    """Lock the offer, check the table, move it and record the move."""
    locked = offer_lock(offer)
    answered = actor is not None and to_status in (OS.COUNTERED, OS.ACCEPTED, OS.REJECTED)
    status_move(
        locked,
        to_status=to_status,
        transitions=OFFER_TRANSITIONS,
        noun=_("报价"),
        record=lambda **change: OfferStatusChange.objects.create(offer=locked, **change),
        actor=actor,
        reason=reason,
        changes={"answered_by": actor, "answered_at": db_now()} if answered else None,
    )
    return locked


def notice_transition(
    *, notice: PublicNotice, to_status: str, actor: User | None, reason: str = ""
) -> PublicNotice:
    """Lock the notice, check the table, move it and record the move."""
    locked = notice_lock(notice)
    status_move(
        locked,
        to_status=to_status,
        transitions=NOTICE_TRANSITIONS,
        noun=_("公示"),
        record=lambda **change: NoticeStatusChange.objects.create(notice=locked, **change),
        actor=actor,
        reason=reason,
        changes={"deal": notice.deal},
    )
    return locked


def _require_open_negotiation(listing: Listing) -> None:
    if listing.mode != Listing.Mode.NEGOTIATED:
        raise Conflict("wrong_mode", _("该挂牌不是协议定价方式。"))
    if listing.status != Listing.Status.PUBLISHED:
        raise Conflict("listing_not_published", _("该挂牌当前不接受报价、意向或竞买。"))
    if PublicNotice.objects.filter(listing=listing, status=N.OPEN).exists():
        raise Conflict("notice_in_progress", _("该挂牌已有成交价格在公示中。"))


def _clean_amount(amount: Decimal) -> Decimal:
    amount = money_quantize(amount)
    if amount <= 0:
        raise InvalidInput(
            "invalid_amount", _("报价必须大于零。"), fields={"amount": [_("报价必须大于零。")]}
        )
    return amount


def _notify_other_side(offer: Offer, *, title: str) -> None:
    to = offer.listing.achievement.holder if offer.side == Offer.Side.BUYER else offer.buyer
    body = _("报价 %(a)s：%(m)s") % {"a": money_display(offer.amount), "m": offer.message or "—"}
    notify(
        organization=to,
        kind="offer",
        title=title,
        body=body,
        link=reverse("listings:detail", args=[offer.listing_id]),
    )


@transaction.atomic
def offer_make(
    *,
    listing: Listing,
    actor: User,
    amount: Decimal,
    message: str = "",
    organization: Organization | int | None = None,
) -> Offer:
    """A verified buyer's offer on a negotiated listing. One open offer per buyer and listing."""
    locked = listing_services.listing_lock(listing)
    buyer = buyer_for(user=actor, listing=locked, organization=organization)
    _require_open_negotiation(locked)
    amount = _clean_amount(amount)
    if Offer.objects.filter(listing=locked, buyer=buyer, status=OS.OPEN).exists():
        raise Conflict("offer_open", _("您在该挂牌上已有待答复的报价。"))
    listing_services.listing_mark_engaged(listing=locked)
    offer = Offer.objects.create(
        listing=locked, buyer=buyer, side=Offer.Side.BUYER, amount=amount, message=message, made_by=actor
    )
    OfferStatusChange.objects.create(offer=offer, to_status=offer.status, actor=actor)
    _notify_other_side(offer, title=_("收到新的报价：%(t)s") % {"t": locked.achievement.title})
    return offer


def _answering_side(*, offer: Offer, actor: User) -> None:
    """Only the other side answers an offer (the holder a buyer's, the buyer a holder's counter), by
    a member who acts for it in trades (``ACTING_ROLES``: not an approver, not a broker)."""
    membership_for_action(
        user=actor, organization=offer.answering_organization_id, roles=ACTING_ROLES, verified=True
    )


@transaction.atomic
def offer_reject(*, offer: Offer, actor: User, reason: str = "") -> Offer:
    _answering_side(offer=offer, actor=actor)
    offer = offer_transition(offer=offer, to_status=OS.REJECTED, actor=actor, reason=reason)
    _notify_other_side_of_answer(offer, title=_("报价被拒绝"))
    return offer


def _notify_other_side_of_answer(offer: Offer, *, title: str) -> None:
    to = offer.buyer if offer.side == Offer.Side.BUYER else offer.listing.achievement.holder
    notify(
        organization=to,
        kind="offer",
        title=title,
        body=_("报价 %(a)s") % {"a": money_display(offer.amount)},
        link=reverse("listings:detail", args=[offer.listing_id]),
    )


@transaction.atomic
def offer_counter(*, offer: Offer, actor: User, amount: Decimal, message: str = "") -> Offer:
    """Answer with another price: the offer is ``countered`` and the counter-offer is open."""
    _answering_side(offer=offer, actor=actor)
    locked_listing = listing_services.listing_lock(offer.listing_id)
    _require_open_negotiation(locked_listing)
    amount = _clean_amount(amount)
    countered = offer_transition(offer=offer, to_status=OS.COUNTERED, actor=actor)
    side = Offer.Side.HOLDER if countered.side == Offer.Side.BUYER else Offer.Side.BUYER
    counter = Offer.objects.create(
        listing=locked_listing,
        buyer=countered.buyer,
        side=side,
        parent=countered,
        amount=amount,
        message=message,
        made_by=actor,
    )
    OfferStatusChange.objects.create(offer=counter, to_status=counter.status, actor=actor)
    _notify_other_side(counter, title=_("收到还价：%(t)s") % {"t": locked_listing.achievement.title})
    return counter


@transaction.atomic
def offer_accept(*, offer: Offer, actor: User) -> PublicNotice:
    """Agree on the offer's price: it goes into a public notice for the listing's ``notice_days``;
    every other open offer on the listing lapses. The deal is made when the notice ends with no
    upheld objection (``notice_conclude``)."""
    _answering_side(offer=offer, actor=actor)
    locked_listing = listing_services.listing_lock(offer.listing_id)
    _require_open_negotiation(locked_listing)
    accepted = offer_transition(offer=offer, to_status=OS.ACCEPTED, actor=actor)
    lapsed = list(
        Offer.objects.filter(listing=locked_listing, status=OS.OPEN)
        .exclude(pk=accepted.pk)
        .select_related("buyer")
    )
    for other in lapsed:
        offer_transition(offer=other, to_status=OS.SUPERSEDED, actor=None, reason=_("另一报价已被接受"))
    now = db_now()
    notice = PublicNotice.objects.create(
        listing=locked_listing,
        offer=accepted,
        buyer=accepted.buyer,
        price=accepted.amount,
        starts_at=now,
        ends_at=now + dt.timedelta(days=locked_listing.notice_days or 1),
    )
    NoticeStatusChange.objects.create(notice=notice, to_status=notice.status, actor=actor)
    title = _("协议定价公示：%(t)s") % {"t": locked_listing.achievement.title}
    body = _("拟成交价 %(p)s，公示至 %(e)s；公示期内任何人可提出异议。") % {
        "p": money_display(notice.price),
        "e": local_time(notice.ends_at),
    }
    for org in (accepted.buyer, locked_listing.achievement.holder):
        notify(
            organization=org,
            kind="notice_opened",
            title=title,
            body=body,
            link=reverse("marketplace:notice", args=[notice.pk]),
        )
    for other in lapsed:
        if other.buyer_id == accepted.buyer_id:
            continue
        notify(
            organization=other.buyer,
            kind="offer_lapsed",
            title=_("报价已失效：%(t)s") % {"t": locked_listing.achievement.title},
            body=_("持有单位已接受另一报价，您的报价 %(a)s 随之失效；该成交价格公示至 %(e)s。")
            % {"a": money_display(other.amount), "e": local_time(notice.ends_at)},
            link=reverse("marketplace:offer", args=[other.pk]),
        )
    return notice


@transaction.atomic
def objection_raise(*, notice: PublicNotice, actor: User, reason: str) -> Objection:
    """Anyone signed in objects to a notice while it runs."""
    if not getattr(actor, "is_authenticated", False):
        raise Forbidden("not_signed_in", _("请先登录。"))
    if not reason.strip():
        raise InvalidInput(
            "reason_required", _("请填写异议理由。"), fields={"reason": [_("请填写异议理由。")]}
        )
    locked = notice_lock(notice)
    if locked.status != N.OPEN or db_now() >= locked.ends_at:
        raise Conflict("notice_closed", _("公示期已结束，不能再提出异议。"))
    objection = Objection.objects.create(notice=locked, raised_by=actor, reason=reason)
    ObjectionStatusChange.objects.create(objection=objection, to_status=objection.status, actor=actor)
    notify(
        operators=True,
        kind="objection_raised",
        title=_("公示收到异议：成交价 %(p)s") % {"p": money_display(locked.price)},
        body=reason[:500],
        link=reverse("marketplace:notice", args=[locked.pk]),
    )
    # The parties hear it too: the deal waits until an operator decides the objection.
    title = _("您的成交公示收到异议：%(t)s") % {"t": locked.listing.achievement.title}
    body = _("异议理由：%(r)s\n平台处理前，公示期满也不会成交。") % {"r": reason[:500]}
    for org in (locked.buyer, locked.listing.achievement.holder):
        notify(
            organization=org,
            kind="notice_objected",
            title=title,
            body=body,
            link=reverse("marketplace:notice", args=[locked.pk]),
        )
    return objection


@transaction.atomic
def objection_decide(*, objection: Objection, actor: User, decision: str, reason: str) -> Objection:
    """An operator upholds an objection (the notice stops; the deal does not proceed; the listing
    stays open to new offers) or dismisses it."""
    if not is_operator(actor):
        raise Forbidden("operator_only", _("只有平台运营人员可以执行此操作。"))
    verdict = decision_parse(decision, choice=OBJECTION, detail=_("请选择异议成立或不成立。"))
    reason = require_reason(
        verdict, reason, choice=OBJECTION, detail=_("请填写处理意见。"), hint=_("请填写处理意见。")
    )
    notice = notice_lock(objection.notice_id)
    locked = objection_lock(objection)
    if locked.status != Objection.Status.PENDING:
        raise Conflict("objection_decided", _("该异议已处理。"))
    status_move(
        locked,
        to_status=Objection.Status.UPHELD if verdict == Decision.UPHOLD else Objection.Status.DISMISSED,
        transitions=OBJECTION_TRANSITIONS,
        noun=_("异议"),
        record=lambda **change: ObjectionStatusChange.objects.create(objection=locked, **change),
        actor=actor,
        reason=reason,
        changes={"decided_by": actor, "decided_at": db_now(), "decision_reason": reason},
    )
    if verdict == Decision.UPHOLD and notice.status == N.OPEN:
        notice_transition(
            notice=notice, to_status=N.STOPPED, actor=actor, reason=_("异议成立：%(r)s") % {"r": reason}
        )
        claims_lapse(listing=notice.listing_id, reason=_("公示因异议成立而终止"), actor=actor)
        title = _("公示因异议成立而终止")
        for org in (notice.buyer, notice.listing.achievement.holder):
            notify(
                organization=org,
                kind="notice_stopped",
                title=title,
                body=reason,
                link=reverse("marketplace:notice", args=[notice.pk]),
            )
    notify(users=[locked.raised_by], kind="objection_decided", title=locked.get_status_display(), body=reason)
    return locked


@transaction.atomic
def notice_conclude(*, notice: PublicNotice) -> PublicNotice:
    """A notice that has ended with no pending or upheld objection makes its deal: with the buyer,
    or, when a recorded pre-emption holder claimed during the notice (``preemption_claim``), with
    that holder at the same price (the buyer is told why). Anything else
    (not yet ended, an objection waiting for an operator, already concluded or stopped) leaves it
    as it is, so the job may run any number of times."""
    locked = notice_lock(notice)
    if locked.status != N.OPEN or db_now() < locked.ends_at:
        return locked
    if locked.objections.exclude(status=Objection.Status.DISMISSED).exists():
        return locked
    claim = claim_open_for(locked.listing_id, notice=locked)
    buyer = claim.organization if claim is not None else locked.buyer
    locked.deal = deal_conclude(
        listing=locked.listing, buyer=buyer, price=locked.price, mode=Listing.Mode.NEGOTIATED
    )
    if claim is not None:
        claim_exercised(claim=claim, deal=locked.deal)
        notify(
            organization=locked.buyer,
            kind="preemption_exercised",
            title=_("优先受让权人以同等条件受让：%(t)s") % {"t": locked.listing.achievement.title},
            body=_("公示期内，完成人的优先受让权人主张以公示价格受让，依法优先成交。"),
            link=reverse("marketplace:notice", args=[locked.pk]),
        )
    return notice_transition(
        notice=locked, to_status=N.CONCLUDED, actor=None, reason=_("公示期满无异议，成交")
    )


def notices_due_ids() -> list[int]:
    # ``statement_timestamp()``: the database clock as this statement runs (core.dbclock), not
    # ``now()``, the start of a transaction that may have begun long before.
    return list(
        PublicNotice.objects.filter(status=N.OPEN, ends_at__lte=db_now_sql())
        .order_by("ends_at", "id")
        .values_list("id", flat=True)
    )
