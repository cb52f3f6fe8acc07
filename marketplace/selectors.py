"""Reads of the marketplace that are more than one obvious query."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from .models import LedgerAccount, LedgerEntry


def account_balance(account: LedgerAccount) -> Decimal:
    """The sum of the account's entries (debits positive): the only definition of a balance."""
    total = LedgerEntry.objects.filter(account=account).aggregate(total=Sum("amount"))["total"]
    return total if total is not None else Decimal("0.00")
