"""Money, the one rule of the market: ``Decimal`` yuan to the fen, never float (CONVENTIONS.md,
"Money and time"). Three verbs, one module:

- ``money_parse``: what a person or a client typed, checked, with field errors;
- ``money_quantize``: an amount the code computed or read, to two places;
- ``money_format``: an amount as the API's JSON string (pages format through the ``yuan`` filter).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from .inputs import FieldErrors

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
MONEY_LIMIT = Decimal("1000000000000")  # DecimalField(max_digits=14, decimal_places=2)
# Money as text: ASCII digits, at most one point and two places. Nothing else: no exponent
# ("8.6E5"), sign, underscore, full-width or other scripts' digits, which Decimal() would accept.
MONEY_TEXT = re.compile(r"[0-9]+(\.[0-9]{1,2})?")


def money_text_error() -> str:
    return str(_('金额只能是数字，最多一个小数点和两位小数，如 "150000.00"。'))


def money_text_valid(value: Any) -> bool:
    """Whether ``value`` is money as the market writes it (an int, a Decimal, or MONEY_TEXT)."""
    if isinstance(value, bool | float):
        return False
    if isinstance(value, int | Decimal):
        return True
    return isinstance(value, str) and MONEY_TEXT.fullmatch(value.strip()) is not None


def money_parse(value: Any, *, errors: FieldErrors, field: str, allow_zero: bool = False) -> Decimal | None:
    """A price: a Decimal (or its string, or an int) with at most two places, positive
    (or zero with ``allow_zero``) and within the column. Floats are refused: they are not exact."""
    if value is None:
        return None
    if isinstance(value, bool | float):
        errors.add(field, _('金额应为字符串形式的十进制数，如 "150000.00"。'))
        return None
    if not money_text_valid(value):
        errors.add(field, money_text_error())
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
    if isinstance(exponent, int) and exponent < -2 and amount != amount.quantize(FEN):
        errors.add(field, _("金额最多保留两位小数。"))
        return None
    if amount < 0 or (amount == 0 and not allow_zero):
        errors.add(field, _("金额必须大于零。") if not allow_zero else _("金额不能为负数。"))
        return None
    if amount >= MONEY_LIMIT:
        errors.add(field, _("金额过大。"))
        return None
    return amount.quantize(FEN)


def money_quantize(value: Decimal | str | int) -> Decimal:
    """``value`` as yuan with two places. Already-exact amounts pass unchanged; anything finer is
    rounded half-up (callers that split amounts quantize themselves, with their own rule)."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def money_format(value: Decimal | None) -> str | None:
    """An amount as API.md's JSON string with two places (``None`` stays ``None``)."""
    return None if value is None else str(value.quantize(FEN))


def money_display(value: Decimal | str | int | None) -> str:
    """An amount as people read it on the pages and in notifications: ``¥480,000.00`` (¥, thousands
    separators, two places, half-up); ``—`` for none. The ``yuan`` template filter is this."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value)).quantize(FEN, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    return f"¥{amount:,.2f}"
