"""The ``Idempotency-Key`` mechanism of API.md, one piece for every endpoint that moves money or bids.

The same key with the same body returns the first response (success or refusal); the same key with
another body is 422 ``idempotency_key_reused``. Two concurrent requests with one key: the second
waits on the unique index until the first commits, then replays its response.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import DomainError, api_exception_handler

from .models import IdempotencyRecord

HEADER = "Idempotency-Key"


def _request_hash(request: Request) -> str:
    payload = json.dumps(request.data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _replay(record: IdempotencyRecord, request_hash: str) -> Response:
    if record.request_hash != request_hash:
        raise DomainError("idempotency_key_reused", _("该 Idempotency-Key 已用于另一个请求。"))
    response = Response(record.body, status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def run_idempotent(request: Request, scope: str, produce: Callable[[], Response]) -> Response:
    key = request.headers.get(HEADER, "").strip()
    if not key or not request.user.is_authenticated:
        return produce()
    if len(key) > 200:
        raise exceptions.ValidationError({HEADER: [_("Idempotency-Key 过长（最多 200 个字符）。")]})
    request_hash = _request_hash(request)
    lookup = {"user": request.user, "scope": scope, "key": key}
    with transaction.atomic():
        existing = IdempotencyRecord.objects.filter(**lookup).first()
        if existing is not None:
            return _replay(existing, request_hash)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    request_hash=request_hash, status_code=0, body={}, **lookup
                )
        except IntegrityError:
            # A concurrent request with this key committed first.
            return _replay(IdempotencyRecord.objects.get(**lookup), request_hash)
        try:
            with transaction.atomic():
                response = produce()
        except (DomainError, exceptions.APIException) as exc:
            handled = api_exception_handler(exc, {})
            assert handled is not None
            response = handled
        record.status_code = response.status_code
        record.body = response.data
        record.save(update_fields=["status_code", "body"])
    return response


def idempotent(scope: str) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Decorate a DRF view method; ``scope`` is formatted with the URL kwargs (``"bid:{pk}"``)."""

    def decorator(method: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(method)
        def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
            return run_idempotent(
                request, scope.format(**kwargs), lambda: method(self, request, *args, **kwargs)
            )

        return wrapper

    return decorator
