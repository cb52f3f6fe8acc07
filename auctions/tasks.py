"""Thin, idempotent Celery tasks: each calls one service. Late, early or twice is harmless."""

from __future__ import annotations

from celery import shared_task

from .locks import db_now
from .selectors import auctions_due_to_start
from .services import auction_start


@shared_task(name="auctions.start")
def auction_start_task(auction_id: int) -> None:
    auction_start(auction_id=auction_id)


@shared_task(name="auctions.sweep")
def auctions_sweep_task() -> None:
    """Start and close whatever the scheduled tasks missed (a worker down, a lost message)."""
    now = db_now()
    for auction_id in auctions_due_to_start(now).values_list("id", flat=True):
        auction_start(auction_id=auction_id)
