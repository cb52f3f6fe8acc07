"""Cursor pages: ``{"results": [...], "next": url or null}`` (API.md, Conventions)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.serializers import Serializer


class CursorPage(CursorPagination):
    """Stable pages for any list; the default order is by ``id``."""

    ordering = ("id",)
    page_size_query_param = "page_size"
    max_page_size = 200

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


class SyncCursorPage(CursorPage):
    """Public lists that clients sync incrementally: ordered by ``(updated_at, id)``.

    Used together with an ``updated_since`` filter, a client that stores the last
    ``updated_at`` it saw can resume without missing or repeating an item.
    """

    ordering = ("updated_at", "id")


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
