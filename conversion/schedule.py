"""Periodic jobs of the conversion duty (plain data; merged into CELERY_BEAT_SCHEDULE by settings).

Times are UTC (``CELERY_TIMEZONE``): 17:10 UTC is 01:10 in Hangzhou, just after the day turns
there, so the list reflects the new day before anyone looks at it. Names as before the move.
"""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "listings.use_first_run": {
        "task": "listings.use_first_run",
        "schedule": crontab(minute=10, hour=17),
    },
    "listings.registration_overdue_run": {
        "task": "listings.registration_overdue_run",
        "schedule": crontab(minute=20, hour=17),
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
