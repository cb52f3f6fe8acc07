"""The fault suite's tools: a real redis-server of the test's own (on a free port, stopped and
started at will, empty after each start, as a Redis without persistence comes back) and the
market's real processes (uvicorn, Celery, the roles of the Procfile) pointed at it and at
pytest's test database.

Tests here are transactional (the subprocesses see what a test commits) and each stays under a
minute: CI runs the whole suite.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import redis
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "faults"
REDIS_SERVER = shutil.which("redis-server") or str(Path(sys.executable).parent / "redis-server")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Callable[[], Any], timeout: float, step: float = 0.1) -> Any:
    """``check()``'s first truthy value within ``timeout`` seconds, else None."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


class RedisServer:
    """One redis-server on a private port. ``kill`` is a crash (SIGKILL); ``start`` brings an
    empty one back on the same port (no RDB, no AOF: what a restarted cache-only Redis holds)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tempfile.mkdtemp(prefix="faults-redis-")
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        assert self.proc is None or self.proc.poll() is not None
        self.proc = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)

        def up() -> bool:
            # ours, not another test process's server that took the port between free_port and
            # this start (a port cannot be handed to redis-server held, as uvicorn's is)
            assert self.proc is not None and self.proc.poll() is None, "redis-server exited"
            try:
                return client.info("server")["process_id"] == self.proc.pid
            except redis.RedisError:
                return False

        assert wait_for(up, 10), "redis-server did not start"
        client.close()

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def restart_empty(self) -> None:
        self.kill()
        self.start()


@pytest.fixture
def private_redis() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.kill()
    shutil.rmtree(server.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def module_redis() -> Iterator[RedisServer]:
    """``private_redis`` shared by a module's tests (each leaves it running, or ``up`` starts it)."""
    server = RedisServer()
    server.start()
    yield server
    server.kill()
    shutil.rmtree(server.dir, ignore_errors=True)


def test_database_url() -> str:
    db = connection.settings_dict
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = quote(db.get("HOST") or "", safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{db['NAME']}"


test_database_url.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


def child_env(redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of a market process on the test database and ``redis_url``."""
    return dict(
        os.environ,
        DATABASE_URL=test_database_url(),
        REDIS_URL=redis_url,
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONPATH=str(ROOT),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        DEBUG="false",
        LOG_JSON="false",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
        **extra,
    )


class Process:
    """A market process with its output in ``test-artifacts/faults/<name>.log``."""

    def __init__(
        self, name: str, argv: list[str], env: dict[str, str], pass_fds: tuple[int, ...] = ()
    ) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.name = name
        # One file per test process: under pytest-xdist two workers may start the same role at once.
        self.log_path = ARTIFACTS / f"{name}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115 - lives as long as the process
        self.proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            pass_fds=pass_fds,
        )
        self._terminated = False

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def wait_for_output(self, text: str, timeout: float, count: int = 1) -> bool:
        return bool(wait_for(lambda: self.output().count(text) >= count or not self.alive(), timeout)) and (
            self.output().count(text) >= count
        )

    def kill(self) -> None:
        """SIGKILL to the whole process group: the process and its pool children die at once."""
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def terminate(self) -> None:
        """SIGTERM to the process group, once (a second one may be read as "stop now")."""
        if self.alive() and not self._terminated:
            self._terminated = True
            os.killpg(self.proc.pid, signal.SIGTERM)

    def stop(self) -> None:
        self.terminate()
        if self.alive():
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()


@contextlib.contextmanager
def _process_group(django_db_blocker: Any) -> Iterator[Callable[..., Process]]:
    started: list[Process] = []

    def start(name: str, argv: list[str], env: dict[str, str], pass_fds: tuple[int, ...] = ()) -> Process:
        process = Process(name, argv, env, pass_fds)
        started.append(process)
        return process

    yield start
    for process in started:  # all at once: each takes its own while to shut down
        process.terminate()
    for process in started:
        process.stop()
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        for _ in range(100):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.1)


@pytest.fixture
def processes(django_db_blocker: Any) -> Iterator[Callable[..., Process]]:
    """Start market processes; every one is stopped at the end, and the test database waits until
    their connections are gone (pytest-django drops it at the end of the session)."""
    with _process_group(django_db_blocker) as start:
        yield start


@pytest.fixture(scope="module")
def module_processes(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Callable[..., Process]]:
    """``processes`` for a module's tests that share a process (a server they do not disturb for
    one another): stopped after the module's last test."""
    with _process_group(django_db_blocker) as start:
        yield start


def procfile_roles() -> dict[str, list[str]]:
    """The roles of the Procfile (how the README runs the market), as argv lists."""
    roles = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if ":" in line and not line.lstrip().startswith("#"):
            name, command = line.split(":", 1)
            roles[name.strip()] = shlex.split(command)
    return roles


def celery_worker_argv(*extra: str) -> list[str]:
    """The Procfile's worker, run by this interpreter."""
    argv = procfile_roles()["worker"]
    assert argv[:3] == ["celery", "-A", "config"], argv
    return [sys.executable, "-m", "celery", *argv[1:], *extra]
