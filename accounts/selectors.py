"""Reads about who may act for whom."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Forbidden

from .models import ApiToken, Invitation, Membership, Organization, User

# The roles that act for an organization in a trade (list, offer, answer, buy, apply): an approver
# only decides internal approvals (安心屋), a broker only takes part as an intermediary.
ACTING_ROLES = (Membership.Role.ADMIN, Membership.Role.MEMBER)


@functools.cache
def _permissions_sql() -> str:
    """A user's permissions, its own and its groups', as ``(app_label, codename)``: Django's
    ``ModelBackend`` reads the same in two ORM queries (three joined tables each), written here
    once per process from the models' fields."""
    q = connection.ops.quote_name
    own, groups = User._meta.get_field("user_permissions"), User._meta.get_field("groups")
    granted = Group._meta.get_field("permissions")

    def through(field: Any) -> tuple[str, str, str]:
        meta = field.remote_field.through._meta
        return q(meta.db_table), q(field.m2m_column_name()), q(field.m2m_reverse_name())

    (own_t, own_user, own_perm), (ug_t, ug_user, ug_group) = through(own), through(groups)
    gp_t, gp_group, gp_perm = through(granted)
    return (
        f"SELECT ct.{q('app_label')}, p.{q('codename')} FROM {q(Permission._meta.db_table)} p "
        f"JOIN {q(ContentType._meta.db_table)} ct ON ct.{q('id')} = p.{q('content_type_id')} "
        f"WHERE p.{q('id')} IN (SELECT {own_perm} FROM {own_t} WHERE {own_user} = %s "
        f"UNION ALL SELECT gp.{gp_perm} FROM {gp_t} gp JOIN {ug_t} ug ON ug.{ug_group} = gp.{gp_group} "
        f"WHERE ug.{ug_user} = %s)"
    )


def _read_permissions(user: Any) -> None:
    """Fills ``ModelBackend``'s cache of the user's permissions (``_perm_cache``, the union of its
    own and its groups', kept on the user object for its request) with one statement: an
    operator's every API request asked, and the ORM built both queries anew each time (#17)."""
    if hasattr(user, "_perm_cache"):
        return
    with connection.cursor() as cursor:
        cursor.execute(_permissions_sql(), [user.pk, user.pk])
        user._perm_cache = {f"{app_label}.{codename}" for app_label, codename in cursor.fetchall()}


def _staff_with(user: Any, permission: str) -> bool:
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    if user.is_superuser:
        return True
    if not user.is_staff:
        return False
    _read_permissions(user)
    return bool(user.has_perm(permission))


def is_operator(user: Any) -> bool:
    """Platform staff with the moderation permission (a superuser is an operator)."""
    return _staff_with(user, "accounts.moderate")


def is_finance_operator(user: Any) -> bool:
    """Platform staff with the finance permission: confirms payments, releases settlements."""
    return _staff_with(user, "accounts.finance")


def user_memberships(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organization").order_by("id")


def member_organizations_of(user_id: int) -> QuerySet[Membership, int]:
    """The ids of the organizations user ``user_id`` belongs to, as a query (a subquery in another)."""
    return Membership.objects.filter(user_id=user_id).values_list("organization_id", flat=True)


def member_organization_ids(user: Any) -> list[int]:
    """The ids of the organizations the user belongs to (none for an anonymous visitor)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(member_organizations_of(user.pk))


def membership_get(*, user: User, organization: Organization | int) -> Membership | None:
    org_id = organization if isinstance(organization, int) else organization.pk
    return Membership.objects.filter(user=user, organization_id=org_id).select_related("organization").first()


def membership_for_action(
    *,
    user: User,
    organization: Organization | int | None = None,
    roles: Iterable[str] | None = None,
    verified: bool = True,
) -> Membership:
    """The membership through which ``user`` acts, or ``Forbidden`` with the reason.

    Without ``organization`` the user's first membership is taken (most users belong to one).
    ``verified`` requires the organization to be verified: only verified organizations may list,
    bid, make offers or declare intents.
    """
    if not getattr(user, "is_authenticated", False):
        raise Forbidden("not_a_member", _("请先登录。"))
    memberships = user_memberships(user)
    membership = (
        memberships.first()
        if organization is None
        else memberships.filter(
            organization_id=organization if isinstance(organization, int) else organization.pk
        ).first()
    )
    if membership is None:
        raise Forbidden("not_a_member", _("您不是该机构的成员。"))
    if roles is not None and membership.role not in set(roles):
        raise Forbidden("role_not_allowed", _("您在本机构的角色不能执行此操作。"))
    if verified and not membership.organization.is_verified:
        raise Forbidden("organization_not_verified", _("机构尚未通过平台认证，暂不能进行此操作。"))
    return membership


def related_sql(a: str, b: str) -> str:
    """The related-party rule as a SQL boolean over two organization-id expressions: the same
    organization, or a declared relation between the two.

    The rule is stated once, in the database function ``accounts_organizations_related``
    (migrations 0004 and 0005: PL/pgSQL, so its plan is kept for the session);
    ``organizations_related`` runs it, and other apps' queries and functions call it by name."""
    return f"accounts_organizations_related({a}, {b})"


def organizations_related(a: Organization | int, b: Organization | int) -> bool:
    """The same organization, or a declared relation between the two."""
    a_id = a if isinstance(a, int) else a.pk
    b_id = b if isinstance(b, int) else b.pk
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {related_sql('%s::bigint', '%s::bigint')}", [a_id, b_id])  # noqa: S608
        return bool(cursor.fetchone()[0])


def person_tied_to(*, user: User | int, holder: Organization | int) -> bool:
    """The person is a member (any role) of ``holder`` or of an organization related to it: never a
    bidder or buyer on its lots (the SQL function ``accounts_person_tied_to``, accounts 0008)."""
    user_id = user if isinstance(user, int) else user.pk
    holder_id = holder if isinstance(holder, int) else holder.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT accounts_person_tied_to(%s, %s)", [user_id, holder_id])
        return bool(cursor.fetchone()[0])


def organization_tied_to(*, organization: Organization | int, holder: Organization | int) -> bool:
    """The organization is ``holder``, related to it, or has a member tied to it (the SQL function
    ``accounts_organization_tied_to``, which the bid engine's standing calls too)."""
    org_id = organization if isinstance(organization, int) else organization.pk
    holder_id = holder if isinstance(holder, int) else holder.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT accounts_organization_tied_to(%s, %s)", [org_id, holder_id])
        return bool(cursor.fetchone()[0])


def organizations_pending_review() -> QuerySet[Organization]:
    """The verification queue, longest waiting first."""
    return Organization.objects.filter(status=Organization.Status.PENDING).order_by("created_at", "id")


def organization_visible_to(user: User) -> Q:
    """Organizations a user may read in full: their own; operators see all."""
    if is_operator(user) or is_finance_operator(user):
        return Q()
    return Q(memberships__user=user)


def api_tokens_visible_to(user: User, *, user_id: Any = None) -> QuerySet[ApiToken]:
    """Live tokens (not revoked, not expired) the caller may see and revoke: its own; an operator
    also anyone's, one user's at a time (``user_id``)."""
    tokens = ApiToken.objects.filter(revoked_at__isnull=True, expires_at__gt=timezone.now()).select_related(
        "user"
    )
    if user_id in (None, "") or not is_operator(user):
        return tokens.filter(user=user)
    try:
        return tokens.filter(user_id=int(user_id))
    except (TypeError, ValueError):
        return tokens.none()


def api_token_for_revocation(user: User, token_id: int) -> ApiToken | None:
    """The live token ``token_id`` if the caller may revoke it: its own, or any for an operator."""
    tokens = ApiToken.objects.filter(pk=token_id, revoked_at__isnull=True, expires_at__gt=timezone.now())
    return (tokens if is_operator(user) else tokens.filter(user=user)).first()


def invitations_open_for(user: User) -> QuerySet[Invitation]:
    """The invitations waiting for ``user``'s answer, oldest first."""
    return Invitation.objects.filter(user=user, status=Invitation.Status.INVITED).select_related(
        "organization", "user"
    )
