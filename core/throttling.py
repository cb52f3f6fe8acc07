"""DRF's rate limits, failing open when their counters (the Redis cache) are away.

A rate limit protects the market; it is not the market. With Redis down, DRF's own throttles
raise before the view runs and every API call fails; these let the request through instead and
say so in the log (once per ``QUIET_SECONDS`` per process, not once per request). For
``QUIET_SECONDS`` after a failure they do not try Redis at all, so a Redis that hangs instead of
refusing costs no request its socket timeout (DESIGN.md, "Faults").
"""

from __future__ import annotations

import logging
import time
from typing import Any

import redis
from rest_framework import throttling

log = logging.getLogger("market.throttling")

QUIET_SECONDS = 5.0
_down_until = 0.0


class FailOpenMixin:
    def allow_request(self, request: Any, view: Any) -> bool:
        global _down_until
        if time.monotonic() < _down_until:
            return True
        try:
            return super().allow_request(request, view)  # type: ignore[misc]
        except (redis.RedisError, OSError) as exc:
            _down_until = time.monotonic() + QUIET_SECONDS
            log.warning(
                "rate limit not counted: the cache is unavailable; letting requests through",
                extra={"error": f"{exc.__class__.__name__}: {exc}", "quiet_seconds": QUIET_SECONDS},
            )
            return True


class AnonRateThrottle(FailOpenMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(FailOpenMixin, throttling.UserRateThrottle):
    pass
