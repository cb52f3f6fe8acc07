"""Helpers of the fair-trade tests (issue #16)."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

from django.utils import timezone

from auctions.models import Auction
from marketplace.models import Deal, Payable


def end_now(auction: Auction) -> None:
    Auction.objects.filter(pk=auction.pk).update(ends_at=timezone.now() - timedelta(milliseconds=1))


def overdue(deal: Deal) -> None:
    """Move the deal's deadline into the past (as if the days had gone by)."""
    Deal.objects.filter(pk=deal.pk).update(
        concluded_at=deal.concluded_at - dt.timedelta(days=30),
        payment_due_at=deal.concluded_at - dt.timedelta(seconds=1),
    )
    Payable.objects.filter(pk=deal.payment_id).update(due_at=deal.concluded_at - dt.timedelta(seconds=1))
