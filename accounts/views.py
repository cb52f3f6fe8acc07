"""Account pages: sign up, the user's organization and its verification, the inbox, and the
operators' organization verification queue. Every refusal comes from a service's DomainError."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.decisions import Decision
from core.errors import DomainError
from core.web import form_apply_error

from . import notification_kinds, services
from .forms import MemberForm, OrganizationForm, OrganizationReviewForm, PasswordChangeForm, SignupForm
from .models import Invitation, Notification, Organization, User
from .permissions import operator_required
from .selectors import (
    invitations_open_for,
    is_finance_operator,
    is_operator,
    organizations_pending_review,
    user_memberships,
)


def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_register(**form.cleaned_data)
        except DomainError as exc:
            form_apply_error(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("注册成功。请登记您的机构，通过平台认证后即可挂牌或竞买。"))
            return redirect("accounts:organization")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_change_password(user=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_apply_error(form, exc)
        else:
            update_session_auth_hash(request, user)  # stay signed in on this browser
            messages.success(request, _("密码已修改。"))
            return redirect("accounts:organization")
    return render(request, "accounts/password_change.html", {"form": form})


def _organization_page(
    request: HttpRequest,
    *,
    form: OrganizationForm,
    posted_member_form: MemberForm | None = None,
    posted_for: int = 0,
) -> HttpResponse:
    """我的机构: invitations waiting for the user's answer; each organization's record, a way to
    leave it; for its admins, the members, the open invitations and a form to invite one
    (each organization its own form, so that a refusal stays next to the form it answers)."""
    memberships = list(
        user_memberships(request.user).prefetch_related(
            "organization__status_changes",
            "organization__memberships__user",
            "organization__invitations__user",
        )
    )
    for m in memberships:
        prefix = f"org{m.organization_id}"
        m.sent_invitations = [  # type: ignore[attr-defined]
            i for i in m.organization.invitations.all() if i.status == Invitation.Status.INVITED
        ]
        m.member_form = posted_member_form if m.organization_id == posted_for else MemberForm(prefix=prefix)  # type: ignore[attr-defined]
    context = {
        "memberships": memberships,
        "form": form,
        "invitations": list(invitations_open_for(request.user)),
    }
    return render(request, "accounts/organization.html", context)


@login_required
def organization(request: HttpRequest) -> HttpResponse:
    if (is_operator(request.user) or is_finance_operator(request.user)) and not user_memberships(
        request.user
    ).exists():
        # Platform staff act for the platform: the console, not a party's registration form.
        return redirect("console")
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and not user_memberships(request.user).exists() and form.is_valid():
        try:
            services.organization_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_apply_error(form, exc)
        else:
            messages.success(request, _("机构已登记，等待平台审核。审核结果会通知您。"))
            return redirect("accounts:organization")
    return _organization_page(request, form=form)


@login_required
@require_POST
def organization_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    """成员管理: an admin invites a registered person by username, with a role."""
    org = get_object_or_404(Organization, pk=pk)
    form = MemberForm(request.POST, prefix=f"org{org.pk}")
    if form.is_valid():
        try:
            invitation = services.membership_invite(organization=org, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_apply_error(form, exc)
        else:
            messages.success(
                request,
                _("已邀请 %(user)s（%(role)s），对方接受后即成为成员。")
                % {"user": invitation.user.username, "role": invitation.get_role_display()},
            )
            return redirect("accounts:organization")
    return _organization_page(request, form=OrganizationForm(), posted_member_form=form, posted_for=org.pk)


@login_required
@require_POST
def invitation_answer(request: HttpRequest, pk: int, answer: str) -> HttpResponse:
    """The invited person accepts or declines (the buttons on 我的机构)."""
    invitation = get_object_or_404(Invitation.objects.select_related("organization"), pk=pk)
    try:
        if answer == "accept":
            services.invitation_accept(invitation=invitation, actor=request.user)
        else:
            services.invitation_decline(invitation=invitation, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        done = _("已加入 %(org)s。") if answer == "accept" else _("已谢绝 %(org)s 的邀请。")
        messages.success(request, done % {"org": invitation.organization.name})
    return redirect("accounts:organization")


@login_required
@require_POST
def organization_leave(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organization, pk=pk)
    try:
        services.membership_leave(
            organization=org, actor=request.user, successor=request.POST.get("successor", "")
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("您已退出 %(org)s。") % {"org": org.name})
    return redirect("accounts:organization")


@login_required
@require_POST
def organization_member_remove(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    org = get_object_or_404(Organization, pk=pk)
    member = get_object_or_404(User, pk=user_id)
    try:
        services.membership_remove(organization=org, actor=request.user, user=member)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("已移除成员 %(user)s。") % {"user": member.username})
    return redirect("accounts:organization")


@login_required
@require_POST
def organization_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organization, pk=pk)
    try:
        services.organization_resubmit(organization=org, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("已重新提交平台审核。"))
    return redirect("accounts:organization")


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    """消息设置: every kind of notification, by topic, with e-mail on or off (in-app always on)."""
    if request.method == "POST":
        shown = set(notification_kinds.LABELS)
        if not is_operator(request.user):
            shown -= notification_kinds.OPERATOR_KINDS
        services.notification_preferences_save(
            user=request.user, email_kinds=request.POST.getlist("email"), kinds=shown
        )
        messages.success(request, _("消息设置已保存。"))
        return redirect("accounts:notification_preferences")
    chosen = services.notification_preferences_of(request.user)
    staff = is_operator(request.user)
    groups = [
        (
            title,
            [
                (kind, label, chosen.get(kind, True))
                for kind, label in kinds
                if staff or kind not in notification_kinds.OPERATOR_KINDS
            ],
        )
        for title, kinds in notification_kinds.GROUPS
    ]
    return render(
        request,
        "accounts/notification_preferences.html",
        {"groups": groups, "has_email": bool(request.user.email)},
    )


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    qs = Notification.objects.filter(user=request.user)
    if request.method == "POST":
        services.notifications_mark_read(user=request.user)
        return redirect("accounts:notifications")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "accounts/notifications.html", {"page": page})


@operator_required
def console_organizations(request: HttpRequest) -> HttpResponse:
    """The verification queue, longest waiting first, with each applicant's record."""
    queue = list(organizations_pending_review().select_related("created_by")[:100])
    return render(request, "accounts/console_organizations.html", {"queue": queue})


@operator_required
def console_organization_review(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organization.objects.select_related("created_by"), pk=pk)
    form = OrganizationReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_review(organization=org, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_apply_error(form, exc)
        else:
            verdict = _("已认证") if form.cleaned_data["decision"] == Decision.APPROVE else _("已驳回")
            messages.success(request, f"{org.name}：{verdict}。")
            return redirect("accounts:console_organizations")
    history = org.status_changes.select_related("actor")
    members = org.memberships.select_related("user")
    return render(
        request,
        "accounts/console_organization_review.html",
        {"org": org, "form": form, "history": history, "members": members},
    )
