"""Periodic jobs of auctions (merged into CELERY_BEAT_SCHEDULE by settings)."""

BEAT_SCHEDULE = {
    "auctions-sweep": {"task": "auctions.sweep", "schedule": 15.0},
    "auctions-rescue-sweep": {"task": "auctions.rescue_sweep", "schedule": 300.0},
}
