"""Periodic jobs of the marketplace (merged into CELERY_BEAT_SCHEDULE by settings)."""

BEAT_SCHEDULE = {
    "marketplace.deals_default_overdue": {"task": "marketplace.deals_default_overdue", "schedule": 300.0},
}
