"""The multi-host deployment's configuration (deploy/): Redis behind Sentinel, PostgreSQL behind
PgBouncer in transaction mode. Each case makes the settings afresh from the deployment's
environment (tests/settings_env.py) and reads what every Redis user and the database connection
were given: the cache's, the live room's and the channel layer's clients are built from them as the
process would build them (none connects)."""

from __future__ import annotations

import copy

from django.db.utils import ConnectionHandler

from config import embedded
from core import redis_clients
from tests.settings_env import settings_from, settings_in_force

DEPLOYMENT = ("REDIS_SENTINELS", "REDIS_SENTINEL_MASTER", "DB_TRANSACTION_POOLING", "DB_POOL")


def _settings(**env: str) -> dict:
    from django.core.cache import caches

    started = len(embedded._handles.get("redis", []))
    s = settings_from(env, drop=tuple(name for name in DEPLOYMENT if name not in env))
    embedded_redis = len(embedded._handles.get("redis", [])) > started
    with settings_in_force(s):
        cache = caches.create_connection("default")
        pool = cache._cache.get_client().connection_pool
        client_pool = type(redis_clients.client().connection_pool).__name__
        async_pool = type(redis_clients.async_client().connection_pool).__name__
    # With the defaults Django's connection handler fills in, as the process's connections have it.
    database = ConnectionHandler(copy.deepcopy(s["DATABASES"])).settings["default"]
    return {
        "sentinels": [list(address) for address in s["REDIS_SENTINELS"]],
        "master": s["REDIS_SENTINEL_MASTER"],
        "cache_pool": type(pool).__name__,
        "cache_pool_service": getattr(pool, "service_name", None),
        "cache_pool_db": pool.connection_kwargs.get("db"),
        "cache_pool_password": pool.connection_kwargs.get("password"),
        "channels": [
            {k: [list(a) for a in v] if k == "sentinels" else v for k, v in host.items()}
            for host in s["CHANNEL_LAYERS"]["default"]["CONFIG"]["hosts"]
        ],
        "broker": s["CELERY_BROKER_URL"],
        "transport": s["CELERY_BROKER_TRANSPORT_OPTIONS"],
        "client_pool": client_pool,
        "async_pool": async_pool,
        "embedded_redis": embedded_redis,
        "database": {
            "DISABLE_SERVER_SIDE_CURSORS": database.get("DISABLE_SERVER_SIDE_CURSORS", False),
            "OPTIONS": {k: v for k, v in database.get("OPTIONS", {}).items() if k != "pool"},
            "pool": sorted(database.get("OPTIONS", {}).get("pool", {})),
            "checked": database["CONN_HEALTH_CHECKS"],
            "engine": database["ENGINE"],
        },
    }


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
    # restarted PgBouncer cut them all): by its socket, with the empty query only when the server
    # spoke (core.postgresql; tests/test_db_pool.py).
    assert got["database"]["pool"] and got["database"]["engine"] == "core.postgresql"
    plain = _settings()
    assert not plain["database"].get("DISABLE_SERVER_SIDE_CURSORS")
    assert "prepare_threshold" not in plain["database"].get("OPTIONS", {})
