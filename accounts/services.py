"""Every write of accounts: one function per use case, keyword-only, transactional."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mass_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import seams
from core.decisions import REVIEW, Decision, decision_parse, require_reason
from core.effects import after_commit
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.locks import organization_lock
from core.transitions import status_move, transitions_register

from .models import (
    ApiToken,
    Expert,
    Invitation,
    InvitationStatusChange,
    Membership,
    Notification,
    NotificationPreference,
    Organization,
    OrganizationRelation,
    OrganizationStatusChange,
    User,
)
from .notification_kinds import LABELS as NOTIFICATION_LABELS
from .selectors import is_operator, membership_get
from .validators import credit_code_error, phone_error

S = Organization.Status

# The one transition table of an organization's status.
ORGANIZATION_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "accounts.Organization",
    record="accounts.OrganizationStatusChange",
    table={
        S.PENDING: {S.VERIFIED, S.REJECTED},
        S.REJECTED: {S.PENDING},  # corrected and sent back for review
        S.VERIFIED: {S.SUSPENDED},
        S.SUSPENDED: {S.VERIFIED},
    },
)


def user_register(*, username: str, password: str, email: str) -> User:
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput(
            "username_taken", _("该用户名已被使用。"), fields={"username": [_("该用户名已被使用。")]}
        )
    user = User(username=username, email=email)
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise InvalidInput(
            "weak_password", " ".join(exc.messages), fields={"password": exc.messages}
        ) from exc
    user.set_password(password)
    user.save()
    return user


def user_change_password(*, user: User, old_password: str, new_password: str) -> User:
    """The user changes their own password: the old one must match, the new one must pass the
    password validators. Every API token of the user is revoked and its other sessions end; the
    page keeps its own session by refreshing the session hash."""
    if not user.check_password(old_password):
        message = _("原密码不正确。")
        raise InvalidInput("wrong_password", message, fields={"old_password": [message]})
    try:
        validate_password(new_password, user)
    except DjangoValidationError as exc:
        raise InvalidInput(
            "weak_password", " ".join(exc.messages), fields={"new_password": exc.messages}
        ) from exc
    user.set_password(new_password)
    user.save(update_fields=["password"])
    # The other sessions end by themselves: Django checks each session's password hash on every
    # request (the page keeps its own with update_session_auth_hash). Tokens are revoked here.
    api_tokens_revoke_all(user=user)
    return user


def _organization_transition(
    *, organization: Organization, to_status: str, actor: User, reason: str = ""
) -> Organization:
    """Lock the organization, check the table, move it and record the move."""
    org = organization_lock(organization)
    status_move(
        org,
        to_status=to_status,
        transitions=ORGANIZATION_TRANSITIONS,
        noun=_("机构"),
        record=lambda **change: OrganizationStatusChange.objects.create(organization=org, **change),
        actor=actor,
        reason=reason,
    )
    return org


@transaction.atomic
def organization_create(
    *,
    actor: User,
    name: str,
    kind: str,
    credit_code: str,
    region: str = "",
    phone: str = "",
    requires_internal_approval: bool = False,
) -> Organization:
    error = credit_code_error(credit_code)
    if error:
        raise InvalidInput("invalid_credit_code", error, fields={"credit_code": [error]})
    phone = phone.strip()
    error = phone_error(phone)
    if error:
        raise InvalidInput("invalid_phone", error, fields={"phone": [error]})
    if Organization.objects.filter(credit_code=credit_code).exists():
        raise Conflict(
            "credit_code_registered", _("该统一社会信用代码已注册。"), fields={"credit_code": [_("已注册。")]}
        )
    org = Organization.objects.create(
        name=name,
        kind=kind,
        credit_code=credit_code,
        region=region,
        phone=phone,
        requires_internal_approval=requires_internal_approval,
        created_by=actor,
    )
    Membership.objects.create(user=actor, organization=org, role=Membership.Role.ADMIN)
    OrganizationStatusChange.objects.create(
        organization=org, from_status="", to_status=S.PENDING, actor=actor
    )
    _notify_operators_of_pending(org)
    return org


@transaction.atomic
def organization_review(
    *, organization: Organization, actor: User, decision: str, reason: str = ""
) -> Organization:
    """An operator verifies or rejects a pending organization; a rejection needs a reason."""
    if not is_operator(actor):
        raise Forbidden("operator_only", _("只有平台运营人员可以审核机构。"))
    verdict = decision_parse(decision, choice=REVIEW, detail=_("审核结论应为 approve 或 reject。"))
    reason = require_reason(
        verdict, reason, choice=REVIEW, detail=_("驳回时必须填写理由。"), hint=_("请填写驳回理由。")
    )
    to_status = S.VERIFIED if verdict == Decision.APPROVE else S.REJECTED
    org = _organization_transition(organization=organization, to_status=to_status, actor=actor, reason=reason)
    if to_status == S.VERIFIED:
        notify(
            organization=org,
            kind="organization_verified",
            title=_("机构认证已通过：%(n)s") % {"n": org.name},
            body=_("贵单位已通过平台认证，现在可以挂牌、报价、竞买和申请先用后转。"),
            link=reverse("accounts:organization"),
        )
    else:
        notify(
            organization=org,
            kind="organization_rejected",
            title=_("机构认证未通过：%(n)s") % {"n": org.name},
            body=_("驳回理由：%(r)s。请按要求修改后重新提交。") % {"r": reason},
            link=reverse("accounts:organization"),
        )
    return org


def _notify_operators_of_pending(org: Organization) -> None:
    notify(
        operators=True,
        kind="organization_pending",
        title=_("待审核的机构：%(n)s") % {"n": org.name},
        body=_("统一社会信用代码 %(c)s。") % {"c": org.credit_code},
        link=reverse("accounts:console_organization_review", args=[org.pk]),
    )


@transaction.atomic
def organization_resubmit(*, organization: Organization, actor: User) -> Organization:
    """A rejected organization, corrected by its admin, goes back to the queue."""
    _require_admin(organization=organization, actor=actor)
    org = _organization_transition(organization=organization, to_status=S.PENDING, actor=actor)
    _notify_operators_of_pending(org)
    return org


@transaction.atomic
def organization_suspend(*, organization: Organization, actor: User, reason: str) -> Organization:
    if not is_operator(actor):
        raise Forbidden("operator_only", _("只有平台运营人员可以暂停机构。"))
    if not reason.strip():
        raise InvalidInput("reason_required", _("请填写理由。"), fields={"reason": [_("请填写理由。")]})
    return _organization_transition(
        organization=organization, to_status=S.SUSPENDED, actor=actor, reason=reason
    )


def _require_admin(*, organization: Organization, actor: User) -> None:
    membership = membership_get(user=actor, organization=organization)
    if membership is None or membership.role != Membership.Role.ADMIN:
        raise Forbidden("admin_only", _("只有机构管理员可以执行此操作。"))


INVITATION_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "accounts.Invitation",
    record="accounts.InvitationStatusChange",
    table={
        Invitation.Status.INVITED: {Invitation.Status.ACCEPTED, Invitation.Status.DECLINED},
        Invitation.Status.ACCEPTED: set(),
        Invitation.Status.DECLINED: set(),
    },
)


@transaction.atomic
def membership_invite(*, organization: Organization, actor: User, username: str, role: str) -> Invitation:
    """An admin invites a registered person by username (the admin knows it from the person); the
    person becomes a member only by accepting (``invitation_accept``)."""
    _require_admin(organization=organization, actor=actor)  # before the lookup: no probing names
    if role not in Membership.Role.values:
        raise InvalidInput("invalid_role", _("无效的角色。"), fields={"role": [_("无效的角色。")]})
    user = User.objects.filter(username=username.strip()).first()
    if user is None:
        raise InvalidInput(
            "unknown_user", _("没有该用户。"), fields={"username": [_("没有该用户，请核对用户名。")]}
        )
    if membership_get(user=user, organization=organization) is not None:
        raise Conflict("already_member", _("该用户已是本机构成员。"))
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                organization=organization, user=user, role=role, invited_by=actor
            )
    except IntegrityError as exc:
        raise Conflict("already_invited", _("已邀请该用户，正在等待其答复。")) from exc
    notify(
        users=[user],
        kind="invitation",
        title=_("%(org)s 邀请您加入（%(role)s）")
        % {"org": organization.name, "role": invitation.get_role_display()},
        body=_("接受后您将以该机构的名义行事；您也可以谢绝。"),
        link=reverse("accounts:organization"),
    )
    return invitation


def _invitation_answer(*, invitation: Invitation, actor: User, to_status: str) -> Invitation:
    """Lock the invitation; only the invited person answers it (404 for anyone else: an invitation
    is nobody else's business)."""
    locked = Invitation.objects.select_for_update().select_related("organization").get(pk=invitation.pk)
    if locked.user_id != actor.pk:
        raise NotFound("not_found", _("没有这份邀请。"))
    status_move(
        locked,
        to_status=to_status,
        transitions=INVITATION_TRANSITIONS,
        noun=_("邀请"),
        record=lambda **change: InvitationStatusChange.objects.create(invitation=locked, **change),
        actor=actor,
    )
    return locked


@transaction.atomic
def invitation_accept(*, invitation: Invitation, actor: User) -> Membership:
    """The invited person joins with the invited role. Registrations that this makes a related
    party (the person belongs to a lot's holder, or to an organization related to it) are
    suspended by the auctions' answer to the ``ties_changed`` seam."""
    locked = _invitation_answer(invitation=invitation, actor=actor, to_status=Invitation.Status.ACCEPTED)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=actor, organization=locked.organization, role=locked.role
            )
    except IntegrityError as exc:
        raise Conflict("already_member", _("您已是该机构成员。")) from exc
    # Every organization the person belongs to may now be tied to a holder through them.
    seams.call(
        "ties_changed", organization_ids=list(actor.memberships.values_list("organization_id", flat=True))
    )
    notify(
        organization=locked.organization,
        roles=[Membership.Role.ADMIN],
        kind="invitation",
        title=_("%(user)s 已接受邀请，加入 %(org)s")
        % {"user": actor.username, "org": locked.organization.name},
        link=reverse("accounts:organization"),
    )
    return membership


@transaction.atomic
def invitation_decline(*, invitation: Invitation, actor: User) -> Invitation:
    return _invitation_answer(invitation=invitation, actor=actor, to_status=Invitation.Status.DECLINED)


@transaction.atomic
def membership_leave(*, organization: Organization, actor: User, successor: str = "") -> None:
    """A member leaves. The last admin first names another member (``successor``, a username),
    who becomes an admin. The organization row is locked, as when admins remove members."""
    organization = Organization.objects.select_for_update(no_key=True).get(pk=organization.pk)
    membership = membership_get(user=actor, organization=organization)
    if membership is None:
        raise Conflict("not_a_member", _("您不是该机构成员。"))
    other_admins = organization.memberships.filter(role=Membership.Role.ADMIN).exclude(pk=membership.pk)
    if membership.role == Membership.Role.ADMIN and not other_admins.exists():
        heir = (
            organization.memberships.exclude(pk=membership.pk)
            .filter(user__username=successor.strip())
            .first()
            if successor.strip()
            else None
        )
        if heir is None:
            message = _("您是最后一位管理员：请先指定本机构的另一位成员接任管理员。")
            raise Conflict("last_admin", message, fields={"successor": [message]})
        heir.role = Membership.Role.ADMIN
        heir.save(update_fields=["role"])
    membership.delete()


@transaction.atomic
def membership_remove(*, organization: Organization, actor: User, user: User) -> None:
    """An admin removes a member; never the organization's last admin. The organization row is
    locked first, so two admins removing each other at once cannot both pass that check."""
    organization = organization_lock(organization, no_key=True)
    _require_admin(organization=organization, actor=actor)
    membership = membership_get(user=user, organization=organization)
    if membership is None:
        raise Conflict("not_a_member", _("该用户不是本机构成员。"))
    if (
        membership.role == Membership.Role.ADMIN
        and not organization.memberships.filter(role=Membership.Role.ADMIN).exclude(pk=membership.pk).exists()
    ):
        raise Conflict("last_admin", _("不能移除机构的最后一位管理员。"))
    membership.delete()


@transaction.atomic
def organization_relation_declare(
    *, actor: User, organization: Organization, other: Organization, kind: str
) -> OrganizationRelation:
    """Record that two organizations are related parties (by either one's admin, or an operator)."""
    if not is_operator(actor):
        _require_admin(organization=organization, actor=actor)
    if organization.pk == other.pk:
        raise InvalidInput("same_organization", _("不能与本机构建立关联。"))
    low, high = sorted((organization.pk, other.pk))
    relation, created = OrganizationRelation.objects.get_or_create(
        low_id=low, high_id=high, defaults={"kind": kind, "declared_by": actor}
    )
    if created:  # the two, and every organization sharing a member with either, may now be tied
        people = Membership.objects.filter(organization_id__in=(low, high)).values("user_id")
        affected = set(
            Membership.objects.filter(user_id__in=people).values_list("organization_id", flat=True)
        )
        seams.call("ties_changed", organization_ids=sorted(affected | {low, high}))
    return relation


TITLE_LENGTH = Notification._meta.get_field("title").max_length or 200


def shorten(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, cut with an ellipsis when longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(
    *, user: User, name: str = "", read_only: bool = False, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token; the key is returned once and only its hash is kept. It expires after
    ``expires_in_days`` (1 to ``API_TOKEN_MAX_DAYS``; default ``API_TOKEN_DAYS``)."""
    days = settings.MARKET["API_TOKEN_DAYS"] if expires_in_days is None else expires_in_days
    if not 1 <= days <= settings.MARKET["API_TOKEN_MAX_DAYS"]:
        message = _("有效期应在 1 到 %(max)s 天之间。") % {"max": settings.MARKET["API_TOKEN_MAX_DAYS"]}
        raise InvalidInput("invalid_input", message, fields={"expires_in_days": [message]})
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=_hash_key(key),
        read_only=read_only,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    return token, key


def api_token_revoke(*, token: ApiToken, actor: User) -> None:
    """Its owner or an operator revokes a token; it stops working at once (the next request is
    refused: tokens are read from the database on every request)."""
    if actor.pk != token.user_id and not is_operator(actor):
        raise Forbidden("not_your_token", _("只能撤销自己的令牌。"))
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_tokens_revoke_all(*, user: User) -> int:
    """Every live token of ``user`` (a password change); returns how many."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


# How stale ``last_used_at`` may get before a request writes it again.
TOKEN_USE_RESOLUTION = dt.timedelta(minutes=1)


@functools.cache
def _token_lookup_sql() -> str:
    """The token with its user, every column of both, in one statement written once per process
    from the models' fields (a field added to either is read too)."""
    q = connection.ops.quote_name
    columns = [f"t.{q(str(f.column))}" for f in ApiToken._meta.concrete_fields] + [
        f"u.{q(str(f.column))}" for f in User._meta.concrete_fields
    ]
    return (
        f"SELECT {', '.join(columns)} FROM {q(ApiToken._meta.db_table)} t "
        f"JOIN {q(User._meta.db_table)} u ON u.{q('id')} = t.{q('user_id')} "
        f"WHERE t.{q('key_hash')} = %s AND t.{q('revoked_at')} IS NULL AND t.{q('expires_at')} > %s "
        f"AND u.{q('is_active')}"
    )


def api_token_resolve(key: str) -> ApiToken | None:
    """The live token with this key (not revoked, not expired, its user active), with its user,
    or ``None``. Read from the database on every request, so a revocation holds from the next one.

    One plain statement, the rows made into the models as the ORM would (``Model.from_db``): the
    ORM built the same query anew for every API request, 0.9 ms of CPU of a REST bid's ~3.5 ms in
    the server (py-spy, #17.1); ``tests/accounts/test_tokens.py`` holds the two equal."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_token_lookup_sql(), [_hash_key(key), now])
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(ApiToken._meta.concrete_fields)
    token = ApiToken.from_db(connection.alias, (), row[:split])  # every field, in the model's order
    token.user = User.from_db(connection.alias, (), row[split:])
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def _email_body(body: str, title: str, link: str) -> str:
    """The e-mail of a notification: its text, the page it links (absolute, ``SITE_URL``) and
    where to switch such e-mails off."""
    site = settings.SITE_URL.rstrip("/")
    lines = [body or title]
    if link:
        lines += ["", _("查看详情：%(url)s") % {"url": f"{site}{link}" if link.startswith("/") else link}]
    lines += [
        "",
        "—",
        _("浙江拍 · 技术市场。不想再收到此类邮件？请在消息设置中关闭：%(url)s")
        % {"url": f"{site}{reverse('accounts:notification_preferences')}"},
    ]
    return "\n".join(str(line) for line in lines)


def _email_muted(user_ids: Iterable[int], kind: str) -> set[int]:
    """Of these users, those who switched e-mail off for ``kind``."""
    return set(
        NotificationPreference.objects.filter(user_id__in=list(user_ids), kind=kind, email=False).values_list(
            "user_id", flat=True
        )
    )


def notify(
    *,
    users: Iterable[User] | None = None,
    organization: Organization | None = None,
    roles: Iterable[str] | None = None,
    operators: bool = False,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    mail: bool = True,
) -> int:
    """Tell people something happened: listed users, an organization's members (optionally only
    some roles), and/or all operators. In-app rows now; e-mail after commit, to those who have an
    address and did not switch e-mail off for ``kind`` (``NotificationPreference``), with the
    link as an absolute address; none at all with ``mail`` off (a subscription that asked for
    in-app only). Times and money in ``title``/``body`` are the caller's, written
    with ``core.display`` / ``core.money.money_display``. Returns how many were told."""
    recipients: dict[int, User] = {u.pk: u for u in (users or [])}
    if organization is not None:
        members = Membership.objects.filter(organization=organization).select_related("user")
        if roles is not None:
            members = members.filter(role__in=list(roles))
        recipients.update({m.user.pk: m.user for m in members})
    if operators:
        staff = User.objects.filter(is_active=True).filter(
            Q(is_superuser=True) | Q(is_staff=True, groups__permissions__codename="moderate")
        )
        recipients.update({u.pk: u for u in staff.distinct()})
    title = shorten(str(title), TITLE_LENGTH)  # built from names a user typed, up to their own limit
    Notification.objects.bulk_create(
        Notification(user=u, kind=kind, title=title, body=body, link=link) for u in recipients.values()
    )
    muted = _email_muted(recipients, kind) if mail else set()
    addresses = [u.email for u in recipients.values() if u.email and u.pk not in muted] if mail else []
    if addresses:
        text = _email_body(body, title, link)
        mails = [(title, text, None, [address]) for address in addresses]  # one each: no shared To
        after_commit(lambda: send_mass_mail(mails, fail_silently=True))
    return len(recipients)


def notify_organizations(
    *,
    messages: Mapping[int, tuple[str, str]],
    roles: Iterable[str] | None = None,
    kind: str,
    link: str = "",
) -> int:
    """``notify`` for many organizations at once, for jobs: ``messages`` maps an organization id to
    its (title, body); each member (optionally only some roles) gets its organization's message.
    Three queries whatever the number of organizations; e-mail after commit, as ``notify``.
    Returns how many rows."""
    if not messages:
        return 0
    org_ids = list(messages)
    members = Membership.objects.filter(organization_id__in=org_ids, user__is_active=True)
    if roles is not None:
        members = members.filter(role__in=list(roles))
    pairs = list(members.values_list("organization_id", "user_id", "user__email"))
    Notification.objects.bulk_create(
        [
            Notification(user_id=user_id, kind=kind, title=messages[org][0], body=messages[org][1], link=link)
            for org, user_id, _email in pairs
        ],
        batch_size=1000,
    )
    muted = _email_muted({user_id for _org, user_id, _email in pairs}, kind)
    mails = [
        (messages[org][0], _email_body(messages[org][1], messages[org][0], link), None, [email])
        for org, user_id, email in pairs
        if email and user_id not in muted
    ]
    if mails:
        after_commit(lambda: send_mass_mail(mails, fail_silently=True))
    return len(pairs)


@transaction.atomic
def notification_preference_set(*, user: User, kind: str, email: bool) -> NotificationPreference:
    """The person switches e-mail for one kind of notification on or off (in-app stays on).
    404 ``unknown_kind`` for a kind the market does not send."""
    if kind not in NOTIFICATION_LABELS:
        raise NotFound("unknown_kind", _("没有这种消息。"))
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"email": email}
    )
    return preference


@transaction.atomic
def notification_preferences_save(
    *, user: User, email_kinds: Iterable[str], kinds: Iterable[str] | None = None
) -> None:
    """The preferences page in one go: of ``kinds`` (default: every kind), e-mail on for
    ``email_kinds`` and off for the others."""
    wanted = set(email_kinds)
    for kind in kinds if kinds is not None else NOTIFICATION_LABELS:
        notification_preference_set(user=user, kind=kind, email=kind in wanted)


def notification_preferences_of(user: User) -> dict[str, bool]:
    """Every kind the market sends, and whether the person gets it by e-mail."""
    off = set(NotificationPreference.objects.filter(user=user, email=False).values_list("kind", flat=True))
    return {kind: kind not in off for kind in NOTIFICATION_LABELS}


def notifications_mark_read(*, user: User) -> int:
    """Mark all of the user's unread notifications read; returns how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def expert_declare(
    *,
    user: User,
    fields: Iterable[str],
    organization: Organization | None = None,
    organization_name: str = "",
    title: str = "",
    conflicts: Iterable[Organization] = (),
    conflicts_note: str = "",
) -> Expert:
    """A person declares (or updates) themselves as an expert (评议专家): fields, where they work,
    and the organizations they have a conflict with. ``fields`` are technology field codes the
    caller has checked (accounts does not know them). Declaring a conflict never removes one the
    system finds itself (membership, relation, past deals: ``conflict_of_interest``)."""
    if not getattr(user, "is_authenticated", False):
        raise Forbidden("not_signed_in", _("请先登录。"))
    codes = sorted({str(code) for code in fields})
    if not codes:
        raise InvalidInput(
            "invalid_input", _("请至少选择一个评议领域。"), fields={"fields": [_("请至少选择一个评议领域。")]}
        )
    expert, _created = Expert.objects.update_or_create(
        user=user,
        defaults={
            "fields": codes,
            "organization": organization,
            "organization_name": organization_name or (organization.name if organization else ""),
            "title": title,
            "conflicts_note": conflicts_note,
        },
    )
    expert.conflicts.set(list(conflicts))
    return expert
