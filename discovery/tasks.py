"""Celery tasks of discovery: thin and idempotent, each calls one service."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="discovery.index_refresh")
def index_refresh_task() -> int:
    """Re-index achievements changed since their index row was written (idempotent)."""
    return services.achievement_index_refresh()


@shared_task(name="discovery.use_reports_open")
def use_reports_open_task() -> int:
    """Open (and remind of) the use reports whose deal anniversary came (idempotent)."""
    return services.use_reports_open()


@shared_task(name="discovery.subscriptions_send")
def subscriptions_send_task() -> int:
    """Batch new items to subscribers, each at most once a day (safe to run twice at once)."""
    return services.subscriptions_send()


@shared_task(name="discovery.publications_publish")
def publications_publish_task() -> int:
    """Publish the latest finished month, quarter and year once each (idempotent)."""
    return len(services.publications_publish())
