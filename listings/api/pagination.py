"""Keyset cursors for the catalogue, whose orders (relevance, newest, ending soonest; and sync,
which ``core.sync`` pages) are not all plain columns: the cursor carries the last row's sort
values, so a page never skips or repeats a listing however many are published meanwhile. Shape as every list: ``{"results", "next"}``.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import Q, QuerySet
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param

from core import sync
from core.errors import invalid_cursor

DATETIME_KEYS = {"published_at", "closes_at"}
NULLABLE_KEYS = {"closes_at"}  # negotiated listings have no end; they sort last


def _encode(order: str, values: list[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, dt.datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps({"o": order, "v": plain}).encode()).decode()


def _decode(cursor: str, order: str, keys: tuple[tuple[str, bool], ...]) -> list[Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if data["o"] != order or len(data["v"]) != len(keys):
            raise ValueError
        values: list[Any] = []
        for (name, _desc), raw in zip(keys, data["v"], strict=True):
            if raw is None:
                values.append(None)
            elif name in DATETIME_KEYS:
                values.append(dt.datetime.fromisoformat(raw))
            else:
                values.append(int(raw))
        return values
    except (ValueError, KeyError, TypeError, json.JSONDecodeError):
        raise invalid_cursor() from None


def _after(keys: tuple[tuple[str, bool], ...], values: list[Any]) -> Q:
    """Rows after ``values`` in the order of ``keys`` (nulls last, as the selector orders)."""
    condition = Q(pk__in=[])
    equal = Q()
    for (name, desc), value in zip(keys, values, strict=True):
        if value is None:
            beyond = Q(pk__in=[])  # nothing sorts after a null but other nulls
            same = Q(**{f"{name}__isnull": True})
        else:
            beyond = Q(**{f"{name}__lt" if desc else f"{name}__gt": value})
            if name in NULLABLE_KEYS:
                beyond |= Q(**{f"{name}__isnull": True})
            same = Q(**{name: value})
        condition |= equal & beyond
        equal &= same
    # The first key's range, which the OR implies, said as a range the order's index can start
    # from: without it PostgreSQL reads the index from its first row to the cursor's.
    (name, desc), value = keys[0], values[0]
    if value is not None and name not in NULLABLE_KEYS:
        condition &= Q(**{f"{name}__lte" if desc else f"{name}__gte": value})
    return condition


def keyset_page(
    *,
    queryset: QuerySet[Any],
    order: str,
    keys: tuple[tuple[str, bool], ...],
    request: Request,
    cursor: str | None,
    page_size: int,
    tiers: Sequence[tuple[int, Callable[[], QuerySet[Any]]]] | None = None,
) -> tuple[list[Any], str | None]:
    """One page of ``queryset`` (already ordered by ``keys``) and the URL of the next, or None.
    The ``sync`` order pages below the watermark, its cursor carrying it (``core.sync``). With
    ``tiers`` (the first key's values, descending, each with a function making its rows ordered
    by the other keys) the page is read tier by tier, each from where the cursor is in it, instead
    of ``queryset``: every tier is an index's order, which the whole order is not."""
    if order == sync.ORDER:
        rows, token = sync.sync_page(queryset, cursor=cursor, page_size=page_size)
        return rows, token and replace_query_param(request.build_absolute_uri(), "cursor", token)
    values = _decode(cursor, order, keys) if cursor else None
    if tiers is not None:
        rows = []
        for tier, make in tiers:
            if values is not None and tier > values[0]:
                continue  # a tier the cursor is past
            part = make()
            if values is not None and tier == values[0]:
                part = part.filter(_after(keys[1:], values[1:]))
            rows += list(part[: page_size + 1 - len(rows)])
            if len(rows) > page_size:
                break
    else:
        if values is not None:
            queryset = queryset.filter(_after(keys, values))
        rows = list(queryset[: page_size + 1])
    if len(rows) <= page_size:
        return rows, None
    rows = rows[:page_size]
    last = rows[-1]
    token = _encode(order, [getattr(last, name) for name, _desc in keys])
    return rows, replace_query_param(request.build_absolute_uri(), "cursor", token)
