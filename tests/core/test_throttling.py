"""The API's rate limits (``core.throttling``, #17.1): a counter per window in Redis, one round trip
per request whatever the rate, atomic under concurrent requests, the last window weighed in; the
user rate counts signed-in users only."""

from __future__ import annotations

import threading

import pytest
from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from core.throttling import AnonRateThrottle, UserRateThrottle
from tests.conftest import throttle_counters_clear
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean():  # type: ignore[no-untyped-def]
    throttle_counters_clear()
    yield
    throttle_counters_clear()


def _request(user=None, address="10.0.0.7") -> Request:  # type: ignore[no-untyped-def]
    request = Request(APIRequestFactory().get("/api/v1/me/", REMOTE_ADDR=address))
    if user is not None:
        request.user = user
    else:
        from django.contrib.auth.models import AnonymousUser

        request.user = AnonymousUser()
    return request


def _throttle(cls, rate: str, at: float | None = None):  # type: ignore[no-untyped-def]
    throttle = cls()
    throttle.rate = rate
    throttle.num_requests, throttle.duration = throttle.parse_rate(rate)
    if at is not None:
        throttle.timer = lambda: at
    return throttle


def _stored() -> dict[str, bytes]:
    """This process's throttle keys (parallel workers share the Redis database, each under its own
    key prefix)."""
    client = cache._cache.get_client(write=False)
    return {k.decode(): client.get(k) for k in client.scan_iter(match=cache.make_key("throttle_*"))}


def test_a_busy_clients_count_stays_one_small_number_per_window():
    """DRF kept the list of a client's request times and moved it to and fro on every request (at
    6000/min, 6000 timestamps a request)."""
    user = UserFactory()
    for _ in range(300):
        assert _throttle(UserRateThrottle, "6000/min").allow_request(_request(user), None)
    stored = _stored()
    assert list(stored.values()) == [b"300"], stored


def test_requests_at_once_are_each_counted():
    """``INCR`` is atomic: DRF read the list and wrote it back, so requests at once went uncounted."""
    user = UserFactory()
    start = threading.Barrier(20, timeout=10)
    allowed = []

    def one() -> None:
        throttle = _throttle(UserRateThrottle, "10/min")
        start.wait()
        allowed.append(throttle.allow_request(_request(user), None))

    threads = [threading.Thread(target=one) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(allowed) == [False] * 10 + [True] * 10


def test_the_last_window_weighs_in_and_retry_after_says_when():
    user = UserFactory()
    base = 1_000_000 * 60.0  # a window's start
    for _ in range(10):
        assert _throttle(UserRateThrottle, "10/min", at=base + 59).allow_request(_request(user), None)
    refused = _throttle(UserRateThrottle, "10/min", at=base + 59)
    assert not refused.allow_request(_request(user), None)
    # In the next window the last one still weighs almost whole: 10 x 59/60 + 1 > 10.
    early = _throttle(UserRateThrottle, "10/min", at=base + 61)
    assert not early.allow_request(_request(user), None)
    assert early.wait() == pytest.approx(5.0, abs=0.01)  # at +66 s it weighs 9: 9 + 1 <= 10
    assert not _throttle(UserRateThrottle, "10/min", at=base + 65.9).allow_request(_request(user), None)
    assert _throttle(UserRateThrottle, "10/min", at=base + 66.1).allow_request(_request(user), None)
    # A refused request is not counted: only the one at +66.1 is in this window.
    assert int(cache._cache.get_client().get(cache.make_key(f"throttle_user_{user.pk}:{1_000_001}"))) == 1


def test_a_full_window_says_retry_into_the_next():
    user = UserFactory()
    base = 2_000_000 * 60.0
    for _ in range(10):
        assert _throttle(UserRateThrottle, "10/min", at=base + 30).allow_request(_request(user), None)
    refused = _throttle(UserRateThrottle, "10/min", at=base + 30)
    assert not refused.allow_request(_request(user), None)
    # 30 s left of this window, then 10 x (1 - g) + 1 <= 10 from g = 0.1: 6 s into the next.
    assert refused.wait() == pytest.approx(36.0, abs=0.01)


def test_anonymous_requests_count_under_the_anonymous_rate_only():
    assert _throttle(UserRateThrottle, "6000/min").allow_request(_request(), None)
    assert _throttle(AnonRateThrottle, "600/min").allow_request(_request(), None)
    assert _throttle(AnonRateThrottle, "600/min").allow_request(_request(UserFactory()), None)
    assert [k.split("throttle_", 1)[1].split(":")[0] for k in _stored()] == ["anon_10.0.0.7"]
