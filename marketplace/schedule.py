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
    # Use-first (先用后转): escalate unanswered applications hourly; decision reminders daily at
    # 09:00 in Hangzhou (01:00 UTC).
    "marketplace.use_first_applications_escalate": {
        "task": "marketplace.use_first_applications_escalate",
        "schedule": 3600.0,
    },
    "marketplace.use_first_agreements_remind": {
        "task": "marketplace.use_first_agreements_remind",
        "schedule": crontab(minute=0, hour=1),
    },
    # The morning after a decision date passed undecided, operators hear of it once (09:05 Hangzhou).
    "marketplace.use_first_agreements_report_lapsed": {
        "task": "marketplace.use_first_agreements_report_lapsed",
        "schedule": crontab(minute=5, hour=1),
    },
}
