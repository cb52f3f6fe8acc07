"""News of committed auction state, published to every ASGI process's live room (``auctions.room``).

One Redis pub/sub message per transaction, on the auction's channel: each process subscribes once
per auction and fans out to its own watchers, so the cost of a bid does not grow with the number of
watchers. Pub/sub may drop a message and publishers in different processes race, so every message
carries the ``seq`` range it covers; a room that sees a gap reloads from the database, which is the
only source of truth. Published only after commit (``core.effects.after_commit``).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import redis
from django.conf import settings

from core import redis_clients
from core.effects import after_commit

log = logging.getLogger("market.auctions.events")

# One client for the process (redis-py's client and pool are thread-safe): Django serves each sync
# request on a thread of its own, and a client per thread opened a new connection for every bid.
_news: redis.Redis | None = None
_news_lock = threading.Lock()
# After a failed publish, news is not tried for this long: with Redis away each try would cost the
# bidder's request its timeout, and the rooms follow the database meanwhile (auctions.room).
QUIET_SECONDS = 2.0
_down_until = 0.0


def channel_for(auction_id: int, *, database: str | None = None) -> str:
    """The pub/sub channel of one auction. Named after the database, so that test databases and the
    engineers' databases sharing one Redis never hear each other (pub/sub ignores Redis DB numbers)."""
    name = database or settings.DATABASES["default"]["NAME"]
    return f"market:{name}:auction:{auction_id}"


# How many sockets watch an auction's live room, across processes: a hash per auction
# (``watchers_key``), one field per ASGI process, its value the process's own exact count and when
# it wrote it (``watchers_entry``). A process writes its field when its count changes and again every
# ``WATCHERS_REFRESH_SECONDS`` (``auctions.room.WatcherCounts``); readers add the fields written in the
# last ``WATCHERS_STALE_SECONDS`` (``watchers_total``). So a write that failed, or a Redis restarted
# empty, is whole again at the process's next write, and a killed process's watchers stop counting
# within ``WATCHERS_STALE_SECONDS``. (One number that each join and leave added to was wrong for good
# after any of these.)
WATCHERS_REFRESH_SECONDS = 30.0
WATCHERS_STALE_SECONDS = 3 * WATCHERS_REFRESH_SECONDS


def watchers_key(auction_id: int) -> str:
    """The hash of the live room's watcher counts, one field per process (above). Not the name of
    the single number it replaces (``...:watchers``, a string): during a rolling deploy the old
    processes' writes and the new ones' would each fail on the other's type."""
    return f"{channel_for(auction_id)}:watchers-by-process"


def watchers_entry(count: int, now: float) -> str:
    """A process's field value: its count and the moment of writing (Unix seconds)."""
    return f"{count} {now:.0f}"


def watchers_total(entries: dict[Any, Any], now: float) -> int:
    """The sum of the entries (``watchers_entry``) written in the last ``WATCHERS_STALE_SECONDS``;
    an entry that cannot be read counts nothing."""
    total = 0
    for value in entries.values():
        try:
            count, stamp = (value.decode() if isinstance(value, bytes) else value).split()
            if now - float(stamp) <= WATCHERS_STALE_SECONDS:
                total += max(int(count), 0)
        except ValueError:
            continue
    return total


def watchers_counts(auction_ids: list[int]) -> dict[int, int | None]:
    """The watcher counts of these auctions in one round trip; ``None`` each while Redis is away
    (the pages then show "—"): a count is not worth a slow page."""
    if not auction_ids:
        return {}
    global _down_until
    if time.monotonic() < _down_until:
        return dict.fromkeys(auction_ids)
    try:
        pipe = _client().pipeline(transaction=False)
        for auction_id in auction_ids:
            pipe.hgetall(watchers_key(auction_id))
        entries = pipe.execute()
    except Exception:  # noqa: BLE001 - Redis away: no counts, the page still renders
        _down_until = time.monotonic() + QUIET_SECONDS
        return dict.fromkeys(auction_ids)
    now = time.time()
    return {i: watchers_total(e, now) for i, e in zip(auction_ids, entries, strict=True)}


def _client() -> redis.Redis:
    global _news
    if _news is None:
        with _news_lock:
            if _news is None:
                _news = redis_clients.client(
                    socket_timeout=2, socket_connect_timeout=2, retry=redis_clients.one_try()
                )
    return _news


def publish_after_commit(
    *,
    auction_id: int,
    first: int,
    last: int,
    events: list[dict[str, Any]] | Callable[[], list[dict[str, Any]]],
) -> None:
    """Announce, once the transaction commits, the events of the bids ``first..last``.

    A message without bids (``closed``, ``reload``) has ``first = last + 1``. ``events`` may be a
    function, so that formatting happens after commit rather than under the auction lock."""
    channel = channel_for(auction_id)

    def send() -> None:
        payload = json.dumps(
            {
                "auction": auction_id,
                "first": first,
                "last": last,
                "events": events() if callable(events) else events,
            },
            ensure_ascii=False,
        )
        global _down_until
        if time.monotonic() < _down_until:
            return  # Redis failed a moment ago: not worth a bidder's wait (rooms reconcile)
        try:
            _client().publish(channel, payload)
        except redis.RedisError:
            # The bids are committed; rooms repair from the database (gap or reconcile).
            _down_until = time.monotonic() + QUIET_SECONDS
            log.warning("auction event not published", extra={"auction": auction_id, "last": last})

    after_commit(send)
