"""Input checks with field errors, shared by every service that parses a request (money: ``core.money``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _


class FieldErrors(dict[str, Any]):
    """Collects ``{field: [messages]}`` so one request reports every problem at once."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)


def integer(value: Any, *, errors: FieldErrors, field: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        errors.add(field, _("请输入整数。"))
        return None
    try:
        number = int(value)
    except ValueError:
        errors.add(field, _("请输入整数。"))
        return None
    if not low <= number <= high:
        errors.add(field, _("应在 %(low)s 到 %(high)s 之间。") % {"low": low, "high": high})
        return None
    return number


def aware_datetime(value: Any, *, errors: FieldErrors, field: str) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        errors.add(field, _("请输入带时区的时间。"))
        return None
    return value


def text(value: Any, *, errors: FieldErrors, field: str, max_length: int, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(field, _("请输入文字。"))
        return ""
    value = value.strip()
    if required and not value:
        errors.add(field, _("此项为必填项。"))
    elif len(value) > max_length:
        errors.add(field, _("最多 %(n)s 个字符。") % {"n": max_length})
    return value


def choice(value: Any, *, errors: FieldErrors, field: str, choices: Any, required: bool = True) -> str:
    if value in (None, "") and not required:
        return ""
    if value not in set(choices.values):
        errors.add(field, _("无效的选项。"))
        return ""
    return str(value)
