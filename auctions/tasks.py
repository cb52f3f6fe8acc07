"""Thin, idempotent Celery tasks: each calls one service. Late, early or twice is harmless.

Nothing schedules ``auctions.start`` / ``auctions.close`` for a moment any more: the sweeper
(``auctions/sweeper.py``) starts and closes auctions by the database clock. The tasks remain for
callers that want one done now through a worker, and ``auctions.sweep`` is beat's backstop."""

from __future__ import annotations

from celery import shared_task

from .services import auction_close, auction_start, auctions_sweep
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
