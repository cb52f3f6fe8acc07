"""Pages of long public lists without counting them: 上一页/下一页 links by cursor, the same
cursors the API lists use (``core.pagination.CursorPage``, the catalogue's keyset cursor)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.db.models import QuerySet
from django.http import HttpRequest
from rest_framework.request import Request

from core.errors import InvalidInput
from core.pagination import CursorPage


@dataclass(frozen=True)
class LinkPage:
    """One page of rows and the query strings of 上一页/下一页 (None at either end); rendered by
    ``keyset_pager.html``."""

    rows: list[Any]
    previous_query: str | None
    next_query: str | None

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)


def _query(url: str | None) -> str | None:
    return None if url is None else urlsplit(url).query


def cursor_page(
    request: HttpRequest, queryset: QuerySet[Any], *, ordering: tuple[str, ...], size: int
) -> LinkPage:
    """``queryset`` in ``ordering`` (unique with its last field, e.g. ``("-concluded_at", "-id")``)
    paged by DRF's cursor: no COUNT, whatever the list's length. A bad cursor shows the first page."""
    paginator = CursorPage()
    paginator.ordering = ordering
    paginator.page_size = size
    paginator.page_size_query_param = None  # pages are a fixed size; only the API lets clients choose
    try:
        rows = paginator.paginate_queryset(queryset, Request(request))
    except InvalidInput as exc:  # a cursor the page did not hand out (400 invalid_cursor in the API)
        if exc.code != "invalid_cursor":
            raise
        request.GET = request.GET.copy()
        request.GET.pop(paginator.cursor_query_param, None)
        rows = paginator.paginate_queryset(queryset, Request(request))
    return LinkPage(
        rows=list(rows or []),
        previous_query=_query(paginator.get_previous_link()),
        next_query=_query(paginator.get_next_link()),
    )
