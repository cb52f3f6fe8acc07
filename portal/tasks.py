"""Periodic jobs of the portal: thin, idempotent, each calls one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="portal.risk_scan")
def risk_scan_task() -> int:
    from .risk import risk_scan

    return len(risk_scan())
