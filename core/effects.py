"""After-commit effects through one helper (CONVENTIONS.md, "Concurrency and effects").

Broadcasts, task enqueues and e-mails happen only once the transaction that caused them has
committed, and never while a row lock is held over network I/O.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

log = logging.getLogger("market.effects")


def after_commit(func: Callable[[], Any]) -> None:
    """Run ``func`` after the current transaction commits (at once outside one).

    ``robust``: a failing effect is logged and does not break the other effects of the commit;
    whatever it announces is already true in the database, and readers can reload it.
    """
    transaction.on_commit(func, robust=True)


def eta_horizon_seconds() -> float:
    """How far ahead a task may be sent for a moment: half the broker's visibility timeout.

    Redis (kombu) hands a task that stayed unacknowledged longer than the visibility timeout to
    another worker, and a task waiting for its ``eta`` is unacknowledged all that time: one sent
    for a later moment would come back again and again, piling up copies in the workers."""
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
    return float(options.get("visibility_timeout", 3600)) / 2


def enqueue(task: Any, *args: Any, eta: Any = None, **kwargs: Any) -> None:
    """Send a Celery task after commit, optionally for a moment (``eta``, an aware datetime).

    ``task`` is the task itself or its registered name (``"auctions.close"``): a service schedules
    its app's tasks by name, so that the tasks module may import the services and not the reverse
    (no import circle; the name is the task's contract).

    A moment further away than ``eta_horizon_seconds()`` is not sent at all: it is kept in the
    database, and the periodic sweep that reads it there does the work when it comes (auctions'
    starts and ends: the sweeper; best-offer windows and runner-up offers: ``auctions.rescue_sweep``).
    Every task sent with an ``eta`` must have such a sweep."""
    if eta is not None and (eta - timezone.now()).total_seconds() > eta_horizon_seconds():
        log.info("task left to its sweep", extra={"task": str(getattr(task, "name", task)), "eta": str(eta)})
        return

    def send() -> None:
        if isinstance(task, str):
            from celery import current_app

            current_app.send_task(task, args=args, kwargs=kwargs, eta=eta)
        else:
            task.apply_async(args=args, kwargs=kwargs, eta=eta)

    after_commit(lambda: broker_send(send, what=str(getattr(task, "name", task))))


BROKER_QUIET_SECONDS = 5.0
_broker_down_until = 0.0


def broker_send(send: Callable[[], Any], *, what: str) -> None:
    """Send to the broker unless it failed a moment ago; a failure is logged, never raised.

    Effects run in the request that committed (a bid's, say): with Redis away, each send would
    cost that request the broker's connect timeout. After a failure, sends are skipped for
    ``BROKER_QUIET_SECONDS``; what they announced is in the database, and the sweeps find it."""
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        log.info("task not sent: the broker failed a moment ago", extra={"task": what})
        return
    try:
        send()
    except Exception as exc:  # noqa: BLE001 - the commit stands; the log says what was not sent
        _broker_down_until = time.monotonic() + BROKER_QUIET_SECONDS
        log.warning("task not sent: broker unavailable", extra={"task": what, "error": str(exc)})
