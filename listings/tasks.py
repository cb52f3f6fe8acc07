"""Celery tasks of listings: thin and idempotent, each calls one service."""

from __future__ import annotations

from celery import shared_task

from .services.bulk import INDEX_TASK, listings_index_missing


@shared_task(name=INDEX_TASK, acks_late=False)  # a bulk publish's index may outlast the visibility timeout
def listings_index_missing_task() -> int:
    """Index the search vectors of the platform's listings published in bulk without one."""
    return listings_index_missing()
