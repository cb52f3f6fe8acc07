"""The navigation a signed-in user's roles open, for the shared layout (``{% load nav %}``)."""

from __future__ import annotations

from typing import Any

from django import template

from ..models import Expert, Membership, Notification, Organization
from ..selectors import is_finance_operator, is_operator, user_memberships

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


def _admin_shows_something(request: Any) -> bool:
    """Whether Django admin's index would list any model for this user (otherwise it says "no
    permission", a dead end the console must not link to)."""
    from django.contrib import admin

    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    return bool(admin.site.get_app_list(request))


@register.simple_tag(takes_context=True)
def market_nav(context: template.Context) -> dict[str, Any]:
    """What the navigation offers the signed-in user; computed once per request."""
    request = context.get("request")
    user = context.get("user")
    if request is not None and hasattr(request, "_market_nav"):
        return request._market_nav
    nav: dict[str, Any] = {"signed_in": bool(user and user.is_authenticated)}
    if nav["signed_in"]:
        memberships = list(user_memberships(user))  # type: ignore[arg-type]  # signed in: a User
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
            expert=Expert.objects.filter(user=user, active=True).exists(),
        )
        # Platform staff act for the platform, not for a party: no 我的机构 unless they belong to one.
        nav["is_staff_only"] = (nav["is_operator"] or nav["is_finance"]) and org is None
        nav["admin"] = bool(request is not None and _admin_shows_something(request))
    if request is not None:
        request._market_nav = nav
    return nav
