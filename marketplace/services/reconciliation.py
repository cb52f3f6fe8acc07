"""The daily reconciliation: the ledger against itself and against the obligations it stands for.

Checked, all in one consistent snapshot (REPEATABLE READ):
1. every journal has at least two entries and sums to zero;
2. every payable's ``amount_paid`` equals the transfers recorded against it;
3. every account's balance (the sum of its entries) equals what the open obligations say it must be:
   - an organization's deposits held = what it paid on deposits still pending or frozen;
   - its payments held = applied deposits plus balance paid on its deals not yet settled or defaulted;
   - its refunds payable = its pending refunds; holder / inventors / broker payable = pending payouts;
   - bank clearing = money in less money out; unallocated = credits that matched no payable;
   - platform fee revenue = the settlements' fees; forfeits = the defaulted deals' applied deposits.
Any difference is a mismatch, recorded on the run and sent to operators.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.services import notify
from core.dbclock import db_now
from core.transitions import status_move, transitions_register

from ..models import (
    BankTransfer,
    Deal,
    Journal,
    LedgerAccount,
    Payable,
    ReconciliationRun,
    ReconciliationRunStatusChange,
    Settlement,
)

K = LedgerAccount.Kind
R = ReconciliationRun.Status

# The one transition table of a reconciliation run: it runs, then says what it found.
RECONCILIATION_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "marketplace.ReconciliationRun",
    record="marketplace.ReconciliationRunStatusChange",
    table={R.RUNNING: {R.OK, R.MISMATCH}, R.OK: set(), R.MISMATCH: set()},
)
ZERO = Decimal("0.00")
Key = tuple[str, int | None]


def _journal_problems() -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT j.id, coalesce(sum(e.amount), 0), count(e.id)
              FROM marketplace_journal j LEFT JOIN marketplace_ledgerentry e ON e.journal_id = j.id
             GROUP BY j.id
            HAVING coalesce(sum(e.amount), 0) <> 0 OR count(e.id) < 2
            """
        )
        rows = cursor.fetchall()
    return [
        {"check": "journal_unbalanced", "journal": jid, "sum": str(total), "entries": n}
        for jid, total, n in rows
    ]


def _payable_problems() -> list[dict[str, Any]]:
    received: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in (
        BankTransfer.objects.filter(payable__isnull=False)
        .values("payable_id")
        .annotate(total=Sum("applied_amount"))
    ):
        received[row["payable_id"]] = row["total"]
    problems = []
    for pk, paid in Payable.objects.values_list("pk", "amount_paid"):
        if paid != received[pk]:
            problems.append(
                {
                    "check": "payable_paid",
                    "payable": pk,
                    "amount_paid": str(paid),
                    "transfers": str(received[pk]),
                }
            )
    return problems


def _expected_balances() -> dict[Key, Decimal]:
    """What each account's balance must be (debits positive: the bank is positive, what the money
    is owed to is negative)."""
    expected: dict[Key, Decimal] = defaultdict(lambda: ZERO)
    open_deposits = Payable.objects.filter(
        kind=Payable.Kind.DEPOSIT,
        deposit_status__in=[Payable.DepositStatus.PENDING, Payable.DepositStatus.FROZEN],
    )
    for org, total in open_deposits.values_list("payer_id").annotate(t=Sum("amount_paid")):
        expected[(K.ESCROW_DEPOSITS, org)] -= total
    open_deals = Deal.objects.filter(
        status__in=[Deal.Status.AWAITING_PAYMENT, Deal.Status.PAID, Deal.Status.CONTRACT_REGISTERED]
    ).select_related("payment")
    for deal in open_deals:
        paid = deal.payment.amount_paid if deal.payment is not None else ZERO
        expected[(K.ESCROW_PAYMENTS, deal.buyer_id)] -= deal.applied_deposit + paid
    pending_out = Payable.objects.filter(
        kind__in=[Payable.Kind.REFUND, Payable.Kind.PAYOUT], status=Payable.Status.PENDING
    )
    for kind, account, org, total in pending_out.values_list("kind", "payout_account", "payer_id").annotate(
        t=Sum("amount")
    ):
        expected[(K.REFUNDS_PAYABLE if kind == Payable.Kind.REFUND else account, org)] -= total
    transfers_in = BankTransfer.objects.filter(direction=BankTransfer.Direction.IN)
    money_in = transfers_in.aggregate(t=Sum("amount"))["t"] or ZERO
    money_out = (
        BankTransfer.objects.filter(direction=BankTransfer.Direction.OUT).aggregate(t=Sum("amount"))["t"]
        or ZERO
    )
    expected[(K.BANK_CLEARING, None)] += money_in - money_out
    expected[(K.UNALLOCATED, None)] -= (
        transfers_in.filter(payable__isnull=True).aggregate(t=Sum("amount"))["t"] or ZERO
    )
    expected[(K.PLATFORM_FEE_REVENUE, None)] -= (
        Settlement.objects.aggregate(t=Sum("platform_fee"))["t"] or ZERO
    )
    forfeited = (
        Deal.objects.filter(status=Deal.Status.DEFAULTED).aggregate(t=Sum("applied_deposit"))["t"] or ZERO
    )
    expected[(K.FORFEITS, None)] -= forfeited
    return expected


def _balance_problems() -> tuple[list[dict[str, Any]], int]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.kind, a.organization_id, coalesce(sum(e.amount), 0)
              FROM marketplace_ledgeraccount a LEFT JOIN marketplace_ledgerentry e ON e.account_id = a.id
             GROUP BY a.id
            """
        )
        actual = {(kind, org): total for kind, org, total in cursor.fetchall()}
    expected = _expected_balances()
    problems = []
    for key in sorted(set(actual) | set(expected), key=lambda k: (k[0], k[1] or 0)):
        if actual.get(key, ZERO) != expected.get(key, ZERO):
            problems.append(
                {
                    "check": "account_balance",
                    "account": key[0],
                    "organization": key[1],
                    "balance": str(actual.get(key, ZERO)),
                    "expected": str(expected.get(key, ZERO)),
                }
            )
    return problems, len(actual)


def ledger_check() -> dict[str, Any]:
    """Run every check in one snapshot; returns counts and mismatches (no writes)."""
    # Its own transaction gets a REPEATABLE READ snapshot; inside a caller's (tests) it reads as that one does.
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if own_transaction:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        mismatches = _journal_problems() + _payable_problems()
        balance_problems, accounts = _balance_problems()
        return {
            "mismatches": mismatches + balance_problems,
            "journals": Journal.objects.count(),
            "accounts": accounts,
            "payables": Payable.objects.count(),
        }


def ledger_reconcile() -> ReconciliationRun:
    """Record a reconciliation run; operators are told of any mismatch. Must not run inside another
    transaction (it takes its own snapshot)."""
    run = ReconciliationRun.objects.create(started_at=db_now())
    ReconciliationRunStatusChange.objects.create(run=run, to_status=run.status)
    outcome = ledger_check()
    mismatches = outcome["mismatches"]
    status_move(
        run,
        to_status=R.MISMATCH if mismatches else R.OK,
        transitions=RECONCILIATION_TRANSITIONS,
        noun=_("对账"),
        record=lambda **change: ReconciliationRunStatusChange.objects.create(run=run, **change),
        changes={
            "mismatches": mismatches,
            "journals_checked": outcome["journals"],
            "accounts_checked": outcome["accounts"],
            "payables_checked": outcome["payables"],
            "finished_at": db_now(),
        },
    )
    if run.mismatches:
        notify(
            operators=True,
            kind="reconciliation_mismatch",
            title=_("对账发现 %(n)s 处差异") % {"n": len(run.mismatches)},
            body="\n".join(str(m) for m in run.mismatches[:20]),
            link=reverse("marketplace:console_reconciliation"),
        )
    return run
