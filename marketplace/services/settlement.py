"""Settling a paid deal: the platform fee by the tiered schedule, then the holder's net split: the
inventors' reward by the holder's policy, the broker's commission by the deal's mandate (委托, when
the buyer named the broker that brought it); and the holder's contract registration that releases it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.selectors import is_finance_operator, is_operator, membership_for_action
from accounts.services import notify
from core.dbclock import db_now
from core.errors import Conflict, Forbidden, InvalidInput
from core.locks import deal_lock
from core.money import FEN, ZERO, money_display, money_quantize

from ..models import (
    ContractRegistrationChange,
    Deal,
    Journal,
    LedgerAccount,
    Payable,
    Settlement,
    SettlementPolicy,
)
from ..selectors import settlement_policy_of as policy_of
from ..validators import contract_registration_no_normalize
from .brokers import broker_points_award, broker_share_check
from .confirmation import confirmation_require_signed
from .deals import deal_transition
from .ledger import account_for, journal_post
from .payables import payable_create
from .results import result_publish

K = LedgerAccount.Kind
S = Deal.Status


@dataclass(frozen=True)
class FeeTier:
    up_to: Decimal | None  # the tier covers the part of the price up to this amount; None: the rest
    rate: Decimal


@dataclass(frozen=True)
class Split:
    price: Decimal
    platform_fee: Decimal
    inventors: Decimal
    broker: Decimal
    holder: Decimal


def fee_schedule() -> tuple[list[FeeTier], Decimal]:
    """``settings.MARKET["PLATFORM_FEE_SCHEDULE"]`` (marginal tiers, like tax brackets) and
    ``PLATFORM_FEE_MINIMUM``."""
    tiers = [
        FeeTier(up_to=Decimal(up_to) if up_to is not None else None, rate=Decimal(rate))
        for up_to, rate in settings.MARKET["PLATFORM_FEE_SCHEDULE"]
    ]
    return tiers, Decimal(settings.MARKET["PLATFORM_FEE_MINIMUM"])


def platform_fee(price: Decimal, tiers: list[FeeTier], minimum: Decimal) -> Decimal:
    """Each tier's rate on the part of the price inside it, summed and rounded half-up to the fen;
    at least ``minimum``, never more than the price."""
    fee, lower = Decimal("0"), Decimal("0")
    for tier in tiers:
        upper = price if tier.up_to is None else min(price, tier.up_to)
        if upper > lower:
            fee += (upper - lower) * tier.rate
        if tier.up_to is None or price <= tier.up_to:
            break
        lower = tier.up_to
    fee = fee.quantize(FEN, rounding=ROUND_HALF_UP)
    return min(max(fee, money_quantize(minimum)), price)


def settlement_split(
    *,
    price: Decimal,
    tiers: list[FeeTier],
    minimum: Decimal,
    inventors_share: Decimal,
    broker_share: Decimal,
    has_broker: bool,
) -> Split:
    """The parts of ``price``. The fee comes first (``platform_fee``); of the net, the inventors'
    and the broker's shares are rounded DOWN to the fen, and the holder takes the remainder
    (``net - inventors - broker``): every fen that rounding leaves over goes to the holder, so the
    four parts sum to the price exactly. They are non-negative because the shares sum to at most 1."""
    price = money_quantize(price)
    if inventors_share < 0 or broker_share < 0 or inventors_share + broker_share > 1:
        raise ValueError("shares must be non-negative and sum to at most 1")
    fee = platform_fee(price, tiers, minimum)
    net = price - fee
    inventors = (net * inventors_share).quantize(FEN, rounding=ROUND_DOWN)
    broker = (net * broker_share).quantize(FEN, rounding=ROUND_DOWN) if has_broker else ZERO
    return Split(
        price=price, platform_fee=fee, inventors=inventors, broker=broker, holder=net - inventors - broker
    )


@transaction.atomic
def settlement_policy_set(
    *, organization: Organization, actor: User, inventors_share: Decimal, broker_share: Decimal
) -> SettlementPolicy:
    """A holder admin sets its split. The broker share (its default commission rate for new
    mandates) obeys ``broker_share_check``: at least ``BROKER_SHARE_MIN`` (5%)."""
    membership_for_action(user=actor, organization=organization, roles=["admin"])
    broker_share_check(broker_share, field="broker_share")
    if inventors_share < 0 or inventors_share + broker_share > 1:
        raise InvalidInput("invalid_shares", _("分配比例之和不得超过 100%。"))
    policy, _created = SettlementPolicy.objects.update_or_create(
        organization=organization,
        defaults={"inventors_share": inventors_share, "broker_share": broker_share, "updated_by": actor},
    )
    return policy


def _schedule_snapshot(tiers: list[FeeTier], minimum: Decimal) -> dict[str, Any]:
    return {
        "tiers": [
            {"up_to": str(t.up_to) if t.up_to is not None else None, "rate": str(t.rate)} for t in tiers
        ],
        "minimum": str(minimum),
    }


@transaction.atomic
def deal_settle(*, deal: Deal, actor: User | None = None, reason: str = "") -> Settlement:
    """Split a paid deal's price (journal ``settlement``: the buyer's payments held to the fee
    revenue, the inventors', the broker's and the holder's payables) and open a payout for each
    share. The broker's line is the deal's mandate's commission rate, paid to the organization the
    broker acts for; the broker earns its contribution points. Idempotent: a settled deal returns
    its settlement. Locks the deal. 409 ``deal_not_paid``; 409 ``confirmation_unsigned`` until both
    parties signed the 成交确认书."""
    locked = deal_lock(deal)
    existing = Settlement.objects.filter(deal=locked).first()
    if existing is not None:
        return existing
    if locked.status not in (S.PAID, S.CONTRACT_REGISTERED):
        raise Conflict("deal_not_paid", _("成交价款尚未付清，不能结算。"))
    confirmation_require_signed(locked)
    tiers, minimum = fee_schedule()
    inventors_share, _default_rate = policy_of(locked.seller)
    mandate = locked.mandate
    broker_share = mandate.commission_rate if mandate is not None else ZERO
    # A mandate's rate and the policy's inventors' share are each within bounds, not together:
    # the inventors yield what the broker's commission needs.
    inventors_share = min(inventors_share, 1 - broker_share)
    split = settlement_split(
        price=locked.price,
        tiers=tiers,
        minimum=minimum,
        inventors_share=inventors_share,
        broker_share=broker_share,
        has_broker=mandate is not None,
    )
    lines = [
        (account_for(K.ESCROW_PAYMENTS, locked.buyer), split.price),
        (account_for(K.PLATFORM_FEE_REVENUE), -split.platform_fee),
        (account_for(K.INVENTORS_PAYABLE, locked.seller), -split.inventors),
        (account_for(K.HOLDER_PAYABLE, locked.seller), -split.holder),
    ]
    if locked.broker is not None:
        lines.append((account_for(K.BROKER_PAYABLE, locked.broker), -split.broker))
    journal_post(
        kind=Journal.Kind.SETTLEMENT,
        idempotency_key=f"deal:{locked.pk}:settlement",
        lines=lines,
        deal=locked,
        memo=f"成交 {locked.number} 结算",
        actor=actor,
    )
    payouts = [
        (K.HOLDER_PAYABLE, locked.seller, split.holder),
        (K.INVENTORS_PAYABLE, locked.seller, split.inventors),
        (K.BROKER_PAYABLE, locked.broker, split.broker),
    ]
    for account_kind, payee, amount in payouts:
        if payee is None or amount <= 0:
            continue
        payout = payable_create(
            kind=Payable.Kind.PAYOUT,
            payer=payee,
            amount=amount,
            idempotency_key=f"deal:{locked.pk}:payout:{account_kind}",
            deal=locked,
            listing=locked.listing,
        )
        if payout.payout_account != account_kind:
            payout.payout_account = account_kind
            payout.save(update_fields=["payout_account"])
    settlement = Settlement.objects.create(
        deal=locked,
        price=split.price,
        platform_fee=split.platform_fee,
        inventors_amount=split.inventors,
        broker_amount=split.broker,
        holder_amount=split.holder,
        inventors_share=inventors_share,
        broker_share=broker_share,
        fee_schedule=_schedule_snapshot(tiers, minimum),
        settled_by=actor,
    )
    deal_transition(deal=locked, to_status=S.SETTLED, actor=actor, reason=reason or _("结算"))
    broker_points_award(deal=locked)
    title = _("成交已结算：%(t)s") % {"t": locked.listing.achievement.title}
    body = _("成交价 %(p)s：平台服务费 %(f)s，完成人奖励 %(i)s，技术经理人佣金 %(b)s，持有单位 %(h)s。") % {
        "p": money_display(split.price),
        "f": money_display(split.platform_fee),
        "i": money_display(split.inventors),
        "b": money_display(split.broker),
        "h": money_display(split.holder),
    }
    notify(
        organization=locked.seller,
        kind="deal_settled",
        title=title,
        body=body,
        link=reverse("marketplace:deal", args=[locked.pk]),
    )
    if locked.broker is not None:
        notify(
            organization=locked.broker,
            kind="deal_settled",
            title=title,
            body=body,
            link=reverse("marketplace:deal", args=[locked.pk]),
        )
    return settlement


def _contract_no_clean(raw: str, *, deal: Deal) -> str:
    """The number's published shape (``marketplace.validators``), its year not before the deal's
    and not after today (Asia/Shanghai); 400 ``invalid_contract_registration_no``."""
    number, error = contract_registration_no_normalize(
        raw,
        concluded_on=timezone.localtime(deal.concluded_at).date(),
        today=timezone.localtime(db_now()).date(),
    )
    if error is not None:
        raise InvalidInput(
            "invalid_contract_registration_no",
            error,
            fields={"contract_registration_no": [error]},
        )
    return number


@transaction.atomic
def deal_register_contract(*, deal: Deal, actor: User, contract_registration_no: str) -> Deal:
    """The holder enters the technology-contract registration number (技术合同认定登记号) of a paid
    deal whose 成交确认书 both parties signed; the deal is then settled and the number published
    with its result. 400 ``invalid_contract_registration_no`` (the format: ``marketplace.validators``);
    409 ``invalid_status_transition`` unless paid; 409 ``confirmation_unsigned``."""
    locked = deal_lock(deal)
    membership_for_action(user=actor, organization=locked.seller_id)
    number = _contract_no_clean(contract_registration_no, deal=locked)
    if locked.status != S.PAID:
        raise Conflict(
            "invalid_status_transition",
            _("成交当前状态为“%(s)s”，不能登记合同。") % {"s": locked.get_status_display()},
        )
    confirmation_require_signed(locked)
    ContractRegistrationChange.objects.create(
        deal=locked, from_no=locked.contract_registration_no, to_no=number, actor=actor
    )
    locked.contract_registration_no = number
    locked = deal_transition(
        deal=locked,
        to_status=S.CONTRACT_REGISTERED,
        actor=actor,
        reason=_("技术合同认定登记号 %(n)s") % {"n": number},
        extra_fields=("contract_registration_no",),
    )
    deal_settle(deal=locked, actor=actor, reason=_("合同已登记，结算"))
    result_publish(deal=locked)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def deal_contract_registration_correct(
    *, deal: Deal, actor: User, contract_registration_no: str, reason: str
) -> Deal:
    """An operator corrects the registration number of a deal that has one (a typing error, or a
    number entered before the format was checked), with a reason kept as a
    ``ContractRegistrationChange``; the published result follows. 403 ``operator_only``;
    400 ``reason_required`` / ``invalid_contract_registration_no``; 409 ``contract_not_registered``
    when the deal has no number to correct, 409 ``contract_registration_unchanged``."""
    if not is_operator(actor):
        raise Forbidden("operator_only", _("只有平台运营人员可以更正技术合同登记号。"))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            "reason_required", _("请填写更正理由。"), fields={"reason": [_("请填写更正理由。")]}
        )
    locked = deal_lock(deal)
    number = _contract_no_clean(contract_registration_no, deal=locked)
    if locked.status not in (S.CONTRACT_REGISTERED, S.SETTLED) or not locked.contract_registration_no:
        raise Conflict("contract_not_registered", _("该成交尚未登记技术合同，无可更正的登记号。"))
    if number == locked.contract_registration_no:
        raise Conflict("contract_registration_unchanged", _("新登记号与原登记号相同。"))
    ContractRegistrationChange.objects.create(
        deal=locked, from_no=locked.contract_registration_no, to_no=number, actor=actor, reason=reason
    )
    locked.contract_registration_no = number
    locked.save(update_fields=["contract_registration_no", "updated_at"])
    result_publish(deal=locked)
    title = _("技术合同登记号已更正：%(t)s") % {"t": locked.listing.achievement.title}
    body = _("登记号更正为 %(n)s。理由：%(r)s") % {"n": number, "r": reason}
    link = reverse("marketplace:deal", args=[locked.pk])
    for organization in (locked.seller, locked.buyer):
        notify(
            organization=organization,
            kind="contract_registration_corrected",
            title=title,
            body=body,
            link=link,
        )
    return locked


@transaction.atomic
def deal_release_for_settlement(*, deal: Deal, actor: User, reason: str) -> Settlement:
    """A finance operator settles a paid deal without waiting for its contract registration."""
    if not is_finance_operator(actor):
        raise Forbidden("finance_operator_only", _("只有具备财务权限的平台运营人员可以执行此操作。"))
    if not reason.strip():
        raise InvalidInput(
            "reason_required", _("请填写放款理由。"), fields={"reason": [_("请填写放款理由。")]}
        )
    return deal_settle(deal=deal, actor=actor, reason=_("运营放款：%(r)s") % {"r": reason})
