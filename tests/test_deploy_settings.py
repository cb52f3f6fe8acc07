"""The multi-host deployment's configuration (deploy/): Redis behind Sentinel, PostgreSQL behind
PgBouncer in transaction mode. Each case loads the settings in a fresh process with the deployment's
environment and reads what every Redis user and the database connection were given."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

READ = """
import json, django
django.setup()
from django.conf import settings
from django.core.cache import cache
from core import redis_clients
pool = cache._cache.get_client().connection_pool
print(json.dumps({
    "sentinels": settings.REDIS_SENTINELS,
    "master": settings.REDIS_SENTINEL_MASTER,
    "cache_pool": type(pool).__name__,
    "cache_pool_service": getattr(pool, "service_name", None),
    "cache_pool_db": pool.connection_kwargs.get("db"),
    "cache_pool_password": pool.connection_kwargs.get("password"),
    "channels": settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"],
    "broker": settings.CELERY_BROKER_URL,
    "transport": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    "client_pool": type(redis_clients.client().connection_pool).__name__,
    "async_pool": type(redis_clients.async_client().connection_pool).__name__,
    "embedded_redis": __import__("config.embedded", fromlist=["x"])._handles.get("redis") is not None,
    "database": {
        "DISABLE_SERVER_SIDE_CURSORS": settings.DATABASES["default"].get("DISABLE_SERVER_SIDE_CURSORS", False),
        "OPTIONS": {k: v for k, v in settings.DATABASES["default"].get("OPTIONS", {}).items() if k != "pool"},
        "pool": sorted(settings.DATABASES["default"].get("OPTIONS", {}).get("pool", {})),
        "checked": settings.DATABASES["default"]["CONN_HEALTH_CHECKS"],
        "pool_check": (lambda p: p and f"{p._check.__module__}.{p._check.__qualname__}")(
            __import__("django.db", fromlist=["x"]).connection.pool
        ),
    },
}, default=list))
"""


def _settings(**env: str) -> dict:
    environ = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings", **env)
    for name in ("REDIS_SENTINELS", "REDIS_SENTINEL_MASTER", "DB_TRANSACTION_POOLING", "DB_POOL"):
        if name not in env:
            environ.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", READ], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_sentinel_addresses_reach_the_cache_the_live_room_the_broker_and_the_channel_layer():
    got = _settings(
        REDIS_SENTINELS="127.0.0.8:26379,127.0.0.9:26380,sentinel-3",
        REDIS_SENTINEL_MASTER="market-main",
        REDIS_URL="redis://:s%40cret@ignored-host/3",
    )
    sentinels = [["127.0.0.8", 26379], ["127.0.0.9", 26380], ["sentinel-3", 26379]]
    assert got["sentinels"] == sentinels
    assert got["master"] == "market-main"
    # The cache: a Sentinel pool for the named primary, with the URL's database and password.
    assert got["cache_pool"] == "SentinelPool"
    assert (got["cache_pool_service"], got["cache_pool_db"], got["cache_pool_password"]) == (
        "market-main",
        3,
        "s@cret",
    )
    # The live room and the events after commit.
    assert got["client_pool"] == "SentinelConnectionPool"
    assert got["async_pool"] == "SentinelConnectionPool"
    # Channels: channels-redis's Sentinel form of a host.
    (host,) = got["channels"]
    assert host["sentinels"] == sentinels
    assert host["master_name"] == "market-main"
    assert (host["db"], host["password"], host["socket_timeout"]) == (3, "s@cret", 15)
    # Celery: kombu's sentinel transport, one URL per sentinel, the master named in the options.
    assert got["broker"] == (
        "sentinel://:s%40cret@127.0.0.8:26379/3;sentinel://:s%40cret@127.0.0.9:26380/3;"
        "sentinel://:s%40cret@sentinel-3:26379/3"
    )
    assert got["transport"]["master_name"] == "market-main"


def test_sentinel_alone_needs_no_redis_url():
    environ = {"REDIS_SENTINELS": "127.0.0.8:26379"}
    got = _settings(**environ, REDIS_URL="")
    assert got["broker"] == "sentinel://127.0.0.8:26379/0"
    assert not got["embedded_redis"]  # no private Redis started in its place
    assert got["cache_pool_db"] == 0


def test_without_sentinel_everything_uses_redis_url():
    got = _settings(REDIS_URL="redis://127.0.0.1:6379/5")
    assert got["sentinels"] == []
    assert got["cache_pool"] == "ConnectionPool"
    assert got["client_pool"] == "ConnectionPool"
    assert got["channels"] == [{"address": "redis://127.0.0.1:6379/5", "socket_timeout": 15}]
    assert got["broker"] == "redis://127.0.0.1:6379/5"
    assert got["transport"].get("master_name") is None


def test_transaction_pooling_turns_off_server_side_cursors_and_prepared_statements():
    got = _settings(DB_TRANSACTION_POOLING="true", DB_POOL="true")
    assert got["database"]["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert got["database"]["OPTIONS"]["prepare_threshold"] is None
    # The web role's pool still works in front of it, and checks a connection before lending it (a
    # restarted PgBouncer cut them all): by its socket, the empty query only when the server spoke.
    assert got["database"]["pool"]
    assert got["database"]["pool_check"] == "core.postgresql.base.check_connection"
    plain = _settings()
    assert not plain["database"].get("DISABLE_SERVER_SIDE_CURSORS")
    assert "prepare_threshold" not in plain["database"].get("OPTIONS", {})
