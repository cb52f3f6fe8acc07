"""Chinese patent application numbers (专利申请号 / 专利号) and their check digit.

CNIPA numbers since 1 October 2003 have 12 digits, ``YYYY T NNNNNNN``: the filing year, the type
(1 invention, 2 utility model, 3 design, 8 a PCT invention entering China, 9 a PCT utility model),
a serial number; before that 8 digits, ``YY T NNNNN``. A check character follows, usually after a
dot: each digit times its weight (2, 3, 4, 5, 6, 7, 8, 9, then 2, 3, 4, 5 again), the sum modulo
11, and 10 written ``X``. A patent number (专利号) is the application number with ``ZL`` in front;
``CN`` is how databases often write it. We accept both prefixes, spaces and a missing dot, and
store the plain form ``202110123456.7``.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

PATENT_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)

# The type digit that each kind of patent may carry.
TYPE_DIGITS = {
    "invention": {"1", "8"},
    "utility_model": {"2", "9"},
    "design": {"3"},
}

_SHAPE = re.compile(r"^(?:ZL|CN)?(\d{12}|\d{8})\.?([0-9X])$")


def patent_check_char(digits: str) -> str:
    """The check character of an 8- or 12-digit application number."""
    total = sum(int(d) * w for d, w in zip(digits, PATENT_WEIGHTS, strict=False))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def patent_no_normalize(raw: str, *, ip_type: str | None = None) -> tuple[str, str | None]:
    """``(normalized, error)``: the stored form of ``raw`` and why it is invalid (None when valid).

    With ``ip_type`` given, the type digit must fit it (an invention number for an invention).
    """
    text = re.sub(r"[\s\u3000]", "", raw or "").upper()
    match = _SHAPE.match(text)
    if match is None:
        return text, _("申请号格式不正确，应如 202110123456.7（12 位数字加校验位，旧号为 8 位）。")
    digits, check = match.groups()
    normalized = f"{digits}.{check}"
    if patent_check_char(digits) != check:
        return normalized, _("申请号校验位不正确。")
    # The 8-digit numbers ran from 1985 to 2003 (years 85..99, 00..03); the 12-digit ones since 2003.
    old_year_ok = len(digits) == 8 and (int(digits[:2]) >= 85 or int(digits[:2]) <= 3)
    if not (old_year_ok or len(digits) == 12 and int(digits[:4]) >= 2003):
        return normalized, _("申请号中的年份不正确。")
    type_digit = digits[4] if len(digits) == 12 else digits[2]
    if ip_type in TYPE_DIGITS and type_digit not in TYPE_DIGITS[ip_type]:
        return normalized, _("申请号的类型位与知识产权类型不符。")
    return normalized, None
