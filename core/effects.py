"""After-commit effects through one helper (CONVENTIONS.md, "Concurrency and effects").

Broadcasts, task enqueues and e-mails happen only once the transaction that caused them has
committed, and never while a row lock is held over network I/O.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

log = logging.getLogger("market.effects")


def after_commit(func: Callable[[], Any]) -> None:
    """Run ``func`` after the current transaction commits (at once outside one).

    ``robust``: a failing effect is logged and does not break the other effects of the commit;
    whatever it announces is already true in the database, and readers can reload it.
    """
    transaction.on_commit(func, robust=True)


def enqueue(task: Any, *args: Any, eta: Any = None, **kwargs: Any) -> None:
    """Send a Celery task after commit, optionally for a moment (``eta``, an aware datetime).

    ``task`` is the task itself or its registered name (``"auctions.close"``): a service schedules
    its app's tasks by name, so that the tasks module may import the services and not the reverse
    (no import circle; the name is the task's contract)."""

    def send() -> None:
        if isinstance(task, str):
            from celery import current_app

            current_app.send_task(task, args=args, kwargs=kwargs, eta=eta)
        else:
            task.apply_async(args=args, kwargs=kwargs, eta=eta)

    after_commit(send)
