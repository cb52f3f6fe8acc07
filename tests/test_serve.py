"""``python -m config.serve``, the web role's server: uvicorn whose worker processes each accept on
a socket of their own (``SO_REUSEPORT``), so a burst of connections is spread over the workers and
not taken by whichever woke first (``uvicorn --workers 2`` put 27 of 32 bidders on one worker)."""

from __future__ import annotations

import asyncio
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.serve import listening

ROOT = Path(__file__).resolve().parents[1]


def _wait(condition, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what}")
        time.sleep(0.1)


def _serve(port: int) -> subprocess.Popen[str]:
    """``tests.pid_app`` served by ``python -m config.serve`` with two workers on ``port``."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "config.serve",
            "tests.pid_app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
        + ["--workers", "2", "--lifespan", "off", "--no-access-log"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def server() -> Iterator[int]:
    """Two workers on a port the supervisor chose (``--port 0``); its port once both listen. The
    server's output is read to its end by a thread (a full pipe would stop the server)."""
    proc = _serve(0)
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    try:
        while True:  # the supervisor says where it listens before starting the workers
            line = lines.get(timeout=60)
            assert line is not None, f"the server stopped before listening ({proc.wait()})"
            found = re.search(r"running on http://127\.0\.0\.1:(\d+)", line)
            if found:
                port = int(found.group(1))
                break
        _wait(lambda: listening(port) == 2, "a listening socket per worker")
        yield port
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _burst(port: int, connections: int = 32) -> Counter[int]:
    """``connections`` connections opened at once, then one request on each: the process that
    answered each."""

    async def burst() -> list[int]:
        opened = await asyncio.gather(
            *(asyncio.open_connection("127.0.0.1", port) for _ in range(connections))
        )
        answered = []
        for reader, writer in opened:
            writer.write(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"content-length: (\d+)", head, re.I).group(1))
            answered.append(int(await reader.readexactly(length)))
            writer.close()
        return answered

    return Counter(asyncio.run(burst()))


def test_each_worker_listens_on_a_socket_of_its_own(server):
    assert listening(server) == 2  # uvicorn --workers 2: one socket, shared


def test_a_burst_of_connections_is_spread_over_the_workers(server):
    # Spread by the connections' hash: one worker gets fewer than 6 of 32 with probability 1 in 9,000.
    answered = _burst(server)
    assert len(answered) == 2 and min(answered.values()) >= 6, answered


def test_a_worker_that_dies_is_replaced_by_one_with_its_own_socket(server):
    first, second = _burst(server)
    os.kill(first, signal.SIGKILL)

    def replaced() -> bool:
        try:  # a connection the kernel had queued for the dead worker's socket is reset
            answered = _burst(server)
        except (OSError, asyncio.IncompleteReadError):
            return False
        return len(answered) == 2 and first not in answered and second in answered

    _wait(replaced, "both sockets answering again, the dead worker's by its replacement")
    assert listening(server) == 2


def test_a_second_server_on_the_same_port_is_refused(server):
    """Sockets with ``SO_REUSEPORT`` of the same user could share the port: a second server started
    there by mistake would take half the connections. It stops at once, as uvicorn's would."""
    second = _serve(server)
    try:
        _out, err = second.communicate(timeout=60)
    finally:
        if second.poll() is None:
            second.kill()
            second.wait()
    assert second.returncode == 3 and "Address already in use" in err, err
    assert listening(server) == 2
