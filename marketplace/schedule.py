"""Periodic jobs of the marketplace (merged into CELERY_BEAT_SCHEDULE by settings). Each is a
sweeper over rows whose moment has come by the database clock, so a late or repeated run is harmless."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "marketplace.deals_default_overdue": {"task": "marketplace.deals_default_overdue", "schedule": 300.0},
    "marketplace.notices_conclude_due": {"task": "marketplace.notices_conclude_due", "schedule": 60.0},
    "marketplace.fixed_price_resolve_due": {"task": "marketplace.fixed_price_resolve_due", "schedule": 60.0},
    # 02:30 Asia/Shanghai (Celery runs on UTC).
    "marketplace.ledger_reconcile": {
        "task": "marketplace.ledger_reconcile",
        "schedule": crontab(hour=18, minute=30),
    },
}
