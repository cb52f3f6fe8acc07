"""Template helpers for every page: the navigation a user's roles open, money and time display."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils import timezone

from accounts.models import Membership, Notification, Organization
from accounts.selectors import is_finance_operator, is_operator, user_memberships

register = template.Library()

# Kinds that sell (list achievements) and kinds that buy; a state enterprise does both.
HOLDER_KINDS = {
    Organization.Kind.UNIVERSITY,
    Organization.Kind.INSTITUTE,
    Organization.Kind.HOSPITAL,
    Organization.Kind.STATE_ENTERPRISE,
    Organization.Kind.AGENCY,
}
BUYER_KINDS = {Organization.Kind.ENTERPRISE, Organization.Kind.STATE_ENTERPRISE}


@register.simple_tag(takes_context=True)
def market_nav(context: template.Context) -> dict[str, Any]:
    """What the navigation offers the signed-in user; computed once per request."""
    request = context.get("request")
    user = context.get("user")
    if request is not None and hasattr(request, "_market_nav"):
        return request._market_nav
    nav: dict[str, Any] = {"signed_in": bool(user and user.is_authenticated)}
    if nav["signed_in"]:
        memberships = list(user_memberships(user))
        membership = memberships[0] if memberships else None
        org = membership.organization if membership else None
        nav.update(
            membership=membership,
            organization=org,
            verified=bool(org and org.is_verified),
            is_holder=bool(org and org.kind in HOLDER_KINDS),
            is_buyer=bool(org and org.kind in BUYER_KINDS),
            is_approver=bool(membership and membership.role == Membership.Role.APPROVER),
            is_operator=is_operator(user),
            is_finance=is_finance_operator(user),
            unread=Notification.objects.filter(user=user, read_at__isnull=True).count(),
        )
    if request is not None:
        request._market_nav = nav
    return nav


@register.filter
def yuan(value: Any) -> str:
    """¥ with thousands separators and two places; the value is a Decimal or a decimal string."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    return f"¥{amount:,.2f}"


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
