"""技术合同认定登记编号 (``contract_registration_no``): the number a technology-contract registration
office (技术合同登记机构) gives a contract it has registered, and its published shape.

The Ministry of Science and Technology's model contract texts (科学技术部监制《技术合同示范文本》)
print the number on the cover as boxes of 4 | 4 | 2 | 6 digits, 16 in all, explained by their
填写说明: the calendar year, the region code of the registration office, the office (登记点) within
the region, then the office's serial number of the contract, each zero-padded:

=========  ======  =========================================================================
digits     part    rule checked here
=========  ======  =========================================================================
1-4        年度    the registration year: not before the deal was concluded (the contract is
                   registered after it is signed), not after the current year
5-8        地区    the statistics region code of the 技术合同登记表 (GB/T 2260 province + city:
                   ``3300`` 浙江省, ``3301`` 杭州市, ``3302`` 宁波市, ``7100`` 港澳台, ``8000`` 其它):
                   its first two digits must be a province-level code
9-10       登记点  the registration office within the region, ``01``-``99``
11-16      序号    the office's serial number, not ``000000``
=========  ======  =========================================================================

The 1990s texts used a two-digit year (14 digits); numbers issued now carry four. We accept the
number with spaces or hyphens between the parts and store the 16 digits. There is no check digit,
so a well-formed number can still be wrong: an operator corrects it, with a reason on record
(``services.settlement.deal_contract_registration_correct``).
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The province-level codes of GB/T 2260 (and 71 港澳台, 80 其它 of the 技术合同登记表).
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "80", "81", "82",
    }
)  # fmt: skip

FORMAT_HELP = gettext_lazy(
    "16 位数字：年度 4 位 + 地区代码 4 位 + 登记点 2 位 + 序号 6 位，如 2026330101000123。"
)

_SHAPE = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{2})(\d{6})$")


def contract_registration_no_normalize(
    raw: str, *, concluded_on: dt.date | None = None, today: dt.date | None = None
) -> tuple[str, str | None]:
    """``(normalized, error)``: the stored 16 digits and why the number is invalid (None when valid).

    ``concluded_on`` (the deal's conclusion day) and ``today`` bound the year when given."""
    text = re.sub(r"[\s\u3000\-－—]", "", raw or "")
    match = _SHAPE.match(text)
    if match is None:
        return text, _("登记号格式不正确，应为 %(help)s") % {"help": FORMAT_HELP}
    year, province, _city, office, serial = match.groups()
    if province not in PROVINCE_CODES:
        return text, _("登记号第 5-6 位应为省级地区代码（如浙江省 33）。")
    if office == "00":
        return text, _("登记号第 9-10 位（登记点）不能为 00。")
    if serial == "000000":
        return text, _("登记号的序号（后 6 位）不能为 000000。")
    low = concluded_on.year if concluded_on is not None else 1985
    high = today.year if today is not None else 9999
    if not low <= int(year) <= high:
        return text, _("登记号的年度（前 4 位）不能早于成交年度，也不能晚于今年。")
    return text, None


def contract_registration_no_valid(value: str) -> bool:
    """Whether a stored number has the published shape (the results publish only such numbers)."""
    return bool(value) and contract_registration_no_normalize(value)[1] is None
