"""Celery tasks: thin and idempotent; each calls services, one transaction per item."""

from __future__ import annotations

import logging

from celery import shared_task

log = logging.getLogger("market.marketplace")


@shared_task(name="marketplace.deals_default_overdue")
def deals_default_overdue() -> int:
    """Default every deal unpaid at its ``payment_due_at``. Safe to run twice or concurrently:
    ``deal_default`` re-checks each deal under its lock."""
    from .services.defaults import deal_default, deals_overdue_ids

    done = 0
    for deal_id in deals_overdue_ids():
        from .models import Deal

        if deal_default(deal=Deal(pk=deal_id)).status == Deal.Status.DEFAULTED:
            done += 1
    return done
