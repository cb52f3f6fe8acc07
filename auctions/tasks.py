"""Thin, idempotent Celery tasks: each calls one service. Late, early or twice is harmless.

Nothing schedules ``auctions.start`` / ``auctions.close`` for a moment any more: the sweeper
(``auctions/sweeper.py``) starts and closes auctions by the database clock. The tasks remain for
callers that want one done now through a worker, and ``auctions.sweep`` is beat's backstop."""

from __future__ import annotations

from celery import shared_task

from .services import (
    auction_close,
    auction_start,
    auctions_sweep,
    best_offer_window_lapse,
    runner_up_offer_lapse,
)
from .services.outbid import auction_outbid_notify


@shared_task(name="auctions.start")
def auction_start_task(auction_id: int) -> None:
    auction_start(auction_id=auction_id)


@shared_task(name="auctions.close")
def auction_close_task(auction_id: int) -> None:
    """Close now if the end has passed (otherwise nothing: the sweeper closes it at its end)."""
    auction_close(auction_id=auction_id)


@shared_task(name="auctions.outbid", ignore_result=True)
def auction_outbid_task(auction_id: int, first_seq: int, last_seq: int) -> None:
    """Tell the organization that led before these bids that it was outbid."""
    auction_outbid_notify(auction_id=auction_id, first_seq=first_seq, last_seq=last_seq)


@shared_task(name="auctions.sweep")
def auctions_sweep_task() -> None:
    """Start and close whatever is due: the backstop should no sweeper run."""
    auctions_sweep()


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
