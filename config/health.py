"""``GET /healthz``: the database, Redis and the Celery broker, each ``ok`` or the error."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse


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
        conn.ensure_connection(max_retries=1, timeout=2)


def healthz(request: HttpRequest) -> JsonResponse:
    checks = {
        name: _check(fn) for name, fn in (("database", _database), ("redis", _redis), ("broker", _broker))
    }
    healthy = all(result == "ok" for result, _ms in checks.values())
    body = {
        "status": "ok" if healthy else "error",
        "checks": {name: {"status": result, "ms": ms} for name, (result, ms) in checks.items()},
        "broker_url": settings.CELERY_BROKER_URL.split("@")[-1],
    }
    return JsonResponse(body, status=200 if healthy else 503)
