"""The trade terms of a listing, per mode (API.md "Terms"), checked in one place."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import DomainError, InvalidInput
from core.inputs import FieldErrors, aware_datetime, integer
from core.money import money_parse

from ..models import Listing

M = Listing.Mode

TERMS_BY_MODE: dict[str, tuple[str, ...]] = {
    M.NEGOTIATED: ("asking_price", "notice_days"),
    M.FIXED_PRICE: ("price", "listing_ends_at"),
    M.AUCTION: (
        "start_price",
        "increment",
        "reserve_price",
        "deposit",
        "starts_at",
        "ends_at",
        "extension_seconds",
    ),
}
ALL_TERMS: tuple[str, ...] = tuple(t for terms in TERMS_BY_MODE.values() for t in terms)
NOTICE_DAYS_MAX = 180


def terms_of(listing: Listing) -> dict[str, Any]:
    """The listing's current terms for its mode."""
    return {name: getattr(listing, name) for name in TERMS_BY_MODE.get(listing.mode, ())}


def terms_validate(
    *, mode: str, terms: dict[str, Any], fiscally_funded: bool, now: dt.datetime
) -> dict[str, Any]:
    """Every term column for a listing in ``mode``: the mode's own checked, the others None.

    Raises ``InvalidInput("invalid_terms")`` with one entry per wrong field; nothing is half-applied.
    """
    errors = FieldErrors()
    own = TERMS_BY_MODE.get(mode)
    if own is None:
        raise InvalidInput("invalid_terms", _("无效的交易方式。"), fields={"mode": [_("无效的选项。")]})
    for name, value in terms.items():
        if name not in ALL_TERMS:
            errors.add(name, _("未知的条款。"))
        elif name not in own and value not in (None, ""):
            errors.add(name, _("该交易方式不使用此条款。"))
    clean: dict[str, Any] = dict.fromkeys(ALL_TERMS)

    def required(name: str) -> None:
        if terms.get(name) in (None, "") and name not in errors:
            errors.add(name, _("此项为必填项。"))

    if mode == M.NEGOTIATED:
        clean["asking_price"] = money_parse(terms.get("asking_price"), errors=errors, field="asking_price")
        minimum = settings.MARKET["FISCAL_NOTICE_DAYS_MIN"]
        notice = terms.get("notice_days")
        clean["notice_days"] = (
            minimum
            if notice in (None, "")
            else integer(notice, errors=errors, field="notice_days", low=1, high=NOTICE_DAYS_MAX)
        )
        if fiscally_funded and clean["notice_days"] is not None and clean["notice_days"] < minimum:
            errors.add(
                "notice_days",
                _("财政资金支持的成果协议定价须公示至少 %(n)s 天。") % {"n": minimum},
            )
    elif mode == M.FIXED_PRICE:
        for name in ("price", "listing_ends_at"):
            required(name)
        clean["price"] = money_parse(terms.get("price"), errors=errors, field="price")
        ends = aware_datetime(terms.get("listing_ends_at"), errors=errors, field="listing_ends_at")
        if ends is not None and ends <= now:
            errors.add("listing_ends_at", _("挂牌截止时间应晚于现在。"))
        clean["listing_ends_at"] = ends
    else:
        for name in ("start_price", "increment", "deposit", "starts_at", "ends_at"):
            required(name)
        start = money_parse(terms.get("start_price"), errors=errors, field="start_price")
        clean["start_price"] = start
        clean["increment"] = money_parse(terms.get("increment"), errors=errors, field="increment")
        reserve = money_parse(terms.get("reserve_price"), errors=errors, field="reserve_price")
        if reserve is not None and start is not None and reserve < start:
            errors.add("reserve_price", _("保留价不能低于起拍价。"))
        clean["reserve_price"] = reserve
        clean["deposit"] = money_parse(terms.get("deposit"), errors=errors, field="deposit", allow_zero=True)
        starts = aware_datetime(terms.get("starts_at"), errors=errors, field="starts_at")
        ends = aware_datetime(terms.get("ends_at"), errors=errors, field="ends_at")
        if starts is not None and starts <= now:
            errors.add("starts_at", _("开拍时间应晚于现在。"))
        if starts is not None and ends is not None and ends <= starts:
            errors.add("ends_at", _("结束时间应晚于开拍时间。"))
        clean["starts_at"], clean["ends_at"] = starts, ends
        extension = terms.get("extension_seconds")
        clean["extension_seconds"] = (
            settings.MARKET["AUCTION_EXTENSION_SECONDS"]
            if extension in (None, "")
            else integer(extension, errors=errors, field="extension_seconds", low=60, high=1800)
        )
    if errors:
        raise InvalidInput("invalid_terms", _("交易条款有误，请检查标出的字段。"), fields=dict(errors))
    return clean


def terms_recheck_times(*, listing: Listing, now: dt.datetime) -> None:
    """Before a listing goes out, its dates must still lie ahead (a review can take days): 422."""
    errors = FieldErrors()
    if listing.mode == M.AUCTION and listing.starts_at is not None and listing.starts_at <= now:
        errors.add("starts_at", _("开拍时间已过，请修改后重新提交。"))
    if (
        listing.mode == M.FIXED_PRICE
        and listing.listing_ends_at is not None
        and listing.listing_ends_at <= now
    ):
        errors.add("listing_ends_at", _("挂牌截止时间已过，请修改后重新提交。"))
    if errors:
        raise DomainError("terms_expired", _("交易条款中的时间已过。"), fields=dict(errors))
