"""Celery tasks of listings: thin and idempotent, each calls one service."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from .services.use_first import registration_overdue_run, use_first_listings_index, use_first_run


@shared_task(name="listings.use_first_run")
def use_first_run_task() -> dict[str, Any]:
    """The daily use-first job (先用后转): safe to run twice, or twice at once."""
    return use_first_run().as_dict()


@shared_task(name="listings.registration_overdue_run")
def registration_overdue_run_task() -> int:
    """The daily registration-duty job: announces newly overdue registrations once."""
    return registration_overdue_run().newly_overdue


@shared_task(name="listings.use_first_listings_index")
def use_first_listings_index_task() -> int:
    """Index the search vectors of the use-first listings the job opened without one."""
    return use_first_listings_index()
