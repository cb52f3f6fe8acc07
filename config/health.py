"""``GET /healthz``: the database, Redis and the Celery broker, each ``ok`` or the error.

The database is the truth: without it the host cannot serve, and ``/healthz`` answers 503
(``status: error``) so the load balancer takes the host out. Redis (the cache, the live room's
news) and the broker are news and queues: without them the host still serves reads and bids, so
``/healthz`` answers 200 with ``status: degraded`` and names what is degraded and what that means
(DESIGN.md, "Faults").
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse

# What a missing dependency costs while it is away.
DEGRADED_MEANS = {
    "redis": "rate limits are not counted; the live room follows the database (events every ~2 s)",
    "broker": "background jobs wait until it returns; auctions still start and close (the sweeper)",
}


def _check(fn) -> tuple[str, float]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    try:
        fn()
        result = "ok"
    except Exception as exc:  # noqa: BLE001 - the report is the point
        result = f"error: {exc.__class__.__name__}: {exc}"
    return result, round((time.perf_counter() - started) * 1000, 1)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _redis() -> None:
    cache.set("healthz", "1", 5)
    if cache.get("healthz") != "1":
        raise RuntimeError("cache round trip failed")


def _broker() -> None:
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)


def healthz(request: HttpRequest) -> JsonResponse:
    checks = {
        name: _check(fn) for name, fn in (("database", _database), ("redis", _redis), ("broker", _broker))
    }
    degraded = [name for name in ("redis", "broker") if checks[name][0] != "ok"]
    status = ("degraded" if degraded else "ok") if checks["database"][0] == "ok" else "error"
    body = {
        "status": status,
        "checks": {name: {"status": result, "ms": ms} for name, (result, ms) in checks.items()},
        "degraded": degraded,
        "degraded_means": {name: DEGRADED_MEANS[name] for name in degraded},
        "broker_url": settings.CELERY_BROKER_URL.split("@")[-1],
    }
    return JsonResponse(body, status=503 if status == "error" else 200)
