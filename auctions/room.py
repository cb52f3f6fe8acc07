"""The live room inside one ASGI process: one subscription per auction, fanned out to its watchers.

Why not one channel-layer message per watcher: a burst of 200 bids/s to 1,000 watchers would be
200,000 Redis messages a second and as many socket writes, and the channel layer drops messages
under load with no ordering across processes. Instead each process holds, per auction, a ``Room``:
it subscribes once to the auction's pub/sub channel (``auctions.events``), applies the committed
events in ``seq`` order to an in-memory copy of the snapshot, and wakes its watchers.

The room broadcasts on its own clock, not per event: at most once per flush interval it wakes the
watchers that are behind, and each is sent what it has not seen: the individual events when they
are few, otherwise one fresh ``snapshot`` (coalescing). Frames are serialized once per room and
version and shared by every socket, so a burst costs one frame per watcher per flush, not one per
bid; a slow socket catches up with the latest state when it drains, never with a queue. The interval
is ``FLUSH_SECONDS`` (0.25 s), longer when a broadcast costs the process much CPU: broadcasts may take
at most ``BROADCAST_SHARE`` of the event loop's CPU (10,000 watchers on a few processes must leave
room for the bids), up to ``FLUSH_MAX_SECONDS``. The last change is always flushed: a change marks the room dirty and the flusher runs until
nothing is left unsent. Bidders' own answers (``bid.accepted``/``bid.rejected``) do not wait for
it: the consumer sends them at once.

The room trusts the database, not the news: a message that skips a ``seq`` waits ``GAP_SECONDS``
for the missing one (publishers in different processes race), then the room reloads from the
database; every ``RECONCILE_SECONDS`` it checks the database's ``bid_count`` and status, so even a
lost last message is repaired. Clients do the same with ``seq`` (API.md, "Live room").
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import timezone

from core import redis_clients
from core.money import money_format

from .events import (
    WATCHERS_REFRESH_SECONDS,
    WATCHERS_STALE_SECONDS,
    channel_for,
    watchers_entry,
    watchers_key,
    watchers_total,
)
from .models import Auction
from .selectors import SNAPSHOT_BIDS, auction_snapshot, next_bid_minimum

log = logging.getLogger("market.auctions.room")

FLUSH_SECONDS = float(settings.MARKET.get("AUCTION_ROOM_FLUSH_SECONDS", 0.25))
COALESCE_AFTER = 2  # more pending transactions than this: one snapshot instead (frames cost, not bytes)
GAP_SECONDS = 0.3
RECONCILE_SECONDS = 2.0
LOG_SIZE = 64
COUNTERS_QUIET_SECONDS = 5.0  # after a Redis error, the rate limit lets bids through without asking
COUNTS_QUIET_SECONDS = 2.0  # after a failed write of the watcher counts, the next try waits this long
SNAPSHOT_MAX_AGE = 1.0  # seconds a cached snapshot frame (and its server_time) may be reused
BROADCAST_SHARE = 1 / 3  # at most this share of the event loop's CPU goes to waking watchers...
FLUSH_MAX_SECONDS = 1.0  # ...unless a watcher would then wait longer than this for the news


def _now_iso() -> str:
    return timezone.localtime().isoformat()


class Watcher:
    """One socket in the room. ``send`` writes one text frame to it; the room's flush wakes it."""

    def __init__(self, send: Callable[[str], Awaitable[None]]) -> None:
        self.send = send
        self.version = 0
        self.wake = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def run(self, room: Room) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            while self.version < room.version:  # a socket that was slow to drain catches up at once
                version, frames = room.frames_since(self.version)
                self.version = version
                for frame in frames:
                    await self.send(frame)


class Room:
    """One auction's committed state as this process knows it, and its watchers."""

    def __init__(self, hub: Hub, auction_id: int) -> None:
        self.hub = hub
        self.auction_id = auction_id
        self.watchers: set[Watcher] = set()
        self.loaded = asyncio.Event()
        self.version = 0
        self.seq = -1
        self.auction: dict[str, Any] = {}
        self.bids: deque[dict[str, Any]] = deque(maxlen=SNAPSHOT_BIDS)
        self.log: deque[tuple[int, list[str]]] = deque(maxlen=LOG_SIZE)
        self.pending: dict[int, dict[str, Any]] = {}
        # Shown in the room: sockets watching now (all processes; None while Redis is away) and
        # registrations (from the database with each reload).
        self.watching: int | None = None
        self.registered = 0
        self._snapshot: tuple[int, float, str] | None = None
        self._since: dict[int, tuple[int, list[str]]] = {}  # frames_since, per watcher version
        self._since_for: tuple[int, tuple[int, float, str] | None] | None = None
        self._reloading: asyncio.Task[None] | None = None
        self._gap_timer: asyncio.TimerHandle | None = None
        self._dirty = asyncio.Event()
        self._next_flush = 0.0
        self.flush_interval = FLUSH_SECONDS
        loop = asyncio.get_running_loop()
        self._flusher = loop.create_task(self._flush_forever())
        self._reconciler = loop.create_task(self._reconcile_forever())

    # --- state --------------------------------------------------------------------------------

    def reload(self) -> None:
        if self._reloading is None or self._reloading.done():
            self._reloading = asyncio.get_running_loop().create_task(self._reload())

    async def refresh_done(self) -> None:
        """Wait until the room is loaded and a reload under way (if any) is done."""
        if self._reloading is not None and not self._reloading.done():
            with contextlib.suppress(Exception):
                await asyncio.shield(self._reloading)
        await self.loaded.wait()

    async def _reload(self) -> None:
        try:
            snapshot = await database_sync_to_async(auction_snapshot)(self.auction_id)
        except Auction.DoesNotExist:
            return
        except Exception:
            log.exception("room reload failed", extra={"auction": self.auction_id})
            await asyncio.sleep(GAP_SECONDS)
            self.reload()
            return
        self.auction = snapshot["auction"]
        self.bids = deque(snapshot["bids"], maxlen=SNAPSHOT_BIDS)
        self.seq = snapshot["seq"]
        self.registered = snapshot["registered"]
        self.version += 1
        self.log.clear()  # watchers behind this point get the snapshot
        self._snapshot = None
        self.loaded.set()
        self._drain_pending()
        self._wake()

    def on_message(self, message: dict[str, Any]) -> None:
        first, last = int(message["first"]), int(message["last"])
        if not self.loaded.is_set():
            self.pending[first] = message
            return
        if last < self.seq or (first <= last and last <= self.seq):
            return  # already applied (or a reload already contains it)
        if first > self.seq + 1:
            self.pending[first] = message
            if self._gap_timer is None:
                self._gap_timer = asyncio.get_running_loop().call_later(GAP_SECONDS, self._gap_expired)
            return
        self._apply(message)
        self._drain_pending()
        self._wake()

    def _gap_expired(self) -> None:
        self._gap_timer = None
        if self.pending:
            log.info("room gap, reloading", extra={"auction": self.auction_id, "seq": self.seq})
            self.reload()

    def _drain_pending(self) -> None:
        for first in sorted(self.pending):
            message = self.pending[first]
            last = int(message["last"])
            if last < self.seq or (first <= last <= self.seq):
                del self.pending[first]
            elif first == self.seq + 1:
                del self.pending[first]
                self._apply(message)
        if not self.pending and self._gap_timer is not None:
            self._gap_timer.cancel()
            self._gap_timer = None

    def _apply(self, message: dict[str, Any]) -> None:
        frames: list[str] = []
        stamp = _now_iso()
        reload_after = False
        auction = self.auction
        for event in message["events"]:
            kind = event["type"]
            if kind == "bid":
                self.seq = event["seq"]
                auction.update(
                    status=Auction.Status.LIVE,
                    current_price=event["amount"],
                    leader_bidder_no=event["bidder_no"],
                    bid_count=event["seq"],
                    ends_at=event["ends_at"],
                    min_next_bid=money_format(
                        next_bid_minimum(
                            bid_count=event["seq"],
                            current_price=Decimal(event["amount"]),
                            start_price=Decimal(auction["start_price"]),
                            increment=Decimal(auction["increment"]),
                        )
                    ),
                )
                self.bids.append(
                    {k: event[k] for k in ("seq", "amount", "bidder_no", "placed_at", "proxy", "hash")}
                )
            elif kind == "extended":
                auction["ends_at"] = event["ends_at"]
            elif kind == "closed":
                auction["status"] = event["status"]
                reload_after = True  # reserve_met and the deal come from the database
            elif kind == "reload":
                self.reload()
                continue
            frames.append(json.dumps({**event, "server_time": stamp}, ensure_ascii=False))
        self.seq = max(self.seq, int(message["last"]))
        if frames:
            self.version += 1
            self.log.append((self.version, frames))
            self._snapshot = None
        if reload_after:
            self.reload()

    def set_watching(self, count: int | None) -> None:
        """The watcher count goes out with the next snapshot (each connection's first frame and
        every coalesced burst), not as a frame of its own: 1,000 joins must not send 1,000,000."""
        if count != self.watching:
            self.watching = count
            self._snapshot = None

    # --- delivery ----------------------------------------------------------------------------

    def snapshot_frame(self) -> str:
        now = time.monotonic()
        if (
            self._snapshot is None
            or self._snapshot[0] != self.version
            or now - self._snapshot[1] > SNAPSHOT_MAX_AGE
        ):
            text = json.dumps(
                {
                    "type": "snapshot",
                    "seq": self.seq,
                    "auction": {**self.auction, "server_time": _now_iso()},
                    "bids": list(self.bids),
                    "watchers": self.watching,
                    "registered": self.registered,
                    "server_time": _now_iso(),
                },
                ensure_ascii=False,
            )
            self._snapshot = (self.version, now, text)
        return self._snapshot[2]

    def frames_since(self, version: int) -> tuple[int, list[str]]:
        """What a watcher at ``version`` has not seen: the events, or one snapshot if too many.
        Worked out once per version behind and shared: a flush asks it for every watcher."""
        if version >= self.version:
            return self.version, []
        if self._since_for != (self.version, self._snapshot):
            self._since.clear()
        found = self._since.get(version)
        if found is None:
            entries = [frames for v, frames in self.log if v > version]
            covered = bool(self.log) and self.log[0][0] <= version + 1
            if covered and len(entries) <= COALESCE_AFTER:
                found = self.version, [frame for frames in entries for frame in frames]
            else:
                found = self.version, [self.snapshot_frame()]
            self._since[version] = found
            self._since_for = (self.version, self._snapshot)
        return found

    def _wake(self) -> None:
        """Something changed: the flusher sends it, now or when the interval allows."""
        self._dirty.set()

    async def _flush_forever(self) -> None:
        """Wake the watchers that are behind, at most once per ``flush_interval``; run again while
        a change arrived meanwhile, so the last one is always flushed."""
        loop = asyncio.get_running_loop()
        while True:
            await self._dirty.wait()
            delay = self._next_flush - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self._dirty.clear()
            started, cpu = loop.time(), time.thread_time()
            version = self.version
            for watcher in self.watchers:
                if watcher.version < version:
                    watcher.wake.set()
            # Every woken watcher's send runs before this resumes (the loop runs ready callbacks in
            # order): the CPU time taken is what this broadcast cost the process. CPU, not wall
            # time: on a busy machine waiting for a core must not stretch the interval.
            await asyncio.sleep(0)
            took = time.thread_time() - cpu
            self.flush_interval = min(FLUSH_MAX_SECONDS, max(FLUSH_SECONDS, took / BROADCAST_SHARE))
            self._next_flush = started + self.flush_interval

    async def _reconcile_forever(self) -> None:
        while True:
            await asyncio.sleep(RECONCILE_SECONDS)
            if not self.loaded.is_set():
                continue
            try:
                row = await database_sync_to_async(
                    lambda: (
                        Auction.objects.filter(pk=self.auction_id).values_list("bid_count", "status").first()
                    )
                )()
            except Exception:
                log.exception("room reconcile failed", extra={"auction": self.auction_id})
                continue
            if row is not None and (row[0] != self.seq or row[1] != self.auction.get("status")):
                self.reload()

    def close(self) -> None:
        self._flusher.cancel()
        self._reconciler.cancel()
        if self._gap_timer is not None:
            self._gap_timer.cancel()
        if self._reloading is not None:
            self._reloading.cancel()


class WatcherCounts:
    """This process's watcher counts in Redis (``auctions.events``: one field per process and
    auction, the process's exact count), written as group commits: one pipeline in flight at a
    time, carrying every room whose count changed meanwhile. A burst of 2,500 joins on a process is a
    few round trips on one connection; a call per join opened a connection per socket, which timed
    out under such a burst and lost the count.

    A join or leave waits for the write that carries it (a join's first snapshot has the count with
    it). While Redis is away nothing waits: the rooms stay marked and are written when
    the next try succeeds (every ``COUNTS_QUIET_SECONDS``), and every room is written again every
    ``WATCHERS_REFRESH_SECONDS`` and when the news comes back (a Redis restarted empty)."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        # Its own client, one connection (one write in flight). A join waits for its write, so the
        # timeout is short, but not the rate limit's 0.5 s: a process taking a burst of joins may
        # not get back to the answer that soon, and a write that timed out is only written again.
        self.client = redis_clients.async_client(
            socket_connect_timeout=2, socket_timeout=2, retry=redis_clients.async_one_try()
        )
        self.field = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.dirty: set[int] = set()
        self.waiting: list[tuple[int, asyncio.Future[int | None]]] = []
        self.down_until = 0.0
        self.failing = False
        self.writer: asyncio.Task[None] | None = None
        self.refresher: asyncio.Task[None] | None = None

    async def changed(self, auction_id: int) -> int | None:
        """The room's count changed here: write it. The count across processes once written, or
        None at once while it cannot be (Redis away)."""
        self.dirty.add(auction_id)
        if self.refresher is None or self.refresher.done():
            self.refresher = self.hub.loop.create_task(self._refresh())
        if time.monotonic() < self.down_until:
            return None  # written by the writer's next try
        self._start_writer()
        future: asyncio.Future[int | None] = self.hub.loop.create_future()
        self.waiting.append((auction_id, future))
        return await future

    def rewrite_all(self) -> None:
        """Write every room's count again (the refresh is due; or Redis is back, perhaps empty)."""
        self.dirty.update(self.hub.rooms)
        self._start_writer()

    def redis_back(self) -> None:
        """The news found Redis answering again: try now, not after the pause, and write every
        room (a Redis restarted empty has lost them)."""
        self.down_until = 0.0
        self.rewrite_all()

    def _start_writer(self) -> None:
        if self.dirty and (self.writer is None or self.writer.done()):
            self.writer = self.hub.loop.create_task(self._write_while_dirty())

    async def _write_while_dirty(self) -> None:
        while self.dirty:
            wait = self.down_until - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            batch, self.dirty = sorted(self.dirty), set()
            waiting, self.waiting = self.waiting, []
            try:
                totals = await self._write(batch)
            except Exception as exc:  # noqa: BLE001 - a count is not worth a refused watcher
                self.dirty.update(batch)
                self.down_until = time.monotonic() + COUNTS_QUIET_SECONDS
                waiting += self.waiting  # those who came meanwhile do not wait for the next try
                self.waiting = []
                for _auction_id, future in waiting:
                    if not future.done():
                        future.set_result(None)
                if not self.failing:  # once per outage, not every try
                    self.failing = True
                    log.warning(
                        "live room watchers not counted: Redis unavailable; trying again every %.0f s",
                        COUNTS_QUIET_SECONDS,
                        extra={"error": f"{exc.__class__.__name__}: {exc}", "rooms": len(batch)},
                    )
                continue
            if self.failing:
                self.failing = False
                log.info("live room watchers counted again", extra={"rooms": len(batch)})
            for auction_id, total in totals.items():
                room = self.hub.rooms.get(auction_id)
                if room is not None:
                    room.set_watching(total)
            for auction_id, future in waiting:
                if not future.done():
                    future.set_result(totals.get(auction_id))

    async def _write(self, auction_ids: list[int]) -> dict[int, int]:
        """One pipeline: for each room, this process's field (or its removal when nobody watches
        here), the key's expiry, and every process's fields to add up."""
        now = time.time()
        pipe = self.client.pipeline(transaction=False)
        for auction_id in auction_ids:
            key = watchers_key(auction_id)
            room = self.hub.rooms.get(auction_id)
            here = len(room.watchers) if room is not None else 0
            if here:
                pipe.hset(key, self.field, watchers_entry(here, now))
            else:
                pipe.hdel(key, self.field)
            pipe.expire(key, int(WATCHERS_STALE_SECONDS))
            pipe.hgetall(key)
        results = await pipe.execute()
        return {a: watchers_total(results[3 * i + 2], now) for i, a in enumerate(auction_ids)}

    async def _refresh(self) -> None:
        """Every ``WATCHERS_REFRESH_SECONDS`` while this process has rooms: its entries stay fresh
        (``WATCHERS_STALE_SECONDS``), and its rooms learn the other processes' counts."""
        while self.hub.rooms:
            await asyncio.sleep(WATCHERS_REFRESH_SECONDS)
            self.rewrite_all()


class Hub:
    """This process's (this event loop's) rooms and their one pub/sub connection.

    Redis is news: while it is away the rooms follow the database (each room's reconciler, every
    ``RECONCILE_SECONDS``), watchers still join (their snapshot comes from the database), and the
    rate limit lets bids through. The reader keeps trying; when Redis answers again it subscribes
    every room's channel that is missing, reloads every room once, for what the news missed, and
    writes the watcher counts again (``WatcherCounts``)."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.rooms: dict[int, Room] = {}
        self.redis = redis_clients.async_client(socket_connect_timeout=2)
        # The rate limit's own client: short timeouts, so a Redis that hangs does not hold a bid.
        self.counters = redis_clients.async_client(
            socket_connect_timeout=0.5, socket_timeout=0.5, retry=redis_clients.async_one_try()
        )
        self.pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        self.reader: asyncio.Task[None] | None = None
        self.channels: dict[str, int] = {}
        self.news_down = False
        self._rate_down_until = 0.0
        self.counts = WatcherCounts(self)
        self._lock = asyncio.Lock()

    async def join(self, auction_id: int, watcher: Watcher) -> Room:
        async with self._lock:
            room = self.rooms.get(auction_id)
            if room is None:
                room = Room(self, auction_id)
                self.rooms[auction_id] = room
                self.channels[channel_for(auction_id)] = auction_id
                await self._subscribe_missing(joining=True)  # before loading: nothing falls between
                if self.reader is None or self.reader.done():
                    self.reader = self.loop.create_task(self._read())
                room.reload()
            elif self.news_down:
                room.reload()  # no news is arriving: this watcher's snapshot comes from the database
        await room.refresh_done()
        room.watchers.add(watcher)
        room.set_watching(await self.counts.changed(auction_id))
        watcher.version = room.version
        watcher.task = self.loop.create_task(watcher.run(room))
        return room

    async def leave(self, auction_id: int, watcher: Watcher) -> None:
        if watcher.task is not None:
            watcher.task.cancel()
        async with self._lock:
            room = self.rooms.get(auction_id)
            if room is None:
                return
            room.watchers.discard(watcher)
            if not room.watchers:
                room.close()
                del self.rooms[auction_id]
                for channel, rid in list(self.channels.items()):
                    if rid == auction_id:
                        del self.channels[channel]
                        with contextlib.suppress(Exception):
                            await self.pubsub.unsubscribe(channel)
        await self.counts.changed(auction_id)  # outside the lock: a burst of leaves is one write

    async def _subscribe_missing(self, *, joining: bool = False) -> None:
        """Subscribe the rooms' channels the connection does not have (a join during an outage).
        Never raises: without Redis the rooms follow the database and the reader tries again."""
        have = {c.decode() if isinstance(c, bytes) else c for c in self.pubsub.channels}
        missing = [c for c in self.channels if c not in have]
        if not missing or (joining and self.news_down):
            return  # while Redis is away the reader subscribes them when it returns
        try:
            await self.pubsub.subscribe(*missing)
        except Exception as exc:  # noqa: BLE001 - Redis away: the rooms follow the database
            self._news_lost(exc)

    async def _resubscribe(self) -> None:
        """A new subscription for every room, once a round trip shows Redis is back (a write to
        the old connection's socket can seem to succeed after the server is gone)."""
        await self.counters.ping()
        with contextlib.suppress(Exception):
            await self.pubsub.aclose()
        self.pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        await self.pubsub.subscribe(*self.channels)

    def _news_lost(self, exc: Exception) -> None:
        if not self.news_down:
            self.news_down = True
            log.warning(
                "live room news unavailable; rooms follow the database until Redis returns",
                extra={"error": f"{exc.__class__.__name__}: {exc}"},
            )

    def _news_back(self) -> None:
        if self.news_down:
            self.news_down = False
            log.info("live room news back; reloading every room", extra={"rooms": len(self.rooms)})
            for room in self.rooms.values():
                room.reload()
            self.counts.redis_back()

    async def _read(self) -> None:
        while True:
            try:
                if not self.channels:
                    await asyncio.sleep(0.05)
                    continue
                if self.news_down:
                    await self._resubscribe()  # raises while Redis is still away
                    self._news_back()
                elif not self.pubsub.subscribed:
                    await self._subscribe_missing()
                    continue
                message = await self.pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - Redis away: retried below
                self._news_lost(exc)
                await asyncio.sleep(0.5)
                continue
            if message is None or message.get("type") != "message":
                continue
            channel = (
                message["channel"].decode() if isinstance(message["channel"], bytes) else message["channel"]
            )
            target = self.rooms.get(self.channels.get(channel, -1))
            if target is None:
                continue
            try:
                target.on_message(json.loads(message["data"]))
            except (ValueError, KeyError):
                log.warning("malformed auction event", extra={"channel": channel})

    async def allow_bid(self, *, auction_id: int, user_id: int) -> bool:
        """The per-bidder rate limit, kept in Redis so that it holds across processes.

        Fails open: without Redis the bid goes to the engine, which decides it against the
        database as always; the log says so once per ``COUNTERS_QUIET_SECONDS``, during which
        Redis is not tried."""
        if time.monotonic() < self._rate_down_until:
            return True
        limit = int(settings.MARKET.get("AUCTION_BID_RATE_PER_SECOND", 5))
        key = f"{channel_for(auction_id)}:rate:{user_id}:{int(time.time())}"
        try:
            count = await self.counters.incr(key)
            if count == 1:
                await self.counters.expire(key, 2)
        except Exception as exc:  # noqa: BLE001 - a rate limit is not worth a refused bid
            self._rate_down_until = time.monotonic() + COUNTERS_QUIET_SECONDS
            log.warning(
                "live room rate limit not counted: Redis unavailable; letting bids through",
                extra={"error": f"{exc.__class__.__name__}: {exc}", "auction": auction_id},
            )
            return True
        return int(count) <= limit


_hubs: dict[int, Hub] = {}


def get_hub() -> Hub:
    """The hub of the running event loop (one per ASGI process; tests run a loop per test)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(id(loop))
    if hub is None or hub.loop is not loop:
        hub = Hub()
        _hubs.clear()
        _hubs[id(loop)] = hub
    return hub
