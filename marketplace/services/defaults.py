"""Default (违约): a deal unpaid at ``payment_due_at``."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import notify
from core.dbclock import db_now, db_now_sql
from core.locks import deal_lock, payables_lock
from core.templatetags.market import yuan
from listings import services as listing_services
from listings.models import ConversionStatus

from ..models import CreditEvent, Deal, Journal, LedgerAccount, Payable
from .deals import deal_transition
from .ledger import account_for, journal_post, transfer_lines
from .payables import payable_transition, refund_create

K = LedgerAccount.Kind


@transaction.atomic
def deal_default(*, deal: Deal, actor: User | None = None) -> Deal:
    """Declare an overdue deal defaulted, by the platform's policy: the applied deposit is
    forfeited (journal ``deposit_forfeited``), any part-payment of the balance is owed back, the
    balance is cancelled, a ``CreditEvent`` is recorded against the buyer, the holder, the buyer
    and operators are told, and the achievement is unconverted so the holder can list it again.

    Does nothing to a deal that is no longer awaiting payment or not yet due (by the database
    clock), so the job may run twice or race a payment. Lock order (``core.locks``): the balance
    and the deposit payables (both fixed when the deal was made), then the deal, as a payment
    takes them."""
    snapshot = Deal.objects.get(pk=deal.pk)
    payables = payables_lock([snapshot.payment_id, snapshot.deposit_id])
    balance = payables.get(snapshot.payment_id)
    deposit = payables.get(snapshot.deposit_id)
    locked = deal_lock(snapshot)
    now = db_now()
    if locked.status != Deal.Status.AWAITING_PAYMENT or now < locked.payment_due_at:
        return locked
    if deposit is not None:
        if locked.applied_deposit > 0:
            journal_post(
                kind=Journal.Kind.DEPOSIT_FORFEITED,
                idempotency_key=f"deposit:{deposit.pk}:forfeited",
                lines=transfer_lines(
                    locked.applied_deposit,
                    debit=account_for(K.ESCROW_PAYMENTS, locked.buyer),
                    credit=account_for(K.FORFEITS),
                ),
                deal=locked,
                payable=deposit,
                memo=f"成交 {locked.number} 违约，保证金没收",
            )
        # A zero deposit is forfeited too: nothing moves, but its record says what happened.
        payable_transition(
            payable=deposit, deposit_status=Payable.DepositStatus.FORFEITED, actor=actor, note="违约没收"
        )
    if balance is not None:
        if balance.amount_paid > 0:
            journal_post(
                kind=Journal.Kind.PAYMENT_REFUNDABLE,
                idempotency_key=f"deal:{locked.pk}:balance_refundable",
                lines=transfer_lines(
                    balance.amount_paid,
                    debit=account_for(K.ESCROW_PAYMENTS, locked.buyer),
                    credit=account_for(K.REFUNDS_PAYABLE, locked.buyer),
                ),
                deal=locked,
                payable=balance,
                memo=f"成交 {locked.number} 违约，已付余款退还",
            )
            refund_create(
                payer=locked.buyer,
                amount=balance.amount_paid,
                idempotency_key=f"deal:{locked.pk}:balance_refund",
                refund_of=balance,
                deal=locked,
            )
        if balance.status == Payable.Status.PENDING:
            payable_transition(
                payable=balance, status=Payable.Status.CANCELLED, actor=actor, note="违约，余款取消"
            )
    locked = deal_transition(
        deal=locked, to_status=Deal.Status.DEFAULTED, actor=actor, reason=_("逾期未付款")
    )
    CreditEvent.objects.create(
        organization=locked.buyer,
        kind=CreditEvent.Kind.DEAL_DEFAULT,
        deal=locked,
        occurred_at=now,
        detail=_("成交 %(no)s 逾期未付余款 %(a)s，保证金 %(d)s 没收。")
        % {"no": locked.number, "a": yuan(locked.amount_due), "d": yuan(locked.applied_deposit)},
    )
    achievement = locked.listing.achievement
    listing_services.achievement_set_conversion(
        achievement=achievement,
        status=ConversionStatus.UNCONVERTED,
        reason=_("成交 %(no)s 违约") % {"no": locked.number},
    )
    title = _("成交违约：%(t)s") % {"t": achievement.title}
    body = _("受让方 %(b)s 未在付款截止前付清价款，成交已解除，可重新挂牌。") % {"b": locked.buyer.name}
    link = reverse("marketplace:deal", args=[locked.pk])
    notify(
        organization=locked.seller, operators=True, kind="deal_defaulted", title=title, body=body, link=link
    )
    notify(organization=locked.buyer, kind="deal_defaulted", title=title, body=body, link=link)
    return locked


def deals_overdue_ids() -> list[int]:
    """Deals awaiting payment whose deadline has passed, by the database clock."""
    return list(
        Deal.objects.filter(status=Deal.Status.AWAITING_PAYMENT, payment_due_at__lte=db_now_sql())
        .order_by("payment_due_at", "id")
        .values_list("id", flat=True)
    )
