"""Celery tasks: thin and idempotent; each calls a service, one transaction per item, so one
failing item does not hold back the others and a second run finds nothing left to do."""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import shared_task

log = logging.getLogger("market.marketplace")


def _each(ids: list[int], act: Callable[[int], bool]) -> int:
    done = 0
    for pk in ids:
        try:
            done += bool(act(pk))
        except Exception:  # one bad item must not stop the sweep; it is retried next run
            log.exception("marketplace job failed on item %s", pk)
    return done


@shared_task(name="marketplace.deals_default_overdue")
def deals_default_overdue() -> int:
    """Default every deal unpaid at its ``payment_due_at``."""
    from .models import Deal
    from .services.defaults import deal_default, deals_overdue_ids

    return _each(
        deals_overdue_ids(), lambda pk: deal_default(deal=Deal(pk=pk)).status == Deal.Status.DEFAULTED
    )


@shared_task(name="marketplace.notices_conclude_due")
def notices_conclude_due() -> int:
    """Make the deal of every public notice that ended with no pending or upheld objection."""
    from .models import PublicNotice
    from .services.negotiation import notice_conclude, notices_due_ids

    return _each(
        notices_due_ids(),
        lambda pk: notice_conclude(notice=PublicNotice(pk=pk)).status == PublicNotice.Status.CONCLUDED,
    )


@shared_task(name="marketplace.fixed_price_resolve_due")
def fixed_price_resolve_due() -> int:
    """Resolve every fixed-price listing whose period has ended (expired, deal or contested)."""
    from listings.models import Listing

    from .services.intents import fixed_price_due_ids, fixed_price_resolve

    return _each(fixed_price_due_ids(), lambda pk: fixed_price_resolve(listing=Listing(pk=pk)) is not None)


@shared_task(name="marketplace.ledger_reconcile", acks_late=False)  # daily; may run long
def ledger_reconcile() -> int:
    """The daily reconciliation; returns the number of mismatches (also recorded and notified)."""
    from .services.reconciliation import ledger_reconcile as run

    return run().mismatch_count
