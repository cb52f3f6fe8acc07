"""Payables and deposits: creating obligations, moving their status, releasing deposits."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from core.dbclock import db_now
from core.errors import Conflict, InvalidInput
from core.locks import payable_lock
from core.money import ZERO, money_quantize
from core.transitions import status_check, transitions_register
from listings.models import Listing

from ..models import Deal, Journal, LedgerAccount, Payable, PayableStatusChange
from ..working_days import add_working_days
from .ledger import account_for, journal_post, transfer_lines

P = Payable.Status
D = Payable.DepositStatus
K = LedgerAccount.Kind

# The one transition table of a payable's status ...
PAYABLE_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "marketplace.Payable",
    record="marketplace.PayableStatusChange",
    table={
        P.PENDING: {P.PAID, P.CANCELLED},
        P.PAID: set(),
        P.CANCELLED: set(),
    },
)
# ... and of a deposit's (``deposit_status``).
DEPOSIT_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "marketplace.Payable",
    record="marketplace.PayableStatusChange",
    field="deposit_status",
    table={
        D.PENDING: {D.FROZEN, D.RELEASED},
        D.FROZEN: {D.RELEASED, D.APPLIED},
        D.APPLIED: {D.FORFEITED},  # the winner defaulted on the deal the deposit was applied to
        D.RELEASED: set(),
        D.FORFEITED: set(),
    },
)

# Crockford's base32 without look-alikes: read aloud or typed into a bank's memo field safely.
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_REFERENCE_PREFIX = "ZJ"
_REFERENCE_RANDOM_CHARS = 14  # 70 random bits: not guessable, short enough for a transfer memo


def new_payment_reference() -> str:
    return _REFERENCE_PREFIX + "".join(
        secrets.choice(_REFERENCE_ALPHABET) for _ in range(_REFERENCE_RANDOM_CHARS)
    )


def normalize_reference(text: str) -> str:
    """What a payer typed in the memo, as we store it: upper case, no spaces or dashes; the
    look-alike letters Crockford's alphabet leaves out read as the digits they resemble."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    return cleaned.translate(str.maketrans("OIL", "011"))


def payable_transition(
    *,
    payable: Payable,
    status: str | None = None,
    deposit_status: str | None = None,
    actor: User | None = None,
    note: str = "",
) -> Payable:
    """Move a payable's status and/or deposit status by the tables above and record the move: the
    one transition of a payable, whose change row records both statuses at once (so it checks with
    ``core.transitions.status_check`` rather than moving one field with ``status_move``).

    The caller must hold the payable's row lock (``core.locks.payable_lock``) and pass the locked instance;
    fields other than the statuses (``amount_paid``, ``paid_at``) are saved with it.
    """
    from_status, from_deposit = payable.status, payable.deposit_status
    if status is not None and status != from_status:
        status_check(
            current=from_status,
            to_status=status,
            transitions=PAYABLE_TRANSITIONS,
            noun=_("款项"),
            display=payable.get_status_display(),
        )
        payable.status = status
    if deposit_status is not None and deposit_status != from_deposit:
        status_check(
            current=from_deposit,
            # Only a deposit has a deposit status: anything else has no move in the table.
            to_status=deposit_status if payable.kind == Payable.Kind.DEPOSIT else "",
            transitions=DEPOSIT_TRANSITIONS,
            noun=_("保证金"),
            display=payable.get_deposit_status_display(),
        )
        payable.deposit_status = deposit_status
    payable.save(update_fields=["status", "deposit_status", "amount_paid", "paid_at", "updated_at"])
    if (payable.status, payable.deposit_status) != (from_status, from_deposit):
        PayableStatusChange.objects.create(
            payable=payable,
            from_status=from_status,
            to_status=payable.status,
            from_deposit_status=from_deposit,
            to_deposit_status=payable.deposit_status,
            actor=actor,
            note=note,
        )
    return payable


def payable_create(
    *,
    kind: str,
    payer: Organization,
    amount: Decimal,
    idempotency_key: str,
    listing: Listing | None = None,
    deal: Deal | None = None,
    refund_of: Payable | None = None,
    due_at=None,
) -> Payable:
    """A new obligation with a fresh payment reference, or the one already made under this key.
    A zero amount is paid at once (a deposit of zero is frozen at once): there is nothing to pay.
    Runs inside the caller's transaction (every caller is a transactional service)."""
    existing = Payable.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    amount = money_quantize(amount)
    if amount < 0:
        raise InvalidInput("invalid_amount", _("金额不能为负数。"))
    nothing_to_pay = amount == ZERO
    fields = {
        "kind": kind,
        "payer": payer,
        "amount": amount,
        "listing": listing,
        "deal": deal,
        "refund_of": refund_of,
        "due_at": due_at,
        "status": P.PAID if nothing_to_pay else P.PENDING,
        "deposit_status": (D.FROZEN if nothing_to_pay else D.PENDING) if kind == Payable.Kind.DEPOSIT else "",
    }
    for _attempt in range(5):
        try:
            with transaction.atomic():
                payable = Payable.objects.create(
                    idempotency_key=idempotency_key, payment_reference=new_payment_reference(), **fields
                )
                break
        except IntegrityError:
            # Either the key was taken by a concurrent call (return its payable) or, once in 2^70,
            # the random reference collided (draw another).
            existing = Payable.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
    else:  # pragma: no cover - five collisions of 70 random bits
        raise RuntimeError("could not draw a unique payment reference")
    PayableStatusChange.objects.create(
        payable=payable, to_status=payable.status, to_deposit_status=payable.deposit_status
    )
    return payable


@transaction.atomic
def deposit_create(
    *, payer: Organization, listing: Listing, amount: Decimal, idempotency_key: str
) -> Payable:
    """A deposit obligation for ``payer`` on ``listing`` (an auction's). Idempotent by key.
    ``deposit_status`` is ``pending`` until fully paid, then ``frozen``; a zero deposit is frozen at once."""
    return payable_create(
        kind=Payable.Kind.DEPOSIT,
        payer=payer,
        amount=amount,
        idempotency_key=idempotency_key,
        listing=listing,
    )


def refund_create(
    *,
    payer: Organization,
    amount: Decimal,
    idempotency_key: str,
    refund_of: Payable | None,
    deal: Deal | None = None,
) -> Payable:
    """An outgoing obligation: ``amount`` is owed back to ``payer`` (see ``Payable``), due within
    ``MARKET["REFUND_DUE_WORKING_DAYS"]`` working days (the date the payer is told)."""
    days = int(settings.MARKET.get("REFUND_DUE_WORKING_DAYS", 3))
    return payable_create(
        due_at=add_working_days(db_now(), days),
        kind=Payable.Kind.REFUND,
        payer=payer,
        amount=amount,
        idempotency_key=idempotency_key,
        refund_of=refund_of,
        deal=deal,
        listing=refund_of.listing if refund_of is not None else None,
    )


@transaction.atomic
def deposit_release(*, payable: Payable, actor: User | None = None, note: str = "") -> Payable:
    """Give a deposit back: whatever was paid in moves from the payer's escrow to refunds payable
    (journal ``deposit_released``) and a refund payable is opened for the payout. An unpaid or
    part-paid deposit is cancelled. Idempotent: releasing a released deposit changes nothing.
    Refused (409) once the deposit was applied to a price or forfeited."""
    payable = payable_lock(payable)
    if payable.kind != Payable.Kind.DEPOSIT:
        raise Conflict("not_a_deposit", _("该款项不是保证金。"))
    if payable.deposit_status == D.RELEASED:
        return payable
    if payable.deposit_status not in (D.PENDING, D.FROZEN):
        raise Conflict(
            "deposit_not_releasable",
            _("保证金当前状态为“%(s)s”，不能解冻。") % {"s": payable.get_deposit_status_display()},
        )
    paid_in = payable.amount_paid
    if paid_in > 0:
        journal_post(
            kind=Journal.Kind.DEPOSIT_RELEASED,
            idempotency_key=f"deposit:{payable.pk}:released",
            lines=transfer_lines(
                paid_in,
                debit=account_for(K.ESCROW_DEPOSITS, payable.payer),
                credit=account_for(K.REFUNDS_PAYABLE, payable.payer),
            ),
            payable=payable,
            memo=f"保证金解冻 {payable.payment_reference}",
            actor=actor,
        )
        refund_create(
            payer=payable.payer,
            amount=paid_in,
            idempotency_key=f"deposit:{payable.pk}:refund",
            refund_of=payable,
        )
    return payable_transition(
        payable=payable,
        status=P.CANCELLED if payable.status == P.PENDING else None,
        deposit_status=D.RELEASED,
        actor=actor,
        note=note or "保证金解冻",
    )
