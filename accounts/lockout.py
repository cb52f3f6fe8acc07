"""Brute-force protection of sign-in (django-axes): what a locked-out person or program is told.

Axes counts failed sign-ins (the login page and ``POST /api/v1/auth/token/`` alike, both through
``django.contrib.auth.authenticate``) in the database, per username and per address, and refuses
further attempts for ``AXES_COOLOFF_TIME`` once ``AXES_FAILURE_LIMIT`` is reached, before any
password is hashed. This module renders the refusal: API.md's 429 ``too_many_attempts`` with
``Retry-After`` under ``/api/``, the login page with the reason in Chinese elsewhere.
"""

from __future__ import annotations

import math
from typing import Any

from axes.helpers import get_cool_off
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def client_address(request: HttpRequest) -> str:
    """The client's address for counting failures. Behind ``TRUSTED_PROXY_COUNT`` proxies
    (HAProxy: 1), each appends the address it received from to X-Forwarded-For, so the client is
    that many entries from the right; whatever a client wrote itself further left is ignored.
    Without proxies (or without the header) it is the connection's own address."""
    from django.conf import settings

    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return str(request.META.get("REMOTE_ADDR", ""))


def client_device(request: HttpRequest) -> str:
    """A short digest of the client's User-Agent: the same browser or program gives the same one
    (evidence for risk alerts; the text itself is not kept)."""
    import hashlib

    agent = str(request.META.get("HTTP_USER_AGENT", ""))
    return hashlib.sha256(agent.encode()).hexdigest()[:32] if agent else ""


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    cool_off = get_cool_off(request)
    seconds = max(1, math.ceil(cool_off.total_seconds())) if cool_off else 60
    minutes = max(1, math.ceil(seconds / 60))
    detail = _("登录失败次数过多，请 %(minutes)s 分钟后再试。") % {"minutes": minutes}
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": "too_many_attempts", "detail": detail}, status=429)
    else:
        form = AuthenticationForm(request, data=request.POST or None)
        form.is_valid()  # binds the typed username back into the form; never signs in here
        form.errors.clear()
        form.add_error(None, detail)
        response = render(request, "registration/login.html", {"form": form}, status=429)
    response["Retry-After"] = str(seconds)
    return response
