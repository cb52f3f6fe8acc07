"""ASGI entry point: HTTP through Django, WebSockets through Channels (served by uvicorn)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

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
