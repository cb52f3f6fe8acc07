"""Pages of the conversion duty: an achievement's page with its duty (限时转化) and the holder's
filings, the public use-first list, the holder's justifications, the operators' decisions and
overdue registrations; use-first applications and agreements; the annual conversion report and
the institution ranking. Reads through ``conversion.selectors``, writes through its services.

URL names keep the namespaces they had before the move (``listings:use_first``,
``marketplace:my_use_first``...): ``conversion.urls`` lists them by namespace and ``config.urls``
merges them in, so links and bookmarks stay as they are.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import operator_required
from accounts.selectors import is_operator, member_organization_ids, user_memberships
from core.errors import DomainError
from core.paging import cursor_page
from core.web import form_apply_error
from listings import selectors as listing_selectors
from marketplace.charts import bar_chart

from . import services
from .forms import (
    ApplicationAcceptForm,
    ApplyForm,
    ConvertForm,
    DeclineReviewForm,
    JustificationForm,
    RankingForm,
    RegistrationRecordForm,
    SelfImplementationForm,
    UseFirstDecisionForm,
    UseFirstReasonForm,
    VolunteerForm,
)
from .models import Justification, SelfImplementation, UseFirstAgreement, UseFirstApplication, UseFirstEntry
from .selectors import agreements as uf_selectors
from .selectors import duty as use_first_selectors
from .selectors.duty import conversion_duty

PAGE_SIZE = 20


# Each form on an achievement's page: (form class, service, success message).
DUTY_FORMS: dict[str, tuple[Any, Any, str]] = {
    "justification": (
        JustificationForm,
        services.justification_file,
        _("正当理由已提交，等待平台审核。"),
    ),
    "self_implementation": (
        SelfImplementationForm,
        services.self_implementation_declare,
        _("自行实施声明已提交，等待平台审核。"),
    ),
    "registration": (
        RegistrationRecordForm,
        services.achievement_registration_record,
        _("成果登记已记录。"),
    ),
    "volunteer": (
        VolunteerForm,
        services.use_first_volunteer,
        _("已列入先用后转清单，平台已发布先用后转挂牌。"),
    ),
}


@login_required
def achievement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An achievement with its listings and its conversion duty (限时转化), and the holder's forms:
    a justification, a self-implementation, the registration, or volunteering for the list."""
    achievement = listing_selectors.achievement_get(achievement_id=pk)
    if achievement is None:
        raise Http404
    is_holder = listing_selectors.is_holder_member(request.user, achievement)
    forms_ = {name: cls(prefix=name) for name, (cls, _service, _done) in DUTY_FORMS.items()}
    action = request.POST.get("action")
    if request.method == "POST" and is_holder and action in DUTY_FORMS:
        cls, service, done = DUTY_FORMS[action]
        form = forms_[action] = cls(request.POST, prefix=action)
        if form.is_valid():
            try:
                service(achievement=achievement, actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                form_apply_error(form, exc)
            else:
                messages.success(request, done)
                return redirect("listings:achievement", pk=pk)
    listings = achievement.listings.order_by("-created_at") if is_holder or is_operator(request.user) else []
    context = {
        "achievement": achievement,
        "listings": listings,
        "is_holder": is_holder,
        "can_edit": listing_selectors.can_edit_achievement(request.user, achievement),
        "duty": conversion_duty(achievement=achievement),
        "forms": forms_,
        "open_form": action,
        # The API's visibility: the holder's members and operators (a reason is nobody else's).
        "justifications": use_first_selectors.justifications_for(user=request.user)
        .filter(achievement=achievement)
        .order_by("-created_at"),
        "registration": getattr(achievement, "registration", None),
    }
    return render(request, "conversion/achievement_detail.html", context)


# 先用后转: the public list, the holder's justifications, the operators' decisions ---------------


def use_first(request: HttpRequest) -> HttpResponse:
    """The public use-first list (先用后转实施清单)."""
    eligible = request.GET.get("free") == "1"
    entries = use_first_selectors.use_first_entries(free_license_eligible=True if eligible else None)
    page = cursor_page(
        request, entries.select_related("listing"), ordering=("-listed_on", "-id"), size=PAGE_SIZE
    )
    offers = {entry.pk: _apply_offer(entry, request.user) for entry in page}
    return render(
        request, "conversion/use_first.html", {"page": page, "eligible": eligible, "offers": offers}
    )


def _apply_offer(entry: UseFirstEntry, user: Any) -> dict[str, str]:
    """What the list offers on an entry: 申请 where the service would accept it, 登录后申请 to a
    visitor, otherwise the service's own reason (``use_first_apply_check``, the one rule)."""
    try:
        services.use_first_apply_check(entry=entry, actor=user)
    except DomainError as exc:
        if not user.is_authenticated and exc.code == "not_a_member":
            return {"action": "login", "reason": ""}
        return {"action": "", "reason": exc.detail}
    return {"action": "apply", "reason": ""}


@login_required
def my_justifications(request: HttpRequest) -> HttpResponse:
    justifications = use_first_selectors.justifications_for(user=request.user).order_by("-created_at")
    overdue = use_first_selectors.registration_overdue_for(user=request.user)[:100]
    return render(
        request, "conversion/my_justifications.html", {"justifications": justifications, "overdue": overdue}
    )


@operator_required
def console_use_first(request: HttpRequest) -> HttpResponse:
    """Escalations of the use-first duty: justifications and self-implementation declarations
    waiting for a decision, each with its form; the form that failed keeps what was typed."""
    justifications = list(use_first_selectors.justifications_for(user=request.user, status="pending"))
    declarations = list(use_first_selectors.self_implementations_for(user=request.user, status="pending"))
    forms_: dict[str, Any] = {}
    if request.method == "POST":
        kind, _sep, pk = request.POST.get("target", "").partition(":")
        target: Any = None
        if kind == "justification":
            target = Justification.objects.filter(pk=pk).first()
        elif kind == "declaration":
            target = SelfImplementation.objects.filter(pk=pk).first()
        if target is None:
            raise Http404
        form = forms_[f"{kind}:{pk}"] = UseFirstDecisionForm(request.POST, prefix=f"{kind}-{pk}")
        if form.is_valid():
            try:
                if kind == "justification":
                    services.justification_decide(
                        justification=target, actor=request.user, **form.cleaned_data
                    )
                else:
                    services.self_implementation_decide(
                        declaration=target, actor=request.user, **form.cleaned_data
                    )
            except DomainError as exc:
                form_apply_error(form, exc)
            else:
                messages.success(request, _("审核结论已提交。"))
                return redirect("listings:console_use_first")
    rows = [
        (
            "justification",
            j,
            forms_.get(f"justification:{j.pk}") or UseFirstDecisionForm(prefix=f"justification-{j.pk}"),
        )
        for j in justifications
    ] + [
        (
            "declaration",
            d,
            forms_.get(f"declaration:{d.pk}") or UseFirstDecisionForm(prefix=f"declaration-{d.pk}"),
        )
        for d in declarations
    ]
    entries = use_first_selectors.use_first_entries().order_by("-listed_on", "-id")[:50]
    return render(request, "conversion/console_use_first.html", {"rows": rows, "entries": entries})


@operator_required
def console_overdue(request: HttpRequest) -> HttpResponse:
    """Fiscally funded achievements whose registration is overdue."""
    overdue = use_first_selectors.registration_overdue_for(user=request.user)[:200]
    return render(request, "conversion/console_overdue.html", {"overdue": overdue})


# 先用后转 applications and agreements; the conversion report and the institution ranking -------


@login_required
def use_first_apply(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(
        UseFirstEntry.objects.select_related("achievement__holder"), pk=pk, closed_on__isnull=True
    )
    form = ApplyForm(request.POST or None)
    offer = _apply_offer(entry, request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.use_first_apply(entry=entry, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_apply_error(form, exc)
        else:
            messages.success(request, _("申请已提交，持有单位须在规定期限内答复。"))
            return redirect("marketplace:my_use_first")
    return render(request, "conversion/use_first_apply.html", {"entry": entry, "form": form, "offer": offer})


def _use_first_action(request: HttpRequest) -> dict[str, Any]:
    """Apply one posted answer (accept, decline, review of a refusal, convert, return) through its
    service. Returns the bound form under its key; it carries the refusal when there was one."""
    action, _sep, pk = request.POST.get("target", "").partition(":")
    actor = request.user
    spec: dict[str, tuple[Any, Any, str, Any]] = {
        "accept": (
            UseFirstApplication,
            ApplicationAcceptForm,
            "a",
            lambda obj, data: services.use_first_application_accept(application=obj, actor=actor, **data),
        ),
        "decline": (
            UseFirstApplication,
            UseFirstReasonForm,
            "d",
            lambda obj, data: services.use_first_application_decline(application=obj, actor=actor, **data),
        ),
        "review": (
            UseFirstApplication,
            DeclineReviewForm,
            "r",
            lambda obj, data: services.use_first_decline_review(application=obj, actor=actor, **data),
        ),
        "convert": (
            UseFirstAgreement,
            ConvertForm,
            "cg",
            lambda obj, data: services.use_first_agreement_convert(agreement=obj, actor=actor, **data),
        ),
        "return": (
            UseFirstAgreement,
            UseFirstReasonForm,
            "rg",
            lambda obj, data: services.use_first_agreement_return(agreement=obj, actor=actor, **data),
        ),
    }
    if action not in spec or not pk.isdigit():
        raise Http404
    model, form_class, prefix, call = spec[action]
    target = get_object_or_404(model, pk=pk)
    form = form_class(request.POST, prefix=f"{prefix}{pk}")
    if form.is_valid():
        try:
            call(target, form.cleaned_data)
        except DomainError as exc:
            form_apply_error(form, exc)
    return {f"{action}:{pk}": form}


@login_required
def my_use_first(request: HttpRequest) -> HttpResponse:
    """先用后转: the company's applications and agreements; the holder's applications to answer."""
    bound: dict[str, Any] = {}
    if request.method == "POST":
        bound = _use_first_action(request)
        if not any(f.errors for f in bound.values()):
            messages.success(request, _("已提交。"))
            return redirect("marketplace:my_use_first")
    orgs = set(member_organization_ids(request.user))
    applications = []
    for application in uf_selectors.use_first_applications_for(user=request.user).select_related(
        "entry__achievement__holder", "applicant"
    ):
        holder_side = application.entry.holder_id in orgs
        pk = application.pk
        applications.append(
            {
                "application": application,
                "holder_side": holder_side,
                "accept": bound.get(f"accept:{pk}") or ApplicationAcceptForm(prefix=f"a{pk}"),
                "decline": bound.get(f"decline:{pk}") or UseFirstReasonForm(prefix=f"d{pk}"),
            }
        )
    agreements = []
    for agreement in uf_selectors.use_first_agreements_for(user=request.user).select_related(
        "entry__achievement", "holder", "company"
    ):
        pk = agreement.pk
        agreements.append(
            {
                "agreement": agreement,
                "company_side": agreement.company_id in orgs,
                "convert": bound.get(f"convert:{pk}") or ConvertForm(prefix=f"cg{pk}"),
                "return": bound.get(f"return:{pk}") or UseFirstReasonForm(prefix=f"rg{pk}"),
            }
        )
    return render(
        request, "conversion/my_use_first.html", {"applications": applications, "agreements": agreements}
    )


@operator_required
def console_use_first_applications(request: HttpRequest) -> HttpResponse:
    """Escalated applications (the holder did not answer in time) and refusals of free licences."""
    bound: dict[str, Any] = {}
    if request.method == "POST":
        bound = _use_first_action(request)
        if not any(f.errors for f in bound.values()):
            messages.success(request, _("已处理。"))
            return redirect("marketplace:console_use_first_applications")
    rows = []
    for status in (UseFirstApplication.Status.ESCALATED, UseFirstApplication.Status.DECLINE_REVIEW):
        for application in uf_selectors.use_first_applications_for(
            user=request.user, status=status
        ).select_related("entry__achievement__holder", "applicant"):
            pk = application.pk
            rows.append(
                {
                    "application": application,
                    "accept": bound.get(f"accept:{pk}") or ApplicationAcceptForm(prefix=f"a{pk}"),
                    "review": bound.get(f"review:{pk}") or DeclineReviewForm(prefix=f"r{pk}"),
                }
            )
    return render(request, "conversion/console_use_first_applications.html", {"rows": rows})


@login_required
def annual_report(request: HttpRequest) -> HttpResponse:
    """科技成果转化年度报告 of the user's organization; ``?format=csv`` downloads it."""
    membership = user_memberships(request.user).first()
    if membership is None:
        return redirect("accounts:organization")
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    report = uf_selectors.conversion_annual_report(holder=membership.organization, year=year)
    if request.GET.get("format") == "csv":
        response = HttpResponse(
            uf_selectors.conversion_annual_report_csv(report), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="conversion-report-{year}.csv"'
        return response
    # (label, value, is money): income is shown as ¥ with two places, the counts as they are.
    rows = [
        (uf_selectors.REPORT_CSV_HEADERS[name], value, name == "income")
        for name, value in report.as_json().items()
        if name in uf_selectors.REPORT_CSV_HEADERS and name not in ("holder", "holder_name", "year")
    ]
    years = list(range(timezone.localdate().year, timezone.localdate().year - 5, -1))
    chart = bar_chart([(label, value) for label, value, money in rows if not money])
    return render(
        request,
        "conversion/annual_report.html",
        {"report": report, "rows": rows, "years": years, "chart": chart},
    )


def rankings(request: HttpRequest) -> HttpResponse:
    """绩效排名: obliged institutions by conversions and amount for a month, quarter or year."""
    form = RankingForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    period = data.get("period") or "year"
    order = data.get("order") or "amount"
    (start, end), rows = uf_selectors.institution_ranking(
        period=period, day=data.get("day") or timezone.localdate(), order=order, limit=100
    )
    # The chart shows what the table is ordered by: the first 10 institutions' amount or count.
    key = order if order in ("amount", "conversions", "listings", "auctions") else "amount"
    chart = bar_chart([(r.holder_name, getattr(r, key)) for r in rows[:10]])
    return render(
        request,
        "conversion/rankings.html",
        {
            "form": form,
            "rows": rows,
            "start": start,
            "end": end - dt.timedelta(days=1),
            "chart": chart,
            "chart_money": key == "amount",
            "chart_title": dict(RankingForm.base_fields["order"].choices).get(key, ""),  # type: ignore[attr-defined]
        },
    )
