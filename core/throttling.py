"""The API's rate limits (DRF's ``anon`` and ``user`` scopes and rates), counted in Redis in one
round trip, failing open when Redis is away.

DRF's throttles keep, per client, the list of its request times in the cache: each request reads
the whole list and writes it back (two round trips, and a pickled list as long as the rate: at
6000/min a busy program's every request moved 6000 timestamps), and two requests at once could both
read the list before either wrote it, so one went uncounted. Here each client has a counter per
window of the rate's period (``INCR``, atomic), and the limit is checked against the sliding
estimate ``previous window x the part of it still inside the last period + this window``: one
pipelined round trip per request, whatever the rate (#17.1). A refused request is taken off its
count again, as DRF did not count it. ``Retry-After`` is the time until the estimate falls back
under the limit.

The anonymous limit is the address's; the user limit is only for signed-in users (DRF's
``UserRateThrottle`` also counted anonymous requests, by address, under the user rate, which is
the looser one: a second count of the same requests that could never refuse first).

A rate limit protects the market; it is not the market. With Redis down, DRF's own throttles
raise before the view runs and every API call fails; these let the request through instead and
say so in the log (once per ``QUIET_SECONDS`` per process, not once per request). For
``QUIET_SECONDS`` after a failure they do not try Redis at all, so a Redis that hangs instead of
refusing costs no request its socket timeout (DESIGN.md, "Faults").
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

import redis
from django.core.cache import cache
from rest_framework import throttling

log = logging.getLogger("market.throttling")

QUIET_SECONDS = 5.0
_down_until = 0.0


class CountedRateThrottle(throttling.SimpleRateThrottle):
    """DRF's ``SimpleRateThrottle`` (scope, rate, cache key) with its request list replaced by a
    counter per window; fails open."""

    num_requests: int
    duration: int

    def allow_request(self, request: Any, view: Any) -> bool:
        global _down_until
        if self.rate is None or time.monotonic() < _down_until:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        try:
            return self._counted()
        except (redis.RedisError, OSError) as exc:
            _down_until = time.monotonic() + QUIET_SECONDS
            log.warning(
                "rate limit not counted: the cache is unavailable; letting requests through",
                extra={"error": f"{exc.__class__.__name__}: {exc}", "quiet_seconds": QUIET_SECONDS},
            )
            return True

    def _counted(self) -> bool:
        self.now = self.timer()
        window = int(self.now // self.duration)
        this, last = cache.make_key(f"{self.key}:{window}"), cache.make_key(f"{self.key}:{window - 1}")
        # The cache's own Redis client and pool (Django's RedisCache; Sentinel-aware, short timeouts).
        client = cache._cache.get_client(this, write=True)  # type: ignore[attr-defined]
        pipe = client.pipeline(transaction=False)
        pipe.incr(this)
        pipe.expire(this, 2 * self.duration)
        pipe.get(last)
        count, _, before = pipe.execute()
        self.count, self.before = int(count), int(before or 0)
        self.inside = 1.0 - (self.now - window * self.duration) / self.duration  # of the last window
        if self.before * self.inside + self.count <= self.num_requests:
            return True
        client.decr(this)  # a refused request is not counted
        self.count -= 1
        return False

    def wait(self) -> float | None:
        """Seconds until one more request would be allowed (``Retry-After``): the last window's
        weight falls linearly to 0 over this one, and this one's count weighs in the next."""
        room = self.num_requests - 1 - self.count
        if room >= 0 and self.before:
            seconds = (self.inside - room / self.before) * self.duration
        else:  # this window is full: into the next, until its weight has fallen enough
            seconds = (
                self.inside + max(0.0, 1.0 - (self.num_requests - 1) / max(1, self.count))
            ) * self.duration
        return max(0.0, math.ceil(seconds * 1000) / 1000)


class AnonRateThrottle(CountedRateThrottle, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(CountedRateThrottle, throttling.UserRateThrottle):
    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None  # the anonymous rate counts these, by address
        return super().get_cache_key(request, view)
