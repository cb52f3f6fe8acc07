"""Reusable DRF permission classes. Object rules (whose listing is it?) live in the services."""

from __future__ import annotations

from typing import Any

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
