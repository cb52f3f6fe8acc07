"""Periodic jobs of the portal (plain data; merged into CELERY_BEAT_SCHEDULE by settings)."""

BEAT_SCHEDULE = {
    # Risk alerts: every rule over the recent auctions, deals and questions; a repeat raises nothing twice.
    "portal.risk_scan": {"task": "portal.risk_scan", "schedule": 300.0},
}
