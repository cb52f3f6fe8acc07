"""The live room against a real uvicorn process, with a real WebSocket client (``websockets``).

``LiveClient`` does what API.md asks of a client: apply the snapshot, apply each ``bid`` whose seq
is one more than the last, and on a gap reload the snapshot (here: by reconnecting)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import websockets
from channels.db import database_sync_to_async

from accounts.services import api_token_create
from auctions.models import Auction
from auctions.services import bid_place, proxy_bid_set
from tests.factories import OrganizationFactory, member_of, open_auction, registered_bidder

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


class LiveClient:
    def __init__(self, base_url: str, auction_id: int, token: str | None = None, drop_every: int = 0) -> None:
        self.ws_url = base_url.replace("http", "ws") + f"/ws/auctions/{auction_id}/"
        self.headers = {"Origin": base_url}
        if token:
            self.headers["Authorization"] = f"Token {token}"
        self.drop_every = drop_every
        self.seq = -1
        self.price: str | None = None
        self.status: str | None = None
        self.events: list[tuple[str, int, Any]] = []
        self.replies: list[dict] = []
        self.resyncs = 0
        self._received = 0
        self.ws: Any = None

    async def open(self) -> None:
        self.ws = await websockets.connect(self.ws_url, additional_headers=self.headers)
        self.apply(json.loads(await self.ws.recv()))

    def apply(self, m: dict) -> bool:
        """Apply one message; False when it shows a gap (the caller resyncs)."""
        assert "server_time" in m, m
        if m["type"] == "snapshot":
            self.seq, self.price = m["auction"]["bid_count"], m["auction"]["current_price"]
            self.status = m["auction"]["status"]
        elif m["type"] == "bid":
            if m["seq"] <= self.seq:
                return True
            if m["seq"] != self.seq + 1:
                return False
            self.seq, self.price = m["seq"], m["amount"]
            self.events.append(("bid", m["seq"], m["amount"]))
        elif m["type"] in ("extended", "closed"):
            if m["seq"] > self.seq:
                return False
            self.events.append((m["type"], m["seq"], m.get("ends_at") or m.get("status")))
        elif m["type"].startswith("bid."):
            self.replies.append(m)
        return True

    async def pump_until(self, predicate, timeout: float = 10) -> None:
        async def run() -> None:
            while not predicate(self):
                m = json.loads(await self.ws.recv())
                self._received += 1
                if self.drop_every and m["type"] == "bid" and self._received % self.drop_every == 0:
                    m = None  # lost on the way
                if m is not None and not self.apply(m):
                    self.resyncs += 1
                    await self.ws.close()
                    await self.open()

        await asyncio.wait_for(run(), timeout)

    async def close(self) -> None:
        await self.ws.close()


@database_sync_to_async
def setup_auction(**kwargs):
    auction = open_auction(started=True, **kwargs)
    people = [registered_bidder(auction) for _ in range(3)]
    tokens = [api_token_create(user=u)[1] for u, _ in people]
    return auction, people, tokens


async def test_two_clients_same_events_same_order_and_a_lossy_client_resyncs(live_server_url):
    auction, people, tokens = await setup_auction(ends_in=3600)
    one, two = LiveClient(live_server_url, auction.pk), LiveClient(live_server_url, auction.pk)
    lossy = LiveClient(live_server_url, auction.pk, drop_every=3)
    for c in (one, two, lossy):
        await c.open()
    (alice, _), (bob, _), _ = people
    for i in range(12):
        await database_sync_to_async(bid_place)(
            auction_id=auction.pk, user=(alice, bob)[i % 2], amount=str(1000 + 100 * i)
        )
        await asyncio.sleep(0.3)  # paced: each watcher gets every event, not a coalesced snapshot
    for c in (one, two, lossy):
        await c.pump_until(lambda c: c.seq == 12)
        assert c.price == "2100.00"
    assert one.events == two.events
    assert [e[1] for e in one.events if e[0] == "bid"] == list(range(1, 13))
    assert lossy.resyncs >= 1
    for c in (one, two, lossy):
        await c.close()


async def test_burst_converges_every_watcher_on_the_committed_price(live_server_url):
    auction, people, tokens = await setup_auction(ends_in=3600)
    watchers = [LiveClient(live_server_url, auction.pk) for _ in range(5)]
    for c in watchers:
        await c.open()
    (alice, _), (bob, _), _ = people

    def burst() -> None:
        for i in range(60):
            bid_place(auction_id=auction.pk, user=(alice, bob)[i % 2], amount=str(1000 + 100 * i))

    await database_sync_to_async(burst)()
    for c in watchers:
        await c.pump_until(lambda c: c.seq == 60)
        assert c.price == "6900.00"
    for c in watchers:
        await c.close()


async def test_bidding_over_a_real_socket(live_server_url):
    auction, people, tokens = await setup_auction(ends_in=120, extension_seconds=300)
    (alice, a), (bob, b), _ = people
    bidder = LiveClient(live_server_url, auction.pk, token=tokens[0])
    stranger_token = await database_sync_to_async(
        lambda: api_token_create(user=member_of(OrganizationFactory()))[1]
    )()
    stranger = LiveClient(live_server_url, auction.pk, token=stranger_token)
    watcher = LiveClient(live_server_url, auction.pk)
    for c in (bidder, stranger, watcher):
        await c.open()
    await stranger.ws.send(json.dumps({"type": "bid", "amount": "1000.00", "key": "s1"}))
    await stranger.pump_until(lambda c: c.replies)
    assert stranger.replies[0]["type"] == "bid.rejected" and stranger.replies[0]["code"] == "not_registered"
    await bidder.ws.send(json.dumps({"type": "bid", "amount": "1000.00", "key": "b1"}))
    await bidder.pump_until(lambda c: c.replies)
    assert bidder.replies[0] == {**bidder.replies[0], "type": "bid.accepted", "seq": 1, "key": "b1"}
    # a proxy answers bob; the bids land inside the extension window
    await database_sync_to_async(proxy_bid_set)(auction_id=auction.pk, user=bob, max_amount="5000.00")
    await watcher.pump_until(lambda c: c.seq == 2 and any(e[0] == "extended" and e[1] == 2 for e in c.events))
    assert watcher.price == "1100.00"
    assert await database_sync_to_async(lambda: Auction.objects.get(pk=auction.pk).leader_id)() == b.pk
    for c in (bidder, stranger, watcher):
        await c.close()


async def test_a_burst_is_conflated_the_last_message_is_the_final_state(live_server_url):
    """Watchers need the latest state, not every bid: during a burst a watcher gets fewer messages
    than bids, and the last it gets is the committed final state (the room flushes after the last
    change). A bidder's own answer is not held back by the flush."""
    auction, people, tokens = await setup_auction(ends_in=3600)
    watcher = LiveClient(live_server_url, auction.pk)
    bidder = LiveClient(live_server_url, auction.pk, token=tokens[2])
    await watcher.open(), await bidder.open()
    (alice, _), (bob, _), _ = people

    def burst() -> None:
        for i in range(60):
            bid_place(auction_id=auction.pk, user=(alice, bob)[i % 2], amount=str(1000 + 100 * i))

    await database_sync_to_async(burst)()
    await bidder.ws.send(json.dumps({"type": "bid", "amount": "7000.00", "key": "after"}))
    await bidder.pump_until(lambda c: c.replies)
    assert bidder.replies[0]["type"] == "bid.accepted" and bidder.replies[0]["seq"] == 61
    messages = []
    while True:
        try:
            messages.append(json.loads(await asyncio.wait_for(watcher.ws.recv(), 2.0)))
        except TimeoutError:
            break
    assert 0 < len(messages) < 61, len(messages)
    last = messages[-1]
    if last["type"] == "snapshot":
        assert (last["auction"]["bid_count"], last["auction"]["current_price"]) == (61, "7000.00")
    else:
        assert (last["type"], last["seq"], last["amount"]) == ("bid", 61, "7000.00")
    for c in (watcher, bidder):
        await c.close()
