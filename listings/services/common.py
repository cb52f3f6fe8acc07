"""Small pieces the listing services share: input checks with field errors (the clock: ``config.dbclock``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

MONEY_LIMIT = Decimal("1000000000000")  # DecimalField(max_digits=14, decimal_places=2)


class FieldErrors(dict[str, Any]):
    """Collects ``{field: [messages]}`` so one request reports every problem at once."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)


def money(value: Any, *, errors: FieldErrors, field: str, allow_zero: bool = False) -> Decimal | None:
    """A price: a Decimal (or its string, or an int) with at most two places, positive
    (or zero with ``allow_zero``) and within the column. Floats are refused: they are not exact."""
    if value is None:
        return None
    if isinstance(value, bool | float):
        errors.add(field, _('金额应为字符串形式的十进制数，如 "150000.00"。'))
        return None
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.add(field, _("请输入有效的金额。"))
        return None
    if not amount.is_finite():
        errors.add(field, _("请输入有效的金额。"))
        return None
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        errors.add(field, _("金额最多保留两位小数。"))
        return None
    if amount < 0 or (amount == 0 and not allow_zero):
        errors.add(field, _("金额必须大于零。") if not allow_zero else _("金额不能为负数。"))
        return None
    if amount >= MONEY_LIMIT:
        errors.add(field, _("金额过大。"))
        return None
    return amount.quantize(Decimal("0.01"))


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
