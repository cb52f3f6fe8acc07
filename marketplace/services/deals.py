"""Deals: conclusion from any mode, the status table, and what follows payment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.selectors import organization_tied_to
from accounts.services import notify
from core import seams
from core.dbclock import db_now
from core.display import local_time
from core.errors import Conflict, Forbidden, InvalidInput
from core.locks import deal_lock, payable_lock
from core.money import ZERO, money_display, money_quantize
from core.transitions import status_move, transitions_register
from listings import services as listing_services
from listings.models import ConversionStatus, Listing

from ..models import Deal, DealStatusChange, Journal, LedgerAccount, Payable
from ..working_days import add_working_days
from .confirmation import deal_confirmation_issue
from .ledger import account_for, journal_post, transfer_lines
from .payables import payable_create, payable_transition, refund_create
from .results import result_publish

S = Deal.Status
K = LedgerAccount.Kind

# The one transition table of a deal's status.
DEAL_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "marketplace.Deal",
    record="marketplace.DealStatusChange",
    table={
        S.AWAITING_PAYMENT: {S.PAID, S.DEFAULTED},
        S.PAID: {S.CONTRACT_REGISTERED, S.SETTLED},  # settled straight from paid: an operator released it
        S.CONTRACT_REGISTERED: {S.SETTLED},
        S.SETTLED: set(),
        S.DEFAULTED: set(),
    },
)
# The moment each status is reached is kept on the deal.
_STAMPS: dict[str, str] = {S.PAID: "paid_at", S.SETTLED: "settled_at", S.DEFAULTED: "defaulted_at"}


def deal_transition(
    *,
    deal: Deal,
    to_status: str,
    actor: User | None = None,
    reason: str = "",
    extra_fields: tuple[str, ...] = (),
) -> Deal:
    """Lock the deal, check the table, move it, record the move. ``extra_fields`` are other fields
    the caller set on ``deal`` to be saved with the move (the caller then holds the lock already)."""
    locked = deal_lock(deal)
    for name in extra_fields:
        setattr(locked, name, getattr(deal, name))
    from_status = status_move(
        locked,
        to_status=to_status,
        transitions=DEAL_TRANSITIONS,
        noun=_("成交"),
        record=lambda **change: DealStatusChange.objects.create(deal=locked, **change),
        actor=actor,
        reason=reason,
        changes={_STAMPS[to_status]: db_now()} if to_status in _STAMPS else None,
        fields=extra_fields,
    )
    _after_transition(deal=locked, from_status=from_status)
    return locked


def _after_transition(*, deal: Deal, from_status: str) -> None:
    """What a status brings with it. A paid deal's result is published (``results``); a deal of an
    auctioned lot has its auction record signed again (the ``deal_moved`` seam: auctions'
    checkpoints, issue #16)."""
    if deal.status == S.PAID:
        result_publish(deal=deal)
        if from_status == S.AWAITING_PAYMENT:
            notify(
                organization=deal.seller,
                kind="deal_paid",
                title=_("受让方已付清价款：%(t)s") % {"t": deal.listing.achievement.title},
                body=_(
                    "%(b)s 已付清成交价 %(p)s，款项由平台资金监管。双方签署成交确认书后，"
                    "请登记技术合同，平台随后结算付款。"
                )
                % {"b": deal.buyer.name, "p": money_display(deal.price)},
                link=reverse("marketplace:deal", args=[deal.pk]),
            )
    seams.call("deal_moved", deal=deal, to_status=deal.status)


def _apply_deposit(*, deposit: Payable, deal: Deal, actor: User | None) -> None:
    """Move the winner's frozen deposit from its deposits held to its payments held for ``deal``;
    what exceeds the price (rare: a deposit larger than the price) is released back.
    The caller holds the deposit's row lock."""
    applied, excess = deal.applied_deposit, deposit.amount_paid - deal.applied_deposit
    escrow_deposits = account_for(K.ESCROW_DEPOSITS, deposit.payer)
    if applied > 0:
        journal_post(
            kind=Journal.Kind.DEPOSIT_APPLIED,
            idempotency_key=f"deposit:{deposit.pk}:applied",
            lines=transfer_lines(
                applied, debit=escrow_deposits, credit=account_for(K.ESCROW_PAYMENTS, deposit.payer)
            ),
            deal=deal,
            payable=deposit,
            memo=f"保证金 {deposit.payment_reference} 抵作成交 {deal.number} 价款",
            actor=actor,
        )
    if excess > 0:
        journal_post(
            kind=Journal.Kind.DEPOSIT_RELEASED,
            idempotency_key=f"deposit:{deposit.pk}:released",
            lines=transfer_lines(
                excess, debit=escrow_deposits, credit=account_for(K.REFUNDS_PAYABLE, deposit.payer)
            ),
            deal=deal,
            payable=deposit,
            memo=f"保证金超出成交价部分退还 {deposit.payment_reference}",
            actor=actor,
        )
        refund_create(
            payer=deposit.payer,
            amount=excess,
            idempotency_key=f"deposit:{deposit.pk}:refund",
            refund_of=deposit,
        )
    deposit.deal = deal
    deposit.save(update_fields=["deal", "updated_at"])
    payable_transition(
        payable=deposit, deposit_status=Payable.DepositStatus.APPLIED, actor=actor, note="抵作价款"
    )


@transaction.atomic
def deal_conclude(
    *,
    listing: Listing,
    buyer: Organization,
    price: Decimal,
    mode: str,
    bid_count: int = 0,
    bidder_count: int = 0,
    deposit: Payable | None = None,
    actor: User | None = None,
    record: dict[str, Any] | None = None,
) -> Deal:
    """Make the deal of ``listing`` with ``buyer`` at ``price`` (any mode; an auction that came
    from a contested fixed-price listing passes ``mode="auction"``).

    The winner's frozen ``deposit`` is applied to the price (journal ``deposit_applied``); the
    balance payable is opened for ``amount_due`` = price less the applied deposit, due at the end
    of ``PAYMENT_DUE_WORKING_DAYS`` working days (``marketplace.working_days``: weekends, the
    configured public holidays and make-up working days); the listing is closed and the
    achievement marked converted (listings' services); the 成交确认书 is issued for both parties to
    sign (``confirmation``), carrying ``record`` (an auction's signed checkpoint, from auctions)
    and how the inventors' pre-emption was handled. Locks the listing row: one live deal per listing (the database says so
    too).
    """
    listing = listing_services.listing_lock(listing)
    seller = listing.achievement.holder
    price = money_quantize(price)
    if price <= 0:
        raise InvalidInput("invalid_price", _("成交价必须大于零。"))
    if mode not in Listing.Mode.values:
        raise InvalidInput("invalid_mode", _("交易方式无效。"))
    if organization_tied_to(organization=buyer, holder=seller):  # related, or through its people
        raise Forbidden("related_party", _("持有单位本身及其关联方（含其成员）不能受让该成果。"))
    if Deal.objects.filter(listing=listing).exclude(status=S.DEFAULTED).exists():
        raise Conflict("deal_exists", _("该挂牌已经成交。"))
    applied = ZERO
    if deposit is not None:
        deposit = payable_lock(deposit)
        if deposit.kind != Payable.Kind.DEPOSIT or deposit.payer_id != buyer.pk:
            raise Conflict("deposit_mismatch", _("保证金不属于该受让方。"))
        if deposit.listing_id not in (None, listing.pk):
            raise Conflict("deposit_mismatch", _("保证金不属于该挂牌。"))
        if deposit.deposit_status != Payable.DepositStatus.FROZEN:
            raise Conflict("deposit_not_frozen", _("保证金尚未冻结，不能抵作价款。"))
        applied = min(deposit.amount_paid, price)
    now = db_now()
    due_at = add_working_days(now, int(settings.MARKET.get("PAYMENT_DUE_WORKING_DAYS", 10)))
    deal = Deal.objects.create(
        listing=listing,
        mode=mode,
        rights=listing.rights,
        price=price,
        buyer=buyer,
        seller=seller,
        concluded_at=now,
        payment_due_at=due_at,
        bid_count=bid_count,
        bidder_count=bidder_count,
        deposit=deposit,
        applied_deposit=applied,
        amount_due=price - applied,
    )
    DealStatusChange.objects.create(deal=deal, to_status=deal.status, actor=actor, reason=_("成交"))
    if deposit is not None:
        _apply_deposit(deposit=deposit, deal=deal, actor=actor)
    balance = payable_create(
        kind=Payable.Kind.BALANCE,
        payer=buyer,
        amount=deal.amount_due,
        idempotency_key=f"deal:{deal.pk}:balance",
        listing=listing,
        deal=deal,
        due_at=due_at,
    )
    deal.payment = balance
    deal.save(update_fields=["payment", "updated_at"])
    listing_services.listing_close(
        listing=listing, actor=actor, reason=_("已成交（成交 %(no)s）") % {"no": deal.number}
    )
    listing_services.achievement_set_conversion(
        achievement=listing.achievement,
        status=ConversionStatus.CONVERTED,
        method=listing.rights,
        reason=_("成交 %(no)s") % {"no": deal.number},
    )
    if balance.status == Payable.Status.PAID:
        deal = deal_transition(deal=deal, to_status=S.PAID, actor=actor, reason=_("保证金已足额抵作价款"))
    deal_confirmation_issue(deal=deal, record=record)
    title = _("成交：%(t)s") % {"t": listing.achievement.title}
    body = _("成交价 %(p)s，应付余款 %(d)s，付款识别码 %(r)s，请于 %(due)s 前付至资金监管账户。") % {
        "p": money_display(deal.price),
        "d": money_display(deal.amount_due),
        "r": balance.payment_reference,
        "due": local_time(due_at),
    }
    link = reverse("marketplace:deal", args=[deal.pk])
    notify(organization=buyer, kind="deal_concluded", title=title, body=body, link=link)
    notify(organization=seller, kind="deal_concluded", title=title, body=body, link=link)
    return deal
