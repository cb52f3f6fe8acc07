"""The web role's server: uvicorn, each of its worker processes accepting on a socket of its own.

    python -m config.serve config.asgi:application --host 0.0.0.0 --port 8000 --workers 2 ...

takes uvicorn's own options and runs uvicorn's own supervisor, with one difference. ``uvicorn
--workers N`` binds one socket in the supervisor and every worker accepts on it, so a connection
goes to whichever worker's event loop wakes first, and asyncio accepts up to a hundred pending
connections at each wake-up: a burst of connections (bidders entering a room as it opens, HAProxy
opening its pool) lands on one worker. ``bench/bid_stack.py``'s 32 bidders had 27 and 28 of their
32 connections on one worker of two (``ss``, both the HTTP and the WebSocket variant), which then
queued them behind each other while the other sat idle: HTTP p99 94.9-107.6 ms at 160 bids a second
with the server 0.8 of 2 CPUs busy (#17.1). uvicorn has no option for it (its pull request 2472 is
open; gunicorn's ``reuse_port`` shares one socket too).

Here, with more than one worker on a TCP address (Linux's ``SO_REUSEPORT``), the supervisor first
checks that nothing listens on the port (another market server of the same user could otherwise
join the group and take half its connections), then binds the address without listening on it (it
keeps the port), and each worker, as it starts, binds a socket of its own to the same address: the
kernel spreads new connections over the workers' sockets by their addresses' hash. A worker
restarted by the supervisor binds its own again; one that cannot bind stops the supervisor, as a
worker that cannot start does in uvicorn. With one worker, ``--reload``, ``--fd``, a Unix socket or
outside Linux, uvicorn binds as it always does.

The price of a socket per worker: the connections the kernel has queued on a worker's socket but
the worker has not yet accepted are reset when that worker stops (a restart, a crash, uvicorn
killing a hung one), where a shared socket would have let another worker take them; and a hung
worker keeps being given its share of new connections until uvicorn's health check replaces it.
Linux 5.14 and later move such queued connections to the group's other sockets instead when
``net.ipv4.tcp_migrate_req`` is 1 (``deploy/compose.yaml`` sets it for the web role).
"""

from __future__ import annotations

import logging
import socket
import sys
from pathlib import Path
from typing import Any

import uvicorn.config
import uvicorn.main
from uvicorn.config import STARTUP_FAILURE, Config

logger = logging.getLogger("uvicorn.error")
_uvicorn_bind_socket = Config.bind_socket


def _reuse_port_socket(kind: type[socket.socket], family: int, address: tuple[Any, ...]) -> socket.socket:
    """A socket of ``kind`` bound to ``address`` in the address's ``SO_REUSEPORT`` group, not
    listening (uvicorn's server listens on it); ``OSError`` if it cannot bind."""
    sock = kind(family=family, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


def _bind(family: int, address: tuple[Any, ...]) -> socket.socket:
    """The worker's own socket, made as the worker starts; a worker that cannot bind exits as one
    that cannot start, and the supervisor stops instead of starting it again."""
    try:
        return _reuse_port_socket(socket.socket, family, address)
    except OSError as exc:
        logger.error("worker could not bind %s: %s", address, exc)
        sys.exit(STARTUP_FAILURE)


class WorkerOwnSocket(socket.socket):
    """The supervisor's bound socket. Handed to a worker process (pickled by ``multiprocessing``'s
    spawn, which uvicorn starts its workers with), it arrives as a new socket of the worker's own,
    bound to the same address, instead of as a copy of this one."""

    def __reduce__(self) -> tuple[Any, ...]:
        return _bind, (self.family, self.getsockname())


def bind_socket(config: Config) -> socket.socket:
    """``Config.bind_socket``: the supervisor's socket, a ``WorkerOwnSocket`` where each worker
    should have its own (the module's docstring), else uvicorn's."""
    if (
        config.workers <= 1
        or config.should_reload
        or config.uds is not None
        or config.fd is not None
        or sys.platform != "linux"
    ):
        return _uvicorn_bind_socket(config)
    family, shown = (
        (socket.AF_INET6, "%s://[%s]:%d") if ":" in config.host else (socket.AF_INET, "%s://%s:%d")
    )
    try:
        if config.port:  # nothing may listen there already, whatever its options (see above)
            with socket.socket(family=family, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
                probe.bind((config.host, config.port))
        sock = _reuse_port_socket(WorkerOwnSocket, family, (config.host, config.port))
    except OSError as exc:
        logger.error(exc)
        sys.exit(STARTUP_FAILURE)
    logger.info(
        f"Uvicorn running on {shown} (Press CTRL+C to quit), each of its %d workers on a socket of its own",
        "https" if config.is_ssl else "http",
        config.host,
        sock.getsockname()[1],
        config.workers,
    )
    return sock


def listening(port: int) -> int:
    """How many sockets listen on TCP ``port`` over IPv4 (``/proc/net/tcp``, state 0A): one per
    worker once such a server is up (the tests and the benches wait for it)."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
            count += 1
    return count


def main() -> None:
    uvicorn.config.Config.bind_socket = bind_socket  # type: ignore[method-assign]
    uvicorn.main.main()


if __name__ == "__main__":
    # Run as ``python -m config.serve``, this module is ``__main__``: start from ``config.serve``'s
    # own names, so that the workers unpickle the socket as ``config.serve.WorkerOwnSocket``.
    from config.serve import main as serve

    serve()
