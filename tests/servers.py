"""The web servers the tests start: on a port held from the moment it is chosen."""

from __future__ import annotations

import socket
import sys


def held_socket() -> socket.socket:
    """A listening socket on a free port of 127.0.0.1, handed to the server (``uvicorn --fd``).
    Choosing a free port and letting the server bind it later raced: another xdist worker's server
    could take the port in between; ours then failed to bind ("address already in use") while the
    other one answered the health check, and a worker's page tests talked to another worker's
    server and database (404 for every row they made). Close it once the server has stopped."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def uvicorn_argv(sock: socket.socket) -> list[str]:
    """The web role (``config.asgi``) serving on ``sock``; start it with ``pass_fds=(sock.fileno(),)``."""
    return [
        sys.executable,
        "-m",
        "config.serve",  # the web role's server (uvicorn; with one socket given, exactly uvicorn)
        "config.asgi:application",
        "--fd",
        str(sock.fileno()),
        "--lifespan",
        "off",
        "--log-level",
        "warning",
    ]
