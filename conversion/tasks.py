"""Celery tasks of the conversion duty: thin and idempotent, each calls one service. The task
names are the ones they had before the move (beat's rows and queued messages carry them)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from . import services


@shared_task(name="listings.use_first_run", acks_late=False)  # may outlast the visibility timeout
def use_first_run_task() -> dict[str, Any]:
    """The daily use-first job (先用后转): safe to run twice, or twice at once."""
    return services.use_first_run().as_dict()


@shared_task(name="listings.registration_overdue_run", acks_late=False)  # daily; may run long
def registration_overdue_run_task() -> int:
    """The daily registration-duty job: announces newly overdue registrations once."""
    return services.registration_overdue_run().newly_overdue


@shared_task(name="marketplace.use_first_applications_escalate")
def use_first_applications_escalate_task() -> int:
    """Use-first applications unanswered by their ``respond_by`` go to the operators (idempotent)."""
    return services.use_first_applications_escalate()


@shared_task(name="marketplace.use_first_agreements_remind")
def use_first_agreements_remind_task() -> int:
    """Remind both parties before a use-first agreement's decision date (each once)."""
    return services.use_first_agreements_remind()


@shared_task(name="marketplace.use_first_agreements_report_lapsed")
def use_first_agreements_report_lapsed_task() -> int:
    """Operators hear once of each use-first agreement whose decision date passed undecided."""
    return services.use_first_agreements_report_lapsed()
