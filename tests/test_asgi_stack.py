"""The HTTP side of ``config.asgi``: Django's middleware and views run as under WSGI, entered once
on the request's own thread (``config.asgi.SyncStackASGIHandler``, issue #17.1).

Django's stock ASGI handler ran the ``MiddlewareMixin`` middleware in async mode, crossing to the
request's thread and back for each of their methods: about twenty thread hand-overs for one request
to a sync view, a third of a REST bid's server CPU."""

from __future__ import annotations

import json

import pytest
from asgiref import sync
from asgiref.testing import ApplicationCommunicator

from config.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def _get(path: str) -> tuple[int, dict[bytes, bytes], bytes]:
    """A GET through the ASGI application: its status, headers and whole body (every part)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    app = ApplicationCommunicator(application, scope)
    await app.send_input({"type": "http.request", "body": b"", "more_body": False})
    start = await app.receive_output(timeout=30)
    body = b""
    while True:
        message = await app.receive_output(timeout=30)
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await app.wait(timeout=30)
    return start["status"], {k.lower(): v for k, v in start["headers"]}, body


async def test_a_request_crosses_between_the_loop_and_its_thread_a_few_times_not_per_middleware(monkeypatch):
    crossings = []
    real_to_thread, real_to_loop = sync.SyncToAsync.__call__, sync.AsyncToSync.__call__

    async def to_thread(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        crossings.append(getattr(self.func, "__qualname__", repr(self.func)))
        return await real_to_thread(self, *args, **kwargs)

    def to_loop(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        crossings.append(getattr(self.awaitable, "__qualname__", repr(self.awaitable)))
        return real_to_loop(self, *args, **kwargs)

    await _get("/api/v1/auctions/999999/")  # warm: first requests load the URLconf and views
    monkeypatch.setattr(sync.SyncToAsync, "__call__", to_thread)
    monkeypatch.setattr(sync.AsyncToSync, "__call__", to_loop)
    status, headers, body = await _get("/api/v1/auctions/999999/")
    # Still the whole stack: the API's error shape (ApiErrorsMiddleware, DRF) and the request id.
    assert status == 404
    assert json.loads(body)["code"] == "not_found"
    assert headers.get(b"x-request-id")
    # Once: the request_started signal, the stack and closing the response, all on its thread
    # (Django's handler crossed for each of the three).
    assert crossings == ["SyncStackASGIHandler.respond"], crossings


async def test_a_request_starts_no_thread_once_the_process_is_warm(monkeypatch):
    """Django's handler gave every request a new executor: a thread started for the request and
    another to join it, the event loop waiting in ``Thread.start`` for each. The request threads
    are kept now, as a WSGI server keeps its threads."""
    import threading

    await _get("/api/v1/auctions/999999/")  # warm: a thread for the first request
    started = []
    real_start = threading.Thread.start

    def start(self):  # type: ignore[no-untyped-def]
        started.append(self.name)
        return real_start(self)

    monkeypatch.setattr(threading.Thread, "start", start)
    for _ in range(3):
        status, _headers, _body = await _get("/api/v1/auctions/999999/")
        assert status == 404
    assert started == []


async def test_requests_in_flight_together_are_served_on_different_threads(monkeypatch):
    """Each request in flight has a thread of its own (its database connection is its thread's):
    two requests that must be inside the stack at the same moment both get there."""
    import asyncio
    import threading

    from config.asgi import django_asgi_app

    both_inside = threading.Barrier(2, timeout=10)
    threads = set()
    real_get_response = django_asgi_app.get_response

    def get_response(request):  # type: ignore[no-untyped-def]
        threads.add(threading.get_ident())
        both_inside.wait()  # a BrokenBarrierError (500) if the other request cannot get in
        return real_get_response(request)

    monkeypatch.setattr(django_asgi_app, "get_response", get_response)
    (s1, _, _), (s2, _, _) = await asyncio.gather(
        _get("/api/v1/auctions/999999/"), _get("/api/v1/auctions/999998/")
    )
    assert (s1, s2) == (404, 404)
    assert len(threads) == 2


async def test_no_more_requests_run_in_the_stack_at_once_than_the_process_has_request_threads(monkeypatch):
    """A process runs at most ``WEB_REQUEST_THREADS`` requests through Django at once; the others
    wait on the event loop and are answered after. With a thread for every request in flight, 32
    bidders on one auction took the interpreter lock from each other, the one holding the auction's
    row lock included: HTTP p99 89-188 ms in bench/bid_stack.py, 21 ms with 4 threads (#17.1)."""
    import asyncio
    import threading
    import time

    from django.conf import settings

    from config.asgi import django_asgi_app

    bound = settings.WEB_REQUEST_THREADS
    all_of_a_bound_inside = threading.Barrier(bound, timeout=10)  # they do get in together
    inside, most = 0, 0
    count = threading.Lock()
    real_get_response = django_asgi_app.get_response

    def get_response(request):  # type: ignore[no-untyped-def]
        nonlocal inside, most
        with count:
            inside += 1
            most = max(most, inside)
        try:
            all_of_a_bound_inside.wait()
            time.sleep(0.05)
            return real_get_response(request)
        finally:
            with count:
                inside -= 1

    monkeypatch.setattr(django_asgi_app, "get_response", get_response)
    answers = await asyncio.gather(*(_get(f"/api/v1/auctions/{999990 - i}/") for i in range(2 * bound)))
    assert [status for status, _, _ in answers] == [404] * (2 * bound)
    assert most == bound


def _streamed(request):  # type: ignore[no-untyped-def]
    from django.http import StreamingHttpResponse

    def parts():  # type: ignore[no-untyped-def]
        for i in range(3):
            STREAM_EVENTS.append(f"part {i}")
            yield f"part {i};"

    return StreamingHttpResponse(parts(), content_type="text/plain")


STREAM_EVENTS: list[str] = []
urlpatterns = [__import__("django.urls", fromlist=["path"]).path("streamed/", _streamed)]


async def test_a_streaming_response_is_sent_whole_and_closed_after_its_last_part(settings):
    """A response whose body is made as it is sent (an export, a file) is closed, and the request
    finished (its database connection given back), only once all of it went out."""
    from django.core import signals

    settings.ROOT_URLCONF = __name__
    STREAM_EVENTS.clear()

    def finished(**_kwargs):  # type: ignore[no-untyped-def]
        STREAM_EVENTS.append("request_finished")

    signals.request_finished.connect(finished)
    try:
        status, _headers, body = await _get("/streamed/")
    finally:
        signals.request_finished.disconnect(finished)
    assert status == 200
    assert body == b"part 0;part 1;part 2;"
    assert STREAM_EVENTS == ["part 0", "part 1", "part 2", "request_finished"]
