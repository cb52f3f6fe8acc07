"""ASGI entry point: HTTP through Django, WebSockets through Channels (served by uvicorn)."""

import os

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponseBase

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
    An async view, should one come, still works (Django adapts it), at the price of one hop."""

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


django.setup(set_prefix=False)
django_asgi_app = SyncStackASGIHandler()

from config.checks import refuse_to_start_on_errors  # noqa: E402

refuse_to_start_on_errors()  # a missing secret stops the web server here (config.E001)

from listings.search import tokenizer  # noqa: E402

# jieba's dictionary is loaded here, before the server takes requests, not by the first catalogue
# search: that load (a second or more on a busy host) would hold every sync view of the process,
# which Django runs on one thread. A web host restarted behind HAProxy comes back warm.
tokenizer()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from config.websocket import OriginChecked, WebsocketAuthMiddleware, websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": OriginChecked(WebsocketAuthMiddleware(URLRouter(websocket_urlpatterns))),
    }
)
