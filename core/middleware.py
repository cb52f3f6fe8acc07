"""Every response under ``/api/`` is JSON in API.md's error shape, whatever went wrong, and every
request carries an id that its log lines and its 500 body share.

``RequestIdMiddleware`` (first) takes a sane ``X-Request-ID`` from the proxy or makes one, puts it
on the request, in a context variable that ``RequestIdFilter`` copies onto every log record of the
request, and on the response. ``ApiErrorsMiddleware`` (right after it) answers a body over
``DATA_UPLOAD_MAX_MEMORY_SIZE`` with 413 before anything reads it, turns an uncaught exception into
500 ``server_error`` with the request id, and rewrites any other non-JSON error under ``/api/``
(Django's 404 for an unknown path, 405, 400) into ``{"code", "detail"}``. DRF's own errors are
already in that shape (``core.errors.api_exception_handler``) and pass unchanged.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable

import redis
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
logger = logging.getLogger("market.errors")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record logged while a request is served."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = REQUEST_ID.get()
        if request_id and not hasattr(record, "request_id"):
            record.request_id = request_id
        return True


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _SANE_ID.fullmatch(given) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = REQUEST_ID.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            REQUEST_ID.reset(token)
        response["X-Request-ID"] = request_id
        return response


# The error code of a status when nothing more specific was said.
STATUS_CODES = {
    400: "invalid_input",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_attempts",
    503: "service_unavailable",
}


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _too_big(request: HttpRequest) -> bool:
    """A body over the limit, by its declared length (uploads of files are counted elsewhere)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None or request.content_type == "multipart/form-data":
        return False
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > limit
    except ValueError:
        return False


def server_error_response(request: HttpRequest) -> JsonResponse:
    request_id = getattr(request, "request_id", "") or REQUEST_ID.get()
    body = {
        "code": "server_error",
        "detail": _("服务器出错了，我们已记录。请稍后重试；如需联系平台，请提供编号 %(id)s。")
        % {"id": request_id},
        "request_id": request_id,
    }
    return JsonResponse(body, status=500, json_dumps_params={"ensure_ascii": False})


class ApiErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _is_api(request):
            return self.get_response(request)
        if _too_big(request):
            limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024
            detail = _("请求体过大（上限 %(mb).1f MB）。") % {"mb": limit_mb}
            return JsonResponse({"code": "payload_too_large", "detail": detail}, status=413)
        response = self.get_response(request)
        if response.status_code < 400 or response.get("Content-Type", "").startswith("application/json"):
            return response
        if response.status_code >= 500:
            fixed: HttpResponse = server_error_response(request)
        else:
            code = STATUS_CODES.get(response.status_code, "error")
            fixed = JsonResponse(
                {"code": code, "detail": response.reason_phrase}, status=response.status_code
            )
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                fixed[header] = response[header]
        return fixed

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """An exception no view handled: logged with its traceback and the request id, answered
        as 500 ``server_error`` (pages keep Django's 500 page)."""
        if not _is_api(request):
            return None
        request_id = getattr(request, "request_id", "")
        if isinstance(exception, redis.ConnectionError | redis.TimeoutError):
            # A feature that cannot work without Redis (rate limits and news do without it).
            logger.warning(
                "service unavailable: Redis", extra={"path": request.path, "error": str(exception)}
            )
            unavailable = JsonResponse(
                {"code": "service_unavailable", "detail": _("服务暂时不可用，请稍后重试。")},
                status=503,
                json_dumps_params={"ensure_ascii": False},
            )
            unavailable["Retry-After"] = "5"
            return unavailable
        logger.error(
            "server error", exc_info=exception, extra={"path": request.path, "request_id": request_id}
        )
        return server_error_response(request)
