"""成交确认书 (``Deal.confirmation``): issued with every deal, signed by both parties on the platform.

The terms are fixed at issue, in the words and figures of the conclusion; the digest of their
canonical JSON is what each party's signature stands for. Signing records who signed for which
side and when; it does not move the deal (payment and settlement go on regardless), it is the
record both parties confirm.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import notify
from core.dbclock import db_now
from core.errors import Conflict, Forbidden
from core.locks import confirmation_lock, deal_lock

from ..models import Deal, DealConfirmation
from ..selectors import confirmation_sign_refusal, confirmation_waiting_on

SHANGHAI = ZoneInfo("Asia/Shanghai")


def canonical(terms: dict[str, Any]) -> str:
    return json.dumps(terms, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def terms_digest(terms: dict[str, Any]) -> str:
    """The SHA-256 of the terms in canonical JSON: anyone holding the terms can check it."""
    return hashlib.sha256(canonical(terms).encode()).hexdigest()


def _party(organization: Any) -> dict[str, str]:
    return {"name": organization.name, "credit_code": organization.credit_code}


def _terms(deal: Deal, number: str, record: dict[str, Any] | None = None) -> dict[str, Any]:
    from .preemption import preemption_statement

    listing = deal.listing
    achievement = listing.achievement
    return {
        "number": number,
        "deal": deal.pk,
        "listing": listing.pk,
        "achievement": achievement.title,
        "patents": sorted(p for p in achievement.ip.values_list("patent_no", flat=True) if p),
        "mode": deal.mode,
        "rights": deal.rights,
        "price": str(deal.price),
        "applied_deposit": str(deal.applied_deposit),
        "amount_due": str(deal.amount_due),
        "seller": _party(deal.seller),
        "buyer": _party(deal.buyer),
        "broker": _party(deal.broker) if deal.broker else None,
        "concluded_at": deal.concluded_at.astimezone(SHANGHAI).isoformat(),
        "payment_due_at": deal.payment_due_at.astimezone(SHANGHAI).isoformat(),
        "payment_reference": deal.payment.payment_reference if deal.payment else None,
        "bid_count": deal.bid_count,
        "bidder_count": deal.bidder_count,
        # How the inventors' pre-emption (Civil Code Art. 847) was handled (issue #16).
        "preemption": preemption_statement(deal),
        # Auctions: the market's signed checkpoint of the bid record (verifiable offline).
        "record_checkpoint": record,
    }


@transaction.atomic
def deal_confirmation_issue(*, deal: Deal, record: dict[str, Any] | None = None) -> DealConfirmation:
    """The deal's confirmation, issued once: ``deal_conclude`` issues it with the deal (deals
    concluded before confirmations existed got theirs from marketplace migration 0013).
    Idempotent. Reads never call it: they read ``selectors.deal_confirmation``."""
    existing = DealConfirmation.objects.filter(deal=deal).first()
    if existing is not None:
        return existing
    locked = deal_lock(deal)
    existing = DealConfirmation.objects.filter(deal=locked).first()
    if existing is not None:
        return existing
    number = locked.number
    terms = _terms(deal, number, record)
    return DealConfirmation.objects.create(
        deal=locked, number=number, terms=terms, digest=terms_digest(terms), issued_at=db_now()
    )


SIDE_LABELS = {"buyer": _("受让方"), "seller": _("转让方")}


def confirmation_require_signed(deal: Deal) -> None:
    """409 ``confirmation_unsigned`` unless both parties have signed the deal's 成交确认书: the one
    rule that settlement, the contract registration and payouts share. The detail says who has
    not signed yet."""
    waiting = confirmation_waiting_on(deal)
    if waiting:
        raise Conflict(
            "confirmation_unsigned",
            _("成交确认书尚未由双方签署（待%(who)s签署），签署后才能登记合同、结算和付款。")
            % {"who": "、".join(str(SIDE_LABELS[side]) for side in waiting)},
        )


@transaction.atomic
def deal_confirmation_sign(*, deal: Deal, actor: User) -> DealConfirmation:
    """The actor signs the confirmation for its side (the buyer's or the seller's admins and
    members). 403 ``not_a_party``; 409 ``already_signed`` when its side has signed; 409
    ``deal_defaulted`` once the deal has failed. When both have signed, both are told."""
    confirmation = deal_confirmation_issue(deal=deal)
    confirmation = confirmation_lock(confirmation)
    deal = confirmation.deal
    refusal, side = confirmation_sign_refusal(actor, confirmation)
    if refusal == "deal_defaulted":
        raise Conflict(refusal, _("该成交已违约，不能再签署成交确认书。"))
    if refusal == "not_a_party":
        raise Forbidden(refusal, _("只有成交双方的管理员或成员可以签署成交确认书。"))
    if refusal == "already_signed":
        raise Conflict(refusal, _("本方已签署该成交确认书。"))
    assert side is not None
    setattr(confirmation, f"{side}_signed_by", actor)
    setattr(confirmation, f"{side}_signed_at", db_now())
    confirmation.save(update_fields=[f"{side}_signed_by", f"{side}_signed_at"])
    if confirmation.signed_by_both:
        title = _("成交确认书已由双方签署：%(n)s") % {"n": confirmation.number}
        link = reverse("marketplace:deal_confirmation", args=[deal.pk])
        for organization in (deal.buyer, deal.seller):
            notify(organization=organization, kind="deal_confirmed", title=title, body="", link=link)
    return confirmation
