"""WebSocket routing and authentication: the session cookie (browsers) or an
``Authorization: Token <key>`` header (programs). Tokens are never read from the query string."""

from __future__ import annotations

from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from channels.security.websocket import OriginValidator
from django.conf import settings

websocket_urlpatterns: list[Any] = []
try:
    from auctions.routing import websocket_urlpatterns as _auction_routes

    websocket_urlpatterns += _auction_routes
except ImportError:  # the auctions app has no live room yet
    pass


@database_sync_to_async
def _user_for_token(key: str) -> Any:
    from accounts.services import api_token_resolve

    token = api_token_resolve(key)
    return token.user if token is not None else None


class TokenHeaderMiddleware(BaseMiddleware):
    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        headers = dict(scope.get("headers") or [])
        auth = headers.get(b"authorization", b"").decode(errors="ignore").split()
        if len(auth) == 2 and auth[0].lower() == "token":
            user = await _user_for_token(auth[1])
            if user is not None:
                scope = dict(scope, user=user)
        return await super().__call__(scope, receive, send)


def WebsocketAuthMiddleware(inner: Any) -> Any:  # noqa: N802 - reads like the middleware it builds
    # The session stack sets scope["user"] lazily; the token middleware runs inside it and overrides.
    return AuthMiddlewareStack(TokenHeaderMiddleware(inner))


class BrowserOriginValidator(OriginValidator):
    """Refuse WebSocket handshakes whose Origin is not one of ours; allow those without one.

    The check exists to stop another site's page from riding a visitor's session cookie into the
    live room (cross-site WebSocket hijacking), and browsers always send Origin on a WebSocket
    handshake. A program connecting with ``Authorization: Token`` sends none; refusing it would
    protect nothing, since a program can write any Origin it likes.
    """

    def valid_origin(self, parsed_origin: Any) -> bool:
        if parsed_origin is None:
            return True
        return bool(super().valid_origin(parsed_origin))


def OriginChecked(inner: Any) -> Any:  # noqa: N802 - reads like the validator it builds
    allowed = settings.ALLOWED_HOSTS or (["localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
    return BrowserOriginValidator(inner, allowed)
