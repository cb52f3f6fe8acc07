"""Periodic jobs of auctions (merged into CELERY_BEAT_SCHEDULE by settings).

The sweep here is a backstop: the sweeper process (``auctions/sweeper.py``) is what closes on
time. A sweep not run within its period is dropped (``expires``), so a worker that was away
does not come back to a pile of them."""

BEAT_SCHEDULE = {
    "auctions-sweep": {"task": "auctions.sweep", "schedule": 15.0, "options": {"expires": 14.0}},
    "auctions-rescue-sweep": {"task": "auctions.rescue_sweep", "schedule": 300.0},
}
