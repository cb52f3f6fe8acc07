"""Template helpers for every page: money and time display (the navigation: ``accounts``' ``nav``)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template
from django.utils import timezone

from core.money import money_display

register = template.Library()


@register.filter
def yuan(value: Any) -> str:
    """¥ with thousands separators and two places (``core.money.money_display``, as notifications)."""
    return money_display(value)


@register.filter
def wan(value: Any) -> str:
    """An amount in 万元 (ten thousands of yuan), for compact figures such as chart labels."""
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value)) / Decimal(10000)
    return f"{amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}万"


@register.filter
def iso(value: Any) -> str:
    """ISO 8601 with offset, for ``data-*`` attributes read by the page scripts."""
    if not value:
        return ""
    return value.isoformat()


@register.simple_tag
def server_now() -> str:
    """The server's time at render, so countdowns run on the server's clock, not the browser's."""
    return timezone.now().isoformat()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``mapping[key]`` in a template (None when absent)."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def percent(value: Any) -> str:
    """A fraction as a percentage, as few places as it needs: 0.0800 -> 8%, 0.0750 -> 7.5%."""
    if value in (None, ""):
        return ""
    text = f"{Decimal(str(value)) * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"
