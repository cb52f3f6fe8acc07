"""Money through the escrow bank account: credits the bank reports or an operator confirms, and
payouts an operator confirms. Each transfer is recorded once (``bank_transaction_id``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import status

from accounts.models import User
from accounts.selectors import is_finance_operator
from accounts.services import notify
from core.dbclock import db_now
from core.errors import Conflict, DomainError, Forbidden, InvalidInput
from core.locks import payable_lock
from core.money import ZERO, money_display, money_quantize

from ..models import BankTransfer, Deal, Journal, LedgerAccount, Payable
from .confirmation import confirmation_require_signed
from .deals import deal_transition
from .ledger import account_for, journal_post
from .payables import normalize_reference, payable_transition, refund_create

K = LedgerAccount.Kind
P = Payable.Status

# Where an incoming payable's money is held, and which payable account an outgoing one pays from.
_HELD_IN: dict[str, str] = {Payable.Kind.DEPOSIT: K.ESCROW_DEPOSITS, Payable.Kind.BALANCE: K.ESCROW_PAYMENTS}


def payable_by_reference(reference: str) -> Payable | None:
    return Payable.objects.filter(payment_reference=normalize_reference(reference)).first()


@transaction.atomic
def payment_receive(
    *,
    bank_transaction_id: str,
    reference: str,
    amount: Decimal,
    source: str = BankTransfer.Source.BANK_NOTIFICATION,
    payable: Payable | None = None,
    payer_name: str = "",
    payer_account: str = "",
    occurred_at: dt.datetime | None = None,
    actor: User | None = None,
    note: str = "",
    raw: dict | None = None,
) -> tuple[BankTransfer, bool]:
    """Credit money that arrived in the escrow bank account. Returns ``(transfer, created)``;
    a ``bank_transaction_id`` seen before records nothing and returns the first transfer.

    The payable matched by ``reference`` (or given) is locked, so concurrent credits for one
    reference apply one after the other. Up to what is outstanding is credited to it (a part
    payment leaves it ``pending``); the rest, or all of it when the payable is no longer open,
    is owed back (a refund payable). Money whose reference matches no open incoming payable is
    booked as unallocated for operators to trace. A deposit paid in full becomes ``frozen``; a
    deal's balance paid in full makes the deal ``paid``. Lock order: payable, then deal.
    """
    amount = money_quantize(amount)
    if amount <= 0:
        raise InvalidInput("invalid_amount", _("金额必须大于零。"))
    existing = BankTransfer.objects.filter(bank_transaction_id=bank_transaction_id).first()
    if existing is not None:
        return existing, False
    if payable is None:
        payable = payable_by_reference(reference)
    if payable is not None:
        payable = payable_lock(payable)
        if not payable.is_incoming:
            payable = None  # an outgoing reference quoted on an incoming transfer: trace it by hand
    try:
        with transaction.atomic():
            transfer = BankTransfer.objects.create(
                direction=BankTransfer.Direction.IN,
                source=source,
                bank_transaction_id=bank_transaction_id,
                payable=payable,
                reference=reference[:100],
                amount=amount,
                payer_name=payer_name[:200],
                payer_account=payer_account[:64],
                occurred_at=occurred_at,
                confirmed_by=actor,
                note=note,
                raw=raw or {},
            )
    except IntegrityError:
        # The same bank transaction, recorded by a concurrent request that committed first.
        return BankTransfer.objects.get(bank_transaction_id=bank_transaction_id), False
    bank = account_for(K.BANK_CLEARING)
    if payable is None:
        journal_post(
            kind=Journal.Kind.UNALLOCATED_RECEIVED,
            idempotency_key=f"transfer:{transfer.pk}",
            lines=[(bank, amount), (account_for(K.UNALLOCATED), -amount)],
            transfer=transfer,
            memo=f"待查明来款 {reference[:60]}",
            actor=actor,
        )
        notify(
            operators=True,
            kind="payment_unmatched",
            title=_("待查明来款 %(a)s") % {"a": money_display(amount)},
            body=_("银行流水 %(t)s 的付款识别码“%(r)s”未匹配到待付款项。")
            % {"t": bank_transaction_id, "r": reference},
        )
        return transfer, True
    applied = min(amount, payable.outstanding) if payable.status == P.PENDING else ZERO
    excess = amount - applied
    lines = [(bank, amount)]
    if applied > 0:
        lines.append((account_for(_HELD_IN[payable.kind], payable.payer), -applied))
    if excess > 0:
        lines.append((account_for(K.REFUNDS_PAYABLE, payable.payer), -excess))
    if applied == 0:
        kind = Journal.Kind.OVERPAYMENT_RECEIVED
    elif payable.kind == Payable.Kind.DEPOSIT:
        kind = Journal.Kind.DEPOSIT_RECEIVED
    else:
        kind = Journal.Kind.PAYMENT_RECEIVED
    journal_post(
        kind=kind,
        idempotency_key=f"transfer:{transfer.pk}",
        lines=lines,
        payable=payable,
        deal=payable.deal,
        transfer=transfer,
        memo=f"来款 {payable.payment_reference}",
        actor=actor,
    )
    transfer.applied_amount = applied
    transfer.save(update_fields=["applied_amount"])
    if excess > 0:
        refund_create(
            payer=payable.payer,
            amount=excess,
            idempotency_key=f"transfer:{transfer.pk}:refund",
            refund_of=payable,
            deal=payable.deal,
        )
    if applied > 0:
        payable.amount_paid += applied
        fully_paid = payable.amount_paid == payable.amount
        if fully_paid:
            payable.paid_at = db_now()
        payable_transition(
            payable=payable,
            status=P.PAID if fully_paid else None,
            deposit_status=Payable.DepositStatus.FROZEN
            if fully_paid and payable.kind == Payable.Kind.DEPOSIT
            else None,
            actor=actor,
            note=note or _("来款 %(a)s 元（流水 %(t)s）") % {"a": applied, "t": bank_transaction_id},
        )
        if fully_paid and payable.kind == Payable.Kind.BALANCE and payable.deal_id is not None:
            deal_transition(
                deal=Deal(pk=payable.deal_id), to_status=Deal.Status.PAID, actor=actor, reason=_("价款已付清")
            )
    notify(
        organization=payable.payer,
        kind="payment_received",
        title=_("已收到款项 %(a)s") % {"a": money_display(amount)},
        body=_("付款识别码 %(r)s：已计入 %(ap)s，应退 %(ex)s。")
        % {"r": payable.payment_reference, "ap": money_display(applied), "ex": money_display(excess)},
        link=_payable_link(payable),
    )
    return transfer, True


def _require_finance(actor: User) -> None:
    """Money moves by hand only for a finance operator: the service checks it itself, whatever
    adapter calls it (the permission classes and page decorators are a second line)."""
    if not is_finance_operator(actor):
        raise Forbidden("finance_operator_only", _("只有具备财务权限的平台运营人员可以执行此操作。"))


@transaction.atomic
def payout_confirm(
    *, payable: Payable, bank_transaction_id: str, actor: User, note: str, amount: Decimal | None = None
) -> BankTransfer:
    """A finance operator confirms the escrow paid an outgoing payable (a refund or a settlement
    payout) in full. Journal ``refund`` or ``settlement_paid_out``: the payable account to the bank."""
    _require_finance(actor)
    payable = payable_lock(payable)
    if payable.is_incoming:
        raise Conflict("not_outgoing", _("该款项是应收款项。"))
    if payable.status != P.PENDING:
        raise Conflict("payable_not_pending", _("该款项已处理。"))
    if payable.kind == Payable.Kind.PAYOUT and payable.deal is not None:
        confirmation_require_signed(payable.deal)
    amount = money_quantize(amount) if amount is not None else payable.outstanding
    if amount != payable.outstanding:
        raise DomainError(
            "amount_mismatch", _("付出金额须等于应付金额 %(a)s 元。") % {"a": payable.outstanding}
        )
    try:
        with transaction.atomic():
            transfer = BankTransfer.objects.create(
                direction=BankTransfer.Direction.OUT,
                source=BankTransfer.Source.OPERATOR,
                bank_transaction_id=bank_transaction_id,
                payable=payable,
                reference=payable.payment_reference,
                amount=amount,
                applied_amount=amount,
                confirmed_by=actor,
                note=note,
            )
    except IntegrityError as exc:
        raise Conflict("bank_transaction_recorded", _("该银行流水号已登记。")) from exc
    if payable.kind == Payable.Kind.REFUND:
        kind, source_account = Journal.Kind.REFUND, account_for(K.REFUNDS_PAYABLE, payable.payer)
    else:
        kind, source_account = (
            Journal.Kind.SETTLEMENT_PAID_OUT,
            account_for(payable.payout_account, payable.payer),
        )
    journal_post(
        kind=kind,
        idempotency_key=f"transfer:{transfer.pk}",
        lines=[(source_account, amount), (account_for(K.BANK_CLEARING), -amount)],
        payable=payable,
        deal=payable.deal,
        transfer=transfer,
        memo=f"付出 {payable.payment_reference}",
        actor=actor,
    )
    payable.amount_paid = payable.amount
    payable.paid_at = db_now()
    payable_transition(payable=payable, status=P.PAID, actor=actor, note=note)
    _notify_paid_out(payable, amount)
    return transfer


def _payable_link(payable: Payable) -> str:
    """The page where the payer reads about a payable: its deal, else its auction registration
    (a deposit), else the deals list."""
    if payable.deal_id is not None:
        return reverse("marketplace:deal", args=[payable.deal_id])
    return reverse("marketplace:my_deals")


def _notify_paid_out(payable: Payable, amount: Decimal) -> None:
    """The payee hears that the escrow paid it: a refund (a released deposit, an overpayment) or
    a settlement payout to the holder, its inventors or the broker."""
    if payable.kind == Payable.Kind.REFUND:
        origin = payable.refund_of
        what = _("保证金退款") if origin is not None and origin.kind == Payable.Kind.DEPOSIT else _("退款")
        notify(
            organization=payable.payer,
            kind="refund_paid",
            title=_("%(w)s %(a)s 已支付") % {"w": what, "a": money_display(amount)},
            body=_("平台已从资金监管账户将 %(a)s 退回贵单位账户（款项编号 %(r)s），请注意查收。")
            % {"a": money_display(amount), "r": payable.payment_reference},
            link=_payable_link(payable),
        )
        return
    labels: dict[str, str] = {
        K.HOLDER_PAYABLE: _("转让方所得"),
        K.INVENTORS_PAYABLE: _("完成人奖励"),
        K.BROKER_PAYABLE: _("技术经理人佣金"),
    }
    notify(
        organization=payable.payer,
        kind="payout_paid",
        title=_("结算款已支付：%(w)s %(a)s")
        % {"w": labels.get(payable.payout_account, _("结算款")), "a": money_display(amount)},
        body=_("平台已将 %(a)s 付至贵单位账户（款项编号 %(r)s），请注意查收。")
        % {"a": money_display(amount), "r": payable.payment_reference},
        link=_payable_link(payable),
    )


@transaction.atomic
def payable_confirm(
    *,
    payable: Payable,
    actor: User,
    note: str,
    bank_transaction_id: str,
    amount: Decimal | None = None,
) -> BankTransfer:
    """``POST /payments/{id}/confirm/``: a finance operator records an offline transfer, with a note.
    Incoming: credits ``amount`` (default: what is outstanding) as the bank notification would;
    outgoing: confirms the payout. The bank's transaction id keeps a later notification of the
    same transfer from crediting it twice."""
    _require_finance(actor)
    if not note.strip():
        raise InvalidInput("note_required", _("请填写确认说明。"), fields={"note": [_("请填写确认说明。")]})
    if not payable.is_incoming:
        return payout_confirm(
            payable=payable, bank_transaction_id=bank_transaction_id, actor=actor, note=note, amount=amount
        )
    locked = payable_lock(payable)
    if locked.status != P.PENDING:
        raise Conflict("payable_not_pending", _("该款项已付清或已取消。"))
    amount = money_quantize(amount) if amount is not None else locked.outstanding
    transfer, created = payment_receive(
        bank_transaction_id=bank_transaction_id,
        reference=locked.payment_reference,
        amount=amount,
        source=BankTransfer.Source.OPERATOR,
        payable=locked,
        actor=actor,
        note=note,
    )
    if not created:
        raise Conflict("bank_transaction_recorded", _("该银行流水号已登记。"))
    return transfer


class NotificationRefused(DomainError):
    """A bank notification that does not prove it came from the bank (401): nothing is recorded."""

    status_code = status.HTTP_401_UNAUTHORIZED  # type: ignore[assignment]  # the base infers Literal[422]


SIGNATURE_HEADER = "X-Bank-Signature"
TIMESTAMP_HEADER = "X-Bank-Timestamp"


def bank_notification_verify(*, raw_body: bytes, timestamp: str, signature: str, now: float) -> None:
    """The bank signs ``f"{timestamp}.".encode() + raw_body`` with HMAC-SHA256 under
    ``BANK_WEBHOOK_SECRET`` and sends the hex digest in ``X-Bank-Signature`` and the Unix time in
    ``X-Bank-Timestamp``. Refused: a bad signature (``invalid_signature``) and a timestamp more
    than ``BANK_WEBHOOK_WINDOW_SECONDS`` from ``now`` either way (``stale_timestamp``), so a
    captured notification cannot be replayed later (and a replay inside the window is harmless:
    the bank's transaction id is recorded once)."""
    import hashlib
    import hmac

    from django.conf import settings

    secret = settings.MARKET["BANK_WEBHOOK_SECRET"].encode()
    if not secret:  # unconfigured: no signature can be right (config.E001 stops production here)
        raise NotificationRefused("invalid_signature", _("签名无效。"))
    expected = hmac.new(secret, timestamp.encode() + b"." + raw_body, hashlib.sha256).hexdigest()
    given = signature.strip().lower()
    if not given or not given.isascii() or not hmac.compare_digest(expected, given):
        raise NotificationRefused("invalid_signature", _("签名无效。"))
    try:
        sent = int(timestamp)
    except ValueError as exc:
        raise NotificationRefused("stale_timestamp", _("时间戳无效。")) from exc
    if abs(now - sent) > int(settings.MARKET["BANK_WEBHOOK_WINDOW_SECONDS"]):
        raise NotificationRefused("stale_timestamp", _("通知时间超出允许的时间窗口。"))
