"""Cursor pages: ``{"results": [...], "next": url or null}`` (API.md, Conventions)."""

from __future__ import annotations

import contextlib
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination, CursorPagination
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param

from core.errors import invalid_cursor
from core.sync import sync_page


class CursorPage(CursorPagination):
    """Stable pages for any list; the default order is by ``id``. A cursor this list did not hand
    out (unreadable, or a position that is not a value of the ordering field) is 400
    ``invalid_cursor``, never a database error."""

    ordering = ("id",)
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request: Any) -> Any:
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise invalid_cursor() from None
        if cursor is not None and cursor == (0, False, None):  # decoded to nothing: not one of ours
            raise invalid_cursor()
        if cursor is not None and cursor.position is not None:
            name = self.ordering[0].lstrip("-") if isinstance(self.ordering, (list, tuple)) else self.ordering
            try:
                field = self._model._meta.get_field(name.lstrip("-"))
                field.to_python(cursor.position)
            except (DjangoValidationError, ValueError, TypeError, FieldDoesNotExist):
                raise invalid_cursor() from None
        return cursor

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"results": data, "next": self.get_next_link()})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["results", "next"],
            "properties": {
                "results": schema,
                "next": {"type": "string", "nullable": True, "format": "uri"},
            },
        }


class SyncCursorPage(BasePagination):
    """Public lists that clients sync incrementally (``core.sync``): ordered by ``(sync_xid, id)``,
    the writing transaction's id then the row's, and only rows whose transaction is older than the
    oldest one still running; the cursor carries that watermark through the pass. With
    ``updated_since`` (``core.sync.sync_since``) a client that keeps the last ``updated_at`` it saw
    resumes without missing or repeating an item, and no writer ever waits for another."""

    page_size_query_param = "page_size"
    max_page_size = 200
    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list[Any]:
        self.request = request
        size = api_settings.PAGE_SIZE or 50
        raw = request.query_params.get(self.page_size_query_param)
        with contextlib.suppress(ValueError):  # as DRF's own pages: an unreadable size means the default
            size = min(max(int(raw or ""), 1), self.max_page_size)
        rows, self.token = sync_page(
            queryset, cursor=request.query_params.get(self.cursor_query_param), page_size=size
        )
        return rows

    def get_next_link(self) -> str | None:
        if self.token is None:
            return None
        return replace_query_param(self.request.build_absolute_uri(), self.cursor_query_param, self.token)

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"results": data, "next": self.get_next_link()})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return CursorPage.get_paginated_response_schema(self, schema)  # type: ignore[arg-type]

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The opaque cursor from the previous page's `next`: the position in "
                "`(sync_xid, id)` order and the pass's watermark (the oldest transaction that was "
                "still running when the pass began). A malformed one is 400 `invalid_cursor`.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Items per page (at most {self.max_page_size}).",
                "schema": {"type": "integer"},
            },
        ]


def cursor_page_schema(item: type[Serializer], name: str) -> Serializer:
    """The OpenAPI body of a cursor page of ``item`` for views that page by hand (APIView), so the
    schema shows ``{"results": [...], "next": url|null}`` as the response really is."""
    return inline_serializer(
        name,
        {"results": item(many=True), "next": serializers.URLField(allow_null=True)},
    )


CURSOR_PARAMETER = OpenApiParameter(
    "cursor", OpenApiTypes.STR, description="The opaque cursor from the previous page's `next`."
)
