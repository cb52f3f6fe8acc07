"""Periodic jobs of listings (plain data; merged into CELERY_BEAT_SCHEDULE by settings).

Times are UTC (``CELERY_TIMEZONE``): 17:10 UTC is 01:10 in Hangzhou, just after the day turns
there, so the list reflects the new day before anyone looks at it.
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
}
