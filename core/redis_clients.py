"""Redis clients made from the configuration: one server, or the primary that Sentinel names.

Every part of the market that talks to Redis (the cache, the live room's pub/sub and rate limit,
the events after commit, the Celery broker, the Channels layer) reads the same settings:

- ``REDIS_URL``: the server, or, with Sentinel, only the database number and the password (its
  host is not used);
- ``REDIS_SENTINELS``: ``[(host, port), ...]`` of the sentinels (empty: no Sentinel);
- ``REDIS_SENTINEL_MASTER``: the name the sentinels monitor the primary under.

With Sentinel a connection asks a sentinel for the current primary whenever it (re)connects, so
after a failover the next command reaches the promoted replica; a command sent to a primary that
was turned into a replica fails with ``ReadOnlyError`` and the pool reconnects (redis-py's
``SentinelManagedConnection``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

import redis
import redis.asyncio as aioredis
from django.conf import settings
from redis.asyncio.retry import Retry as AsyncRetry
from redis.asyncio.sentinel import Sentinel as AsyncSentinel
from redis.backoff import NoBackoff
from redis.retry import Retry
from redis.sentinel import Sentinel, SentinelConnectionPool

# How long a sentinel may take to answer "who is the primary?" before the next one is asked.
SENTINEL_TIMEOUT = 1.0


def url_options(url: str) -> dict[str, Any]:
    """The database number and credentials of a ``redis://`` URL (the parts Sentinel keeps)."""
    parts = urlsplit(url)
    options: dict[str, Any] = {}
    path = parts.path.lstrip("/")
    if path:
        options["db"] = int(path)
    if parts.username:
        options["username"] = unquote(parts.username)
    if parts.password:
        options["password"] = unquote(parts.password)
    return options


def one_try() -> Retry:
    """The ``retry`` of a client whose reads fail open (watcher counts, news, rate limits): one try,
    no back-off. redis-py 8's ``Redis(host, port)`` retries a refused connection three times with
    exponential back-off (~4 s a request while Redis is down); a client made from a URL and a pool,
    as here, tries once today, and this says so whatever a later redis-py's default becomes."""
    return Retry(NoBackoff(), 0)


def async_one_try() -> AsyncRetry:
    """``one_try`` for ``async_client``."""
    return AsyncRetry(NoBackoff(), 0)


def _sentinel_kwargs() -> dict[str, Any]:
    return {"socket_timeout": SENTINEL_TIMEOUT, "socket_connect_timeout": SENTINEL_TIMEOUT}


def client(**options: Any) -> redis.Redis:
    """A client of the primary (``options``: redis-py connection options such as timeouts)."""
    sentinels = settings.REDIS_SENTINELS
    if sentinels:
        manager = Sentinel(sentinels, sentinel_kwargs=_sentinel_kwargs())
        return manager.master_for(
            settings.REDIS_SENTINEL_MASTER, **url_options(settings.REDIS_URL), **options
        )
    return redis.Redis.from_url(settings.REDIS_URL, **options)


def async_client(**options: Any) -> aioredis.Redis:
    """The asyncio form of ``client`` (the live room's pub/sub and rate limit)."""
    sentinels = settings.REDIS_SENTINELS
    if sentinels:
        manager = AsyncSentinel(sentinels, sentinel_kwargs=_sentinel_kwargs())
        return manager.master_for(
            settings.REDIS_SENTINEL_MASTER, **url_options(settings.REDIS_URL), **options
        )
    return aioredis.Redis.from_url(settings.REDIS_URL, **options)


class SentinelPool(SentinelConnectionPool):
    """The ``pool_class`` of Django's Redis cache under Sentinel: Django builds a pool with
    ``pool_class.from_url(LOCATION, **OPTIONS)``; this one takes the database and password from the
    URL and the primary's address from the sentinels."""

    @classmethod
    def from_url(cls, url: str, **options: Any) -> SentinelPool:  # type: ignore[override]
        manager = Sentinel(settings.REDIS_SENTINELS, sentinel_kwargs=_sentinel_kwargs())
        return cls(settings.REDIS_SENTINEL_MASTER, manager, **url_options(url), **options)
