"""Check characters of the unified social credit code (统一社会信用代码, GB 32100-2015)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    """The 18th character for the given first 17 (all from the charset)."""
    total = sum(CREDIT_CODE_CHARSET.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def credit_code_error(code: str) -> str | None:
    """Why ``code`` is not a valid credit code, or None when it is.

    The standard spells codes in upper case; a lower-case code is refused rather than guessed at,
    so what is stored is exactly what the registration certificate shows.
    """
    if len(code) != 18:
        return "统一社会信用代码应为18位。"
    if code != code.upper():
        return "统一社会信用代码的字母应为大写。"
    if any(ch not in CREDIT_CODE_CHARSET for ch in code):
        return "统一社会信用代码含有不允许的字符（不使用 I、O、S、V、Z）。"
    if credit_code_check_char(code[:17]) != code[17]:
        return "统一社会信用代码校验位不正确。"
    return None


PHONE_SHAPE = re.compile(r"^\+?[0-9][0-9 ()\-]*$")


def phone_error(phone: str) -> str | None:
    """None if ``phone`` is empty or a phone number (digits with spaces, dashes, brackets, a
    leading +; 7 to 15 digits), else why not."""
    if not phone:
        return None
    digits = sum(c.isdigit() for c in phone)
    if not PHONE_SHAPE.match(phone) or not 7 <= digits <= 15:
        return _("请填写有效的电话号码（7–15 位数字，可含空格、短横线、括号和开头的 +）。")
    return None
