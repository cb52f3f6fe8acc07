"""Thin, idempotent Celery tasks: each calls one service. Late, early or twice is harmless."""

from __future__ import annotations

from celery import shared_task

from core.dbclock import db_now
from core.effects import enqueue

from .selectors import auctions_due_to_close, auctions_due_to_start
from .services import auction_close, auction_start


@shared_task(name="auctions.start")
def auction_start_task(auction_id: int) -> None:
    auction_start(auction_id=auction_id)


@shared_task(name="auctions.close")
def auction_close_task(auction_id: int) -> None:
    """Close at the end; if bids moved the end, come back then (the sweeper is the safety net)."""
    auction = auction_close(auction_id=auction_id)
    if not auction.is_final and not auction.close_blocked_code:
        enqueue(auction_close_task, auction_id, eta=auction.ends_at)


@shared_task(name="auctions.sweep")
def auctions_sweep_task() -> None:
    """Start and close whatever the scheduled tasks missed (a worker down, a lost message)."""
    now = db_now()
    for auction_id in auctions_due_to_start(now).values_list("id", flat=True):
        auction_start(auction_id=auction_id)
    for auction_id in auctions_due_to_close(now).values_list("id", flat=True):
        auction_close(auction_id=auction_id)
