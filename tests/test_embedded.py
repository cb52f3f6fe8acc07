"""The embedded Redis (config.embedded, used when REDIS_URL is unset): each launcher gets a server
of its own that answers on the URL it is given, even when another embedded Redis is running."""

from __future__ import annotations

import os
import signal
import time

import pytest
import redis

from config import embedded
from config.embedded import start_redis


@pytest.fixture
def own_servers():
    """Stop the servers this test started (else they stop noisily at interpreter exit)."""
    before = len(embedded._handles.get("redis", []))
    yield
    for server in embedded._handles.get("redis", [])[before:]:
        # SIGTERM, not SHUTDOWN: redis-py retries a command whose connection drops, and SHUTDOWN's
        # always does, so ``server.shutdown()`` slept through ten back-offs (~4 s) per server.
        # Stopped once its pid file is gone (``server.pid`` reads it; a daemon's exited process may
        # linger as a zombie where nothing reaps it).
        os.kill(server.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while server.pid and time.monotonic() < deadline:
            time.sleep(0.02)
    del embedded._handles.get("redis", [])[before:]


def test_two_launchers_each_get_a_redis_that_answers_on_its_url(own_servers):
    first, second = start_redis(), start_redis()
    assert first != second
    for url in (first, second):
        client = redis.Redis.from_url(url)
        assert client.ping()
    redis.Redis.from_url(first).set("embedded-check", "1")
    assert redis.Redis.from_url(second).get("embedded-check") is None  # not the same server
