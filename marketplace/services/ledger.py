"""Posting to the ledger: the only code that writes journals and entries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import IntegrityError, connection, transaction

from accounts.models import Organization, User
from core.money import money_quantize

from ..models import Deal, Journal, LedgerAccount, LedgerEntry, Payable
from ..models.payments import BankTransfer

K = LedgerAccount.Kind

# The deferred constraint triggers of migration 0002; ``journal_post`` fires them at once.
_BALANCE_TRIGGERS = "ledger_entry_balanced, ledger_journal_has_entries"


class UnbalancedJournal(ValueError):
    """A journal whose lines do not sum to zero: a programming error, never a user's."""


def account_for(kind: str, organization: Organization | None = None) -> LedgerAccount:
    """The ledger account of ``kind`` (an organization's one for per-organization kinds).
    Created on first use; concurrent first uses meet at the unique constraint."""
    lookup = {"kind": kind, "organization": organization}
    account = LedgerAccount.objects.filter(**lookup).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return LedgerAccount.objects.create(**lookup)
    except IntegrityError:
        return LedgerAccount.objects.get(**lookup)


Line = tuple[LedgerAccount, Decimal]


@transaction.atomic
def journal_post(
    *,
    kind: str,
    idempotency_key: str,
    lines: Sequence[Line],
    deal: Deal | None = None,
    payable: Payable | None = None,
    transfer: BankTransfer | None = None,
    reverses: Journal | None = None,
    memo: str = "",
    actor: User | None = None,
) -> Journal:
    """Record one movement, once: a second call with the same ``idempotency_key`` returns the
    first journal and records nothing. ``lines`` are (account, signed amount): debits positive,
    credits negative; zero lines are dropped; what is left must sum to zero.

    The database checks the balance too (a deferred constraint trigger); it is fired here at once
    so that a mistake surfaces at the line that made it, not at some later commit.
    """
    existing = Journal.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    merged: dict[int, tuple[LedgerAccount, Decimal]] = {}
    for account, amount in lines:
        prev = merged.get(account.pk, (account, Decimal("0.00")))[1]
        merged[account.pk] = (account, prev + money_quantize(amount))
    kept = [(a, amt) for a, amt in merged.values() if amt != 0]
    if sum((amt for _a, amt in kept), Decimal("0.00")) != 0:
        raise UnbalancedJournal(f"{kind}: lines sum to {sum(amt for _a, amt in kept)}")
    if len(kept) < 2:
        raise UnbalancedJournal(f"{kind}: a journal needs at least two non-zero lines")
    try:
        with transaction.atomic():
            journal = Journal.objects.create(
                kind=kind,
                idempotency_key=idempotency_key,
                deal=deal,
                payable=payable,
                transfer=transfer,
                reverses=reverses,
                memo=memo[:300],
                created_by=actor,
            )
    except IntegrityError:
        # Another transaction recorded this movement first (it waited for that one to commit).
        return Journal.objects.get(idempotency_key=idempotency_key)
    LedgerEntry.objects.bulk_create(LedgerEntry(journal=journal, account=a, amount=amt) for a, amt in kept)
    with connection.cursor() as cursor:
        cursor.execute(f"SET CONSTRAINTS {_BALANCE_TRIGGERS} IMMEDIATE")
        cursor.execute(f"SET CONSTRAINTS {_BALANCE_TRIGGERS} DEFERRED")
    return journal


@transaction.atomic
def journal_reverse(*, journal: Journal, memo: str = "", actor: User | None = None) -> Journal:
    """Correct a journal by posting its mirror image (a journal is never edited). Once per journal."""
    lines = [(e.account, -e.amount) for e in journal.entries.select_related("account")]
    return journal_post(
        kind=Journal.Kind.REVERSAL,
        idempotency_key=f"reversal:{journal.pk}",
        lines=lines,
        deal=journal.deal,
        payable=journal.payable,
        transfer=journal.transfer,
        reverses=journal,
        memo=memo or f"冲正凭证 #{journal.pk}",
        actor=actor,
    )


def transfer_lines(amount: Decimal, *, debit: LedgerAccount, credit: LedgerAccount) -> list[Line]:
    """The two lines of a simple movement: ``amount`` from ``credit`` to ``debit``."""
    return [(debit, amount), (credit, -amount)]


def lines_total(lines: Iterable[Line]) -> Decimal:
    return sum((amt for _a, amt in lines), Decimal("0.00"))
