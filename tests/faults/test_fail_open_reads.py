"""A read that fails open answers at once while Redis is down (DESIGN.md, "Faults"): the watcher
count on the auction cards and in the room is not worth a slow page, so with a real redis-server
stopped the pages answer "—" as fast as with Redis up, not after a client's retries and back-off.

redis-py 8's ``Redis(host, port)`` retries a refused connection three times with exponential
back-off (~4 s); the market's clients are built from a URL and a pool (``core.redis_clients``),
whose connections try once, and ``auctions.events`` says so explicitly. Before: the test of this
answer used a ``Redis(port=1)`` of its own and took 4.4 s.
"""

from __future__ import annotations

import time

import pytest
from django.test import Client

from auctions import events
from tests.factories import open_auction, registered_bidder

# Well under the ~4 s of retries with back-off, well over a page's own time on a loaded machine.
FAST = 1.0


@pytest.mark.django_db
def test_without_redis_the_watcher_count_reads_a_dash_at_once(private_redis, settings, monkeypatch):
    settings.REDIS_URL = private_redis.url
    # the cache too (the throttles' counters, which fail open as well): all of Redis is down
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": private_redis.url}}
    monkeypatch.setattr(events, "_news", None)  # the process's news client, made again on this Redis
    monkeypatch.setattr(events, "_down_until", 0.0)
    auction = open_auction(started=True)
    registered_bidder(auction)
    events._client().hset(events.watchers_key(auction.pk), "a-process", events.watchers_entry(3, time.time()))
    assert "1 家已登记 · 3 人在看" in Client().get("/auctions/").content.decode()

    private_redis.kill()
    started = time.monotonic()
    cards = Client().get("/auctions/").content.decode()
    cards_took = time.monotonic() - started
    assert "1 家已登记 · — 人在看" in cards
    monkeypatch.setattr(events, "_down_until", 0.0)  # the room page asks Redis again, not the pause
    started = time.monotonic()
    room = Client().get(f"/auctions/{auction.pk}/").content.decode()
    room_took = time.monotonic() - started
    assert 'data-testid="watchers">—</span> 人在看' in room
    assert cards_took < FAST and room_took < FAST, (cards_took, room_took)
