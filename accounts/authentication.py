"""``Authorization: Token <key>`` for programs. Read-only tokens make only safe requests."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS

from .models import ApiToken
from .services import api_token_resolve


class ReadOnlyToken(exceptions.PermissionDenied):
    default_detail = _("只读令牌不能修改数据。")
    default_code = "read_only_token"


def _revokes_itself(request: Any) -> bool:
    """``DELETE /api/v1/auth/token/``: any token, read-only too, may revoke itself (API.md)."""
    return request.method == "DELETE" and request.path == reverse("token")


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Any) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式不正确。"))
        try:
            key = parts[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("令牌格式不正确。")) from exc
        token = api_token_resolve(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("令牌无效或已撤销。"))
        if token.read_only and request.method not in SAFE_METHODS and not _revokes_itself(request):
            raise ReadOnlyToken()
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        # Makes unauthenticated API requests 401 (with a challenge) rather than 403.
        return self.keyword
