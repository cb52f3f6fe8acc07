"""Thin, idempotent Celery tasks: each calls one service. Late, early or twice is harmless."""

from __future__ import annotations

from celery import shared_task

from core.dbclock import db_now
from core.effects import enqueue

from .selectors import auctions_due_to_close, auctions_due_to_start
from .services import auction_close, auction_start, best_offer_window_lapse, runner_up_offer_lapse


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


@shared_task(name="auctions.best_offer_lapse")
def best_offer_lapse_task(window_id: int) -> None:
    best_offer_window_lapse(window_id=window_id)


@shared_task(name="auctions.runner_up_lapse")
def runner_up_lapse_task(offer_id: int) -> None:
    runner_up_offer_lapse(offer_id=offer_id)


@shared_task(name="auctions.rescue_sweep")
def rescue_sweep_task() -> None:
    """Lapse best-offer windows and runner-up offers whose tasks were missed."""
    from .services.rescue import best_offer_windows_due_ids, runner_up_offers_due_ids

    for window_id in best_offer_windows_due_ids():
        best_offer_window_lapse(window_id=window_id)
    for offer_id in runner_up_offers_due_ids():
        runner_up_offer_lapse(offer_id=offer_id)
