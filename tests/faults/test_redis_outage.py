"""The Redis outage of issue #13, against a real uvicorn and a real redis-server that is killed
and started again (empty).

Redis carries news and counters, never the truth (DESIGN.md, "Faults"): while it is away, REST
reads and bids go on against PostgreSQL (the throttles fail open), the live room answers every
bid (``bid.accepted`` or ``bid.rejected``, never a dropped socket), new watchers get the state from
the database, and ``/healthz`` says what is degraded. When Redis returns, watchers hear events again.

Before: every REST call answered an HTML 500 (DRF's throttles raised on the cache) and a WebSocket
bid dropped the bidder's socket (the room's rate limit raised).

#17.2: the watcher count is whole again once Redis is back, even empty. Before, each join and leave
added to one number in Redis: those made during the outage were lost, and a Redis restarted empty
counted only the watchers who came after it.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from accounts.services import api_token_create
from tests.factories import OrganizationFactory, open_auction, registered_bidder
from tests.servers import held_socket, uvicorn_argv

from .conftest import child_env, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def web(module_redis, module_processes) -> str:
    """The Procfile's web process (uvicorn, pooled connections) on the test database and the private
    Redis: one for the module (each test kills and restarts the Redis, and ends with it back)."""
    sock = held_socket()  # the server holds it; closed with the process at the module's end
    port = sock.getsockname()[1]
    server = module_processes(
        "web-redis-outage",
        uvicorn_argv(sock),
        child_env(module_redis.url, DB_POOL="true"),
        pass_fds=(sock.fileno(),),
    )
    sock.close()  # the server has its own copy
    url = f"http://127.0.0.1:{port}"
    assert wait_for(lambda: _health(url) is not None, 40, step=0.2), server.output()[-3000:]
    return url


@pytest.fixture
def private_redis(module_redis, web):  # type: ignore[no-untyped-def]
    """The module's Redis, running and seen by the web process at the start of each test (a test
    that failed with it killed does not leave the next one without it)."""
    if module_redis.proc is None or module_redis.proc.poll() is not None:
        module_redis.start()
    assert wait_for(lambda: _health(web) == "ok", 10), _health(web)
    return module_redis


def _health(url: str) -> str | None:
    try:
        answer = httpx.get(f"{url}/healthz", timeout=2)
    except httpx.HTTPError:
        return None
    return answer.json()["status"] if answer.status_code == 200 else None


def _token(user: Any) -> str:
    return api_token_create(user=user, name="faults")[1]


class Socket:
    """A live-room client that keeps the latest state it was told (snapshot or bid events)."""

    def __init__(self, base_url: str, auction_id: int, token: str | None = None) -> None:
        headers = {"Authorization": f"Token {token}"} if token else {"Origin": base_url}
        self.ws: ClientConnection = connect(
            base_url.replace("http", "ws") + f"/ws/auctions/{auction_id}/", additional_headers=headers
        )
        self.seq = -1
        self.replies: list[dict] = []
        self.kinds: list[str] = []
        self.pump_until(lambda: self.seq >= 0, 10)

    def pump_until(self, done: Any, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not done():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                message = json.loads(self.ws.recv(timeout=left))
            except TimeoutError:
                return False
            self.kinds.append(message["type"])
            if message["type"] == "snapshot":
                self.seq = message["auction"]["bid_count"]
            elif message["type"] == "bid":
                self.seq = max(self.seq, message["seq"])
            elif message["type"].startswith("bid."):
                self.replies.append(message)
        return True

    def bid(self, amount: str, key: str) -> dict:
        self.ws.send(json.dumps({"type": "bid", "amount": amount, "key": key}))
        assert self.pump_until(lambda: any(r["key"] == key for r in self.replies), 10), self.kinds
        return next(r for r in self.replies if r["key"] == key)


def test_rest_reads_and_bids_go_on_while_redis_is_away(private_redis, web):
    auction = open_auction(started=True, starts_in=-120, ends_in=3600)
    bidder, _ = registered_bidder(auction)
    auth = {"Authorization": f"Token {_token(bidder)}"}
    assert httpx.get(f"{web}/api/v1/auctions/{auction.pk}/").status_code == 200

    private_redis.kill()
    read = httpx.get(f"{web}/api/v1/auctions/{auction.pk}/")
    assert read.status_code == 200, read.text[:500]
    assert read.json()["id"] == auction.pk
    assert httpx.get(f"{web}/api/v1/results/").status_code == 200
    bid = httpx.post(f"{web}/api/v1/auctions/{auction.pk}/bids/", json={"amount": "1000.00"}, headers=auth)
    assert bid.status_code == 201, bid.text[:500]
    refused = httpx.post(
        f"{web}/api/v1/auctions/{auction.pk}/bids/", json={"amount": "1000.00"}, headers=auth
    )
    assert refused.status_code in (409, 422) and set(refused.json()) >= {"code", "detail"}, refused.text[:500]
    health = httpx.get(f"{web}/healthz")
    assert health.status_code == 200, health.text  # the web host can serve: keep it in the pool
    assert health.json()["status"] == "degraded"
    assert set(health.json()["degraded"]) == {"redis", "broker"}

    private_redis.start()
    second, _ = registered_bidder(auction)
    again = httpx.post(
        f"{web}/api/v1/auctions/{auction.pk}/bids/",
        json={"amount": "1100.00"},
        headers={"Authorization": f"Token {_token(second)}"},
    )
    assert again.status_code == 201, again.text[:500]
    assert wait_for(lambda: httpx.get(f"{web}/healthz").json()["status"] == "ok", 10)


def test_the_live_room_answers_every_bid_and_watchers_converge_across_an_outage(private_redis, web):
    auction = open_auction(started=True, starts_in=-120, ends_in=3600)
    bidder, _ = registered_bidder(auction)
    rival, _ = registered_bidder(auction, OrganizationFactory())
    watcher = Socket(web, auction.pk)
    room = Socket(web, auction.pk, token=_token(bidder))

    private_redis.kill()
    accepted = room.bid("1000.00", "k1")
    assert accepted["type"] == "bid.accepted" and accepted["seq"] == 1, accepted
    refused = room.bid("1000.00", "k2")
    assert refused["type"] == "bid.rejected", refused
    # A watcher who arrives during the outage gets the state from the database...
    late_watcher = Socket(web, auction.pk)
    assert late_watcher.seq == 1
    # ... and one who was there converges on it within 5 s.
    assert watcher.pump_until(lambda: watcher.seq == 1, 5), watcher.kinds

    private_redis.start()
    time.sleep(2.5)  # the rooms subscribe again within 0.5 s; publishers try Redis again after 2 s
    rival_room = Socket(web, auction.pk, token=_token(rival))
    seen = {id(s): len(s.kinds) for s in (watcher, late_watcher)}
    assert rival_room.bid("1100.00", "k3")["type"] == "bid.accepted"
    for socket in (watcher, late_watcher, room):
        assert socket.pump_until(lambda s=socket: s.seq == 2, 5), socket.kinds
    # News flows again: the bid came to the watchers as an event, not only through a reload.
    for socket in (watcher, late_watcher):
        assert "bid" in socket.kinds[seen[id(socket)] :], socket.kinds
    for socket in (watcher, late_watcher, room, rival_room):
        socket.ws.close()


def _watching(web: str, auction_id: int) -> str | None:
    """The room page's "N 人在看" (``—`` while the count cannot be read)."""
    page = httpx.get(f"{web}/auctions/{auction_id}/").text
    found = re.search(r'data-testid="watchers">([^<]*)</span>', page)
    return found.group(1) if found else None


def test_the_watcher_count_is_whole_again_once_redis_is_back_empty(private_redis, web):
    auction = open_auction(started=True, starts_in=-120, ends_in=3600)
    first, second = Socket(web, auction.pk), Socket(web, auction.pk)
    assert _watching(web, auction.pk) == "2"

    private_redis.kill()
    third = Socket(web, auction.pk)  # joins and leaves while the count cannot be written
    first.ws.close()
    assert wait_for(lambda: _watching(web, auction.pk) == "—", 5)

    private_redis.start()  # empty: the counts written before the outage are gone with it
    assert wait_for(lambda: _watching(web, auction.pk) == "2", 10), _watching(web, auction.pk)
    for socket in (second, third):
        socket.ws.close()
    assert wait_for(lambda: _watching(web, auction.pk) == "0", 10), _watching(web, auction.pk)
