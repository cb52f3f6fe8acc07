"""Issue 14 item 14: how many watch the live room now and how many registered, in the room (page
and WebSocket state) and on the auction cards; the watcher count fails open to "—" without Redis
(against a real redis-server stopped: tests/faults/test_fail_open_reads.py; a count whole again
after Redis comes back empty: tests/faults/test_redis_outage.py).

#17.2, found at 10,000 watchers (``bench/watchers.py``): each join and leave wrote the count with a
Redis call of its own, so a burst of joins opened a connection per socket (2,500 in a process) and
connections timed out ("live room watchers not counted"); a join or leave not counted was lost
for good. Now a process writes its own exact count (``auctions.events``), its writes grouped."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.test import Client

from auctions import events
from auctions.room import get_hub
from config.asgi import application
from tests.factories import open_auction, registered_bidder

ORIGIN = (b"origin", b"http://testserver")


@database_sync_to_async
def make_auction():
    auction = open_auction(started=True)
    registered_bidder(auction)
    registered_bidder(auction)
    return auction


async def connect(auction_id: int) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, f"/ws/auctions/{auction_id}/", headers=[ORIGIN])
    connected, _ = await communicator.connect(timeout=10)
    assert connected
    return communicator


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_each_connected_watcher_is_counted_in_the_state_and_registrations_are_shown():
    auction = await make_auction()
    one = await connect(auction.pk)
    first = json.loads(await one.receive_from(timeout=5))
    assert first["type"] == "snapshot" and first["watchers"] == 1 and first["registered"] == 2
    two = await connect(auction.pk)
    second = json.loads(await two.receive_from(timeout=5))
    assert second["watchers"] == 2 and second["registered"] == 2
    # Pages read the same count, across processes, from Redis.
    assert await database_sync_to_async(events.watchers_counts)([auction.pk]) == {auction.pk: 2}
    await two.disconnect()
    await one.disconnect()
    assert await database_sync_to_async(events.watchers_counts)([auction.pk]) == {auction.pk: 0}


@pytest.mark.django_db
def test_room_page_and_cards_show_registrations_and_watchers():
    auction = open_auction(started=True)
    registered_bidder(auction)
    registered_bidder(auction)
    events._client().hset(
        events.watchers_key(auction.pk), "another-process", events.watchers_entry(3, time.time())
    )
    try:
        room = Client().get(f"/auctions/{auction.pk}/").content.decode()
        assert 'data-testid="registered">2</span> 家已登记' in room
        assert 'data-testid="watchers">3</span> 人在看' in room
        cards = Client().get("/auctions/").content.decode()
        assert "2 家已登记 · 3 人在看" in cards
    finally:
        events._client().delete(events.watchers_key(auction.pk))


@pytest.mark.django_db
def test_room_draws_the_price_over_time_one_point_per_bid():
    from auctions.services import bid_place

    auction = open_auction(started=True)
    alice, _ = registered_bidder(auction)
    bob, _ = registered_bidder(auction)
    for user, amount in ((alice, "1000.00"), (bob, "1100.00"), (alice, "1200.00")):
        bid_place(auction_id=auction.pk, user=user, amount=amount, key=f"k{amount}")
    room = Client().get(f"/auctions/{auction.pk}/").content.decode()
    svg = room.split('data-testid="line-chart"', 1)[1].split("</svg>", 1)[0]
    assert svg.count("data-point") == 3 and "<polyline" in svg
    assert "¥1,200.00" in svg and "<script" not in svg and "style=" not in svg


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_burst_of_joins_is_counted_whole_over_a_few_redis_connections():
    auction = await make_auction()
    sockets = await asyncio.gather(*(connect(auction.pk) for _ in range(120)))
    firsts = [json.loads(await s.receive_from(timeout=10)) for s in sockets]
    assert all(1 <= f["watchers"] <= 120 for f in firsts)
    assert max(f["watchers"] for f in firsts) == 120  # the last to join was told every one
    assert await database_sync_to_async(events.watchers_counts)([auction.pk]) == {auction.pk: 120}
    # The writes went out grouped: not a connection per joining socket.
    (count, _attributes), *_ = get_hub().counts.client.connection_pool.get_connection_count()
    assert count <= 2, count  # one write in flight at a time: one connection
    await asyncio.gather(*(s.disconnect() for s in sockets[:70]))
    assert await database_sync_to_async(events.watchers_counts)([auction.pk]) == {auction.pk: 50}
    await asyncio.gather(*(s.disconnect() for s in sockets[70:]))
    assert await database_sync_to_async(events.watchers_counts)([auction.pk]) == {auction.pk: 0}


@pytest.mark.django_db
def test_a_count_no_process_has_refreshed_for_a_while_is_not_counted():
    """A process killed with watchers in its rooms never takes them off: its entry stops being
    refreshed and stops counting after ``WATCHERS_STALE_SECONDS``, not after the key's hours."""
    auction = open_auction(started=True)
    key = events.watchers_key(auction.pk)
    now = time.time()
    events._client().hset(key, "alive", events.watchers_entry(4, now - 5))
    events._client().hset(key, "killed", events.watchers_entry(7, now - events.WATCHERS_STALE_SECONDS - 1))
    try:
        assert events.watchers_counts([auction.pk]) == {auction.pk: 4}
    finally:
        events._client().delete(key)
