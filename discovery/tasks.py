"""Celery tasks of discovery: thin and idempotent, each calls one service."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="discovery.index_refresh")
def index_refresh_task() -> int:
    """Re-index achievements changed since their index row was written (idempotent)."""
    return services.achievement_index_refresh()
