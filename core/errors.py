"""One domain error type, mapped once to the error body of API.md.

Services raise ``DomainError`` (or a subclass) with a stable ``code``; the DRF exception handler
here and the live room's ``bid.rejected`` message both render it. Every API error, including
DRF's own validation, authentication, permission, 404 and throttling errors, leaves as
``{"code": ..., "detail": ..., "fields": {...}}``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response


class DomainError(Exception):
    """A request the market's rules refuse: 422 unless a subclass says otherwise."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY

    def __init__(self, code: str, detail: Any = "", *, fields: dict[str, Any] | None = None) -> None:
        super().__init__(code, detail)
        self.code = code
        self.detail = str(detail) if detail else code
        self.fields = fields

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "detail": self.detail}
        if self.fields:
            body["fields"] = self.fields
        return body


class Conflict(DomainError):
    """The request conflicts with the object's current state (409)."""

    status_code = status.HTTP_409_CONFLICT


class Forbidden(DomainError):
    """The caller may not do this to this object (403)."""

    status_code = status.HTTP_403_FORBIDDEN


class NotFound(DomainError):
    """Not there, or not the caller's to see: the same answer either way (404)."""

    status_code = status.HTTP_404_NOT_FOUND


class InvalidInput(DomainError):
    """Malformed input found by a service rather than a serializer (400)."""

    status_code = status.HTTP_400_BAD_REQUEST


def invalid_cursor() -> InvalidInput:
    """400 ``invalid_cursor`` (API.md, Conventions): every cursor list answers a cursor it did not
    hand out with this one error."""
    return InvalidInput(
        "invalid_cursor", _("分页游标无效，请从第一页重新开始。"), fields={"cursor": [_("无效。")]}
    )


# DRF codes that say nothing beyond "this field is wrong"; a more specific one names the error.
_GENERIC_CODES = {
    "invalid",
    "required",
    "null",
    "blank",
    "max_length",
    "min_length",
    "max_value",
    "min_value",
    "invalid_choice",
    "does_not_exist",
    "incorrect_type",
    "not_a_list",
    "empty",
    "max_digits",
    "max_decimal_places",
    "max_whole_digits",
    "date",
    "datetime",
    "parse_error",
    "not_a_dict",
    "unique",
}


def _flatten_codes(codes: Any) -> list[str]:
    if isinstance(codes, dict):
        return [c for v in codes.values() for c in _flatten_codes(v)]
    if isinstance(codes, list):
        return [c for v in codes for c in _flatten_codes(v)]
    return [str(codes)]


def _plain(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {k: _plain(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [_plain(v) for v in detail]
    return str(detail)


def validation_body(exc: exceptions.ValidationError) -> dict[str, Any]:
    detail = exc.detail
    codes = exc.get_codes()
    specific = [c for c in _flatten_codes(codes) if c not in _GENERIC_CODES]
    code = specific[0] if specific else "invalid_input"
    if isinstance(detail, dict):
        fields = _plain(detail)
        non_field = fields.pop("non_field_errors", None)
        text = str(non_field[0]) if non_field else str(_("请检查标出的字段。"))
        body: dict[str, Any] = {"code": code, "detail": text}
        if fields:
            body["fields"] = fields
        return body
    messages = _plain(detail)
    text = messages[0] if isinstance(messages, list) and messages else str(messages)
    return {"code": code, "detail": text}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    from rest_framework.views import exception_handler  # here: DRF's views import our settings

    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("未找到。"))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = validation_body(exc)
        return response
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        response.data = {
            "code": code,
            "detail": str(exc.detail)
            if not isinstance(exc.detail, (dict, list))
            else str(_plain(exc.detail)),
        }
    return response
