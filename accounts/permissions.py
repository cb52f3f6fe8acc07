"""Reusable DRF permission classes and the pages' ``operator_required``. Object rules (whose listing is it?) live in the services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from .models import Organization
from .selectors import is_finance_operator, is_operator


class IsOperator(BasePermission):
    message = _("只有平台运营人员可以执行此操作。")
    code = "operator_only"

    def has_permission(self, request: Any, view: Any) -> bool:
        return is_operator(request.user)


class IsFinanceOperator(BasePermission):
    message = _("只有具备财务权限的平台运营人员可以执行此操作。")
    code = "finance_operator_only"

    def has_permission(self, request: Any, view: Any) -> bool:
        return is_finance_operator(request.user)


class IsVerifiedMember(BasePermission):
    """Belongs to at least one verified organization: may list, bid, offer, declare intent."""

    message = _("机构尚未通过平台认证，暂不能进行此操作。")
    code = "organization_not_verified"

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(
            user.is_authenticated
            and user.memberships.filter(organization__status=Organization.Status.VERIFIED).exists()
        )


def operator_required(view: Any) -> Any:
    """Platform staff with the moderation or finance permission; everyone else gets 403."""

    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not (is_operator(request.user) or is_finance_operator(request.user)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped
