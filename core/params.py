"""Dates, times and integers a client sends, read so that no value can crash the server.

DRF's own fields accept ``0001-01-01`` (then overflow converting it to UTC) and ``9999-12-31``
(then overflow in the arithmetic that follows), and Python's ``str.isdigit`` accepts ``²``. The
market's dates lie between ``FIRST_DAY`` and ``LAST_DAY``; anything else is 400 ``invalid_input``
next to the field. Every API input or query field of a date, a time or an id goes through here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .money import money_text_error, money_text_valid

FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)
_OUT_OF_RANGE = _("日期应在 1900-01-01 至 2999-12-31 之间。")


def _out_of_range() -> serializers.ValidationError:
    return serializers.ValidationError(_OUT_OF_RANGE, code="invalid")  # 400 invalid_input


class DateField(serializers.DateField):
    def to_internal_value(self, value: Any) -> dt.date:
        day = super().to_internal_value(value)
        if not FIRST_DAY <= day <= LAST_DAY:
            raise _out_of_range()
        return day


class DateTimeField(serializers.DateTimeField):
    def to_internal_value(self, value: Any) -> dt.datetime:
        try:
            moment = super().to_internal_value(value)
        except OverflowError:  # a year 1 or 9999 with an offset cannot become UTC
            raise _out_of_range() from None
        if not FIRST_DAY <= moment.date() <= LAST_DAY:
            raise _out_of_range()
        return moment


class MoneyField(serializers.DecimalField):
    """Money in a request: API.md's decimal string (or a whole number), refused as
    ``invalid_amount`` in any other form (``core.money.MONEY_TEXT``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if not money_text_valid(data):
            raise serializers.ValidationError(money_text_error(), code="invalid_amount")
        return super().to_internal_value(data)


def query_int(
    params: Any, name: str, *, default: int | None = None, low: int = 1, high: int = 2**63 - 1
) -> int | None:
    """The query parameter ``name`` as an integer of ASCII digits between ``low`` and ``high``;
    ``default`` when absent; 400 ``invalid_input`` next to it otherwise."""
    raw = params.get(name)
    if raw in (None, ""):
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise serializers.ValidationError(
            {name: [_("应为 %(low)s 到 %(high)s 之间的整数。") % {"low": low, "high": high}]}
        )
    return int(raw)


def query_datetime(params: Any, name: str) -> dt.datetime | None:
    raw = params.get(name)
    if raw in (None, ""):
        return None
    try:
        return DateTimeField().to_internal_value(raw)
    except serializers.ValidationError as exc:
        raise serializers.ValidationError({name: exc.detail}) from None


def query_date(params: Any, name: str, *, default: dt.date) -> dt.date:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        return DateField().to_internal_value(raw)
    except serializers.ValidationError as exc:
        raise serializers.ValidationError({name: exc.detail}) from None
