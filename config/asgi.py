"""ASGI entry point: HTTP through Django, WebSockets through Channels (served by uvicorn)."""

import asyncio
import contextlib
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse, HttpRequest, HttpResponseBase
from django.urls import set_script_prefix

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class SyncStackASGIHandler(ASGIHandler):
    """Django over ASGI with its middleware and views run as under WSGI: the whole stack on the
    request's own thread, entered once.

    Django's own ASGI handler builds the middleware chain in async mode: each ``MiddlewareMixin``
    middleware (Django's, django-csp's) then crosses to the request's thread and back for every
    ``process_request``/``process_view``/``process_response``, and a sync-only one above them
    (WhiteNoise, ours) crosses back the other way for the rest of the chain: about twenty thread
    hand-overs for one request to a sync view, which were a third of a REST bid's server CPU (py-spy,
    issue #17.1) and, on a loaded host, a wait for a CPU each. Every view and middleware of the market
    is sync, so the chain is built sync and entered once, on the thread Django gives each request
    (asgiref's ``ThreadSensitiveContext``: requests do not wait for one another's database calls).
    An async view, should one come, still works (Django adapts it), at the price of one hop.

    That thread is kept for the process's later requests, as a WSGI server keeps its threads:
    Django's handler gives each request a new ``ThreadSensitiveContext``, whose executor starts a
    thread for the request and another to join it at the end, and the event loop waits in
    ``Thread.start`` for each to run -- on a busy host, a wait for a CPU that held every request of
    the process (py-spy, #17.1). Here a request takes an idle single-thread executor (or makes one)
    and gives it back when it is answered: a thread still serves one request at a time, and two
    requests in flight are on two threads, so they still do not wait for one another's database
    calls, up to ``WEB_REQUEST_THREADS`` of them in Django's stack at once. Django's connections
    are per thread and go back to their pool (or are closed, or kept for ``CONN_MAX_AGE``) at the
    end of each request, as under WSGI.

    And a request crosses to its thread once: Django's handler crossed three times (the
    ``request_started`` signal, the response, closing it), each a wait for the other thread to be
    given a CPU. Here ``respond`` does all three on the thread, closing a response whose body is
    already in memory (``request_finished``: its database connection goes back to the pool) before
    its bytes go out. A streaming response (an export, a file) is sent as Django sends it, watching
    for the client leaving, and closed after its last chunk."""

    KEEP_IDLE = 32  # threads kept waiting for requests; more in flight at once make more

    def __init__(self) -> None:
        from django.conf import settings

        super().__init__()
        self._idle: list[ThreadPoolExecutor] = []
        # At most WEB_REQUEST_THREADS requests of the process in Django's stack at once, as a WSGI
        # server's threads; the rest wait on the event loop. With every request in flight on a
        # thread of its own, they competed for one interpreter lock: a thread back from the
        # database with a row lock held waited for the lock behind the others' Python, and the
        # requests queued at that row behind it. 32 bidders on one auction over HTTP (bench/bid_stack.py),
        # p99 89-188 ms with no bound, 21 ms with 4 and 17 ms with 2 (#17.1).
        self._running = asyncio.Semaphore(settings.WEB_REQUEST_THREADS)

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        executor = self._idle.pop() if self._idle else ThreadPoolExecutor(1, thread_name_prefix="request")
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            if len(self._idle) < self.KEEP_IDLE:
                self._idle.append(executor)
            else:
                executor.shutdown(wait=False)

    async def handle(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        try:
            async with self._running:
                response = await sync_to_async(self.respond, thread_sensitive=True)(scope, body_file)
            if response.streaming:
                await self._stream(response, receive, send)
            else:
                await self.send_response(response, send)
        finally:
            body_file.close()

    def respond(self, scope: dict[str, Any], body_file: Any) -> HttpResponseBase:
        """Django's whole work for one request, on the request's thread."""
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, error = self.create_request(scope, body_file)
        if request is None:  # a body Django could not read as a request: its 400 or 413
            response: HttpResponseBase = error
        else:
            response = self.get_response(request)
            response._handler_class = self.__class__  # type: ignore[attr-defined]
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
        if not response.streaming:
            response.close()
        return response

    async def _stream(self, response: HttpResponseBase, receive: Any, send: Any) -> None:
        sending = asyncio.create_task(self.send_response(response, send))
        leaving = asyncio.create_task(self.listen_for_disconnect(receive))
        try:
            await asyncio.wait([sending, leaving], return_when=asyncio.FIRST_COMPLETED)
            for task in (leaving, sending):  # the client left: stop sending; or all was sent
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, RequestAborted):
                    await task
        finally:
            await sync_to_async(response.close, thread_sensitive=True)()

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


django.setup(set_prefix=False)
django_asgi_app = SyncStackASGIHandler()

from config.checks import refuse_to_start_on_errors  # noqa: E402

refuse_to_start_on_errors()  # a missing secret stops the web server here (config.E001)

from django.conf import settings  # noqa: E402

from listings.search import tokenizer  # noqa: E402

# jieba's dictionary is loaded here, before the server takes requests, not by the first catalogue
# search: that load (a second or more on a busy host) would hold every sync view of the process,
# which Django runs on one thread. A web host restarted behind HAProxy comes back warm.
# Not under DEBUG (`dev.py run`): there the first page a person opens after a fresh start should
# not wait for a dictionary it does not use; the first search of the process loads it (#17.6).
if not settings.DEBUG:
    tokenizer()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from config.websocket import OriginChecked, WebsocketAuthMiddleware, websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": OriginChecked(WebsocketAuthMiddleware(URLRouter(websocket_urlpatterns))),
    }
)

from config.warm import freeze_after_start  # noqa: E402

freeze_after_start()  # the rest of the URL configuration imported, and the process's objects frozen
