"""Periodic jobs of discovery (plain data; merged into CELERY_BEAT_SCHEDULE by settings). Times UTC."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Matching reads the achievement index: at most a minute behind the achievements.
    "discovery.index_refresh": {"task": "discovery.index_refresh", "schedule": 60.0},
}

__all__ = ["BEAT_SCHEDULE", "crontab"]
