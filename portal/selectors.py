"""Reads of the portal: the operators' risk alerts."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import RiskAlert


def risk_alerts(*, status: str | None = None, rule: str | None = None) -> QuerySet[RiskAlert]:
    """Alerts, newest first; ``status`` and ``rule`` narrow them. The console tile counts the open ones."""
    alerts = RiskAlert.objects.prefetch_related("status_changes__actor").order_by("-id")
    if status:
        alerts = alerts.filter(status=status)
    if rule:
        alerts = alerts.filter(rule=rule)
    return alerts
