"""Periodic jobs of discovery (plain data; merged into CELERY_BEAT_SCHEDULE by settings). Times UTC."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Matching reads the achievement index: at most a minute behind the achievements.
    "discovery.index_refresh": {"task": "discovery.index_refresh", "schedule": 60.0},
    # Use reports: opened and reminded daily at 09:30 in Hangzhou (01:30 UTC).
    "discovery.use_reports_open": {
        "task": "discovery.use_reports_open",
        "schedule": crontab(minute=30, hour=1),
    },
}

__all__ = ["BEAT_SCHEDULE", "crontab"]
