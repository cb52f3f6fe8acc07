"""Discovery's pages: the demands (供需荟) catalogue and a demand's page (matches for the company,
responses and feedback, the holders' response form), the holders' responses, and the operators'
demand review. Reads through the selectors, writes through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.models import Expert, Membership, User
from accounts.permissions import operator_required
from accounts.selectors import ACTING_ROLES, is_operator, member_organization_ids
from core.errors import DomainError
from core.paging import cursor_page
from core.web import form_apply_error
from listings import selectors as listing_selectors
from listings.models import Achievement

from . import services
from .forms import (
    AnswerForm,
    DemandFilterForm,
    DemandForm,
    FeedbackForm,
    InviteForm,
    PeerReviewForm,
    QuestionForm,
    ResponseForm,
    ReviewForm,
    SubscriptionForm,
    UseReportForm,
)
from .models import Demand, DemandResponse, PeerReview, Publication, Subscription
from .selectors import demands as demand_selectors
from .selectors import inquiry as inquiry_selectors
from .selectors import review as review_selectors
from .selectors import valuation as valuation_selectors
from .selectors.completeness import achievement_completeness
from .selectors.disclosure import use_reports_late, use_reports_visible_to
from .selectors.matching import achievement_matching_demands, demand_matches
from .selectors.publications import publication_charts, publications_list

PAGE_SIZE = 20


def demands(request: HttpRequest) -> HttpResponse:
    """The public catalogue of published demands: search (Chinese, as the catalogue) and field."""
    form = DemandFilterForm(request.GET or None)
    q = field = None
    if form.is_valid():
        q, field = form.cleaned_data["q"] or None, form.cleaned_data["field"] or None
    qs = demand_selectors.demand_catalogue(field=field, q=q)
    page = cursor_page(request, qs, ordering=("-published_at", "-id"), size=PAGE_SIZE)
    rows = [(d, demand_selectors.can_see_demand_owner(request.user, d)) for d in page]
    return render(request, "discovery/demands.html", {"form": form, "page": page, "rows": rows})


@login_required
def demand_new(request: HttpRequest) -> HttpResponse:
    form = DemandForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            demand = services.demand_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_apply_error(form, exc)
        else:
            messages.success(request, _("需求已提交，等待平台审核。"))
            return redirect("discovery:demand", demand.pk)
    return render(request, "discovery/demand_form.html", {"form": form})


def _holder_achievements(user: Any) -> list[Achievement]:
    orgs = (
        list(
            Membership.objects.filter(
                user=user, role__in=ACTING_ROLES, organization__status="verified"
            ).values_list("organization_id", flat=True)
        )
        if getattr(user, "is_authenticated", False)
        else []
    )
    return list(Achievement.objects.filter(holder_id__in=orgs).order_by("-id")[:200])


def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A demand: everyone reads it; its company sees the matches and the responses with a feedback
    form each; holders respond with one of their achievements."""
    demand = demand_selectors.demands_visible_to(request.user).filter(pk=pk).first()
    if demand is None:
        raise Http404
    is_company = demand_selectors.is_demand_company(request.user, demand)
    own = _holder_achievements(request.user) if not is_company else []
    response_form = ResponseForm(achievements=own)
    feedback_forms: dict[int, FeedbackForm] = {}
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect("accounts:login")
        action = request.POST.get("action")
        if action == "respond":
            response_form = ResponseForm(request.POST, achievements=own)
            if response_form.is_valid():
                try:
                    achievement = next(a for a in own if a.pk == response_form.cleaned_data["achievement"])
                    listing = achievement.listings.filter(status="published").first()
                    services.response_create(
                        demand=demand,
                        actor=request.user,
                        achievement=achievement,
                        listing=listing,
                        message=response_form.cleaned_data["message"],
                    )
                except DomainError as exc:
                    form_apply_error(response_form, exc)
                else:
                    messages.success(request, _("已响应该需求。"))
                    return redirect("discovery:demand", demand.pk)
        elif action == "feedback":
            response = (
                demand_selectors.responses_visible_to(request.user)
                .filter(pk=request.POST.get("response"), demand=demand)
                .first()
            )
            if response is None:
                raise Http404
            form = feedback_forms[response.pk] = FeedbackForm(request.POST, prefix=f"r{response.pk}")
            if form.is_valid():
                try:
                    services.response_feedback(response=response, actor=request.user, **form.cleaned_data)
                except DomainError as exc:
                    form_apply_error(form, exc)
                else:
                    messages.success(request, _("反馈已发送给持有单位。"))
                    return redirect("discovery:demand", demand.pk)
        else:
            raise Http404
    responses = list(
        demand_selectors.responses_visible_to(request.user).filter(demand=demand).order_by("-id")
    )
    matches = demand_matches(demand=demand, limit=10) if (is_company or is_operator(request.user)) else []
    context = {
        "demand": demand,
        "show_owner": demand_selectors.can_see_demand_owner(request.user, demand),
        "is_company": is_company,
        "matches": matches,
        "responses": [(r, feedback_forms.get(r.pk) or FeedbackForm(prefix=f"r{r.pk}")) for r in responses],
        "response_form": response_form if own and demand.status == Demand.Status.PUBLISHED else None,
    }
    return render(request, "discovery/demand_detail.html", context)


@login_required
def my_responses(request: HttpRequest) -> HttpResponse:
    """The holder's side: its responses with the companies' feedback, and for each of its
    achievements the demands that match it."""
    orgs = member_organization_ids(request.user)
    responses = list(
        DemandResponse.objects.filter(organization_id__in=orgs)
        .select_related("demand__organization", "achievement")
        .order_by("-id")[:100]
    )
    services.achievement_index_refresh(
        achievement_ids=[a.pk for a in _holder_achievements(request.user)[:20]]
    )
    matching = []
    for achievement in _holder_achievements(request.user)[:20]:
        rows = achievement_matching_demands(achievement_id=achievement.pk, limit=5)
        if rows:
            matching.append(
                (
                    achievement,
                    [
                        (d, score, reasons, demand_selectors.can_see_demand_owner(request.user, d))
                        for d, score, reasons in rows
                    ],
                )
            )
    return render(request, "discovery/my_responses.html", {"responses": responses, "matching": matching})


@operator_required
def console_demands(request: HttpRequest) -> HttpResponse:
    """Operators review demands as listings: approve, or reject with a reason."""
    failed: dict[int, ReviewForm] = {}
    if request.method == "POST":
        demand = Demand.objects.filter(pk=request.POST.get("demand")).first()
        if demand is None:
            raise Http404
        form = failed[demand.pk] = ReviewForm(request.POST, prefix=f"d{demand.pk}")
        if form.is_valid():
            try:
                services.demand_review(demand=demand, actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                form_apply_error(form, exc)
            else:
                messages.success(request, _("审核结论已提交。"))
                return redirect("discovery:console_demands")
    queue = demand_selectors.demand_queue()
    rows = [(d, failed.get(d.pk) or ReviewForm(prefix=f"d{d.pk}")) for d in queue[:100]]
    return render(request, "discovery/console_demands.html", {"rows": rows, "count": queue.count()})


def listing_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A listing's inquiry and value page (询价与估值): its questions and answers (private ones
    only to who may see them), the ask form for companies, the answer forms for the holder, the
    holder's responsiveness, and the valuation band with its comparables."""
    listing = listing_selectors.listing_get_visible(user=request.user, listing_id=pk)
    if listing is None:
        raise Http404
    is_holder = listing.achievement.holder_id in member_organization_ids(request.user)
    ask_form = QuestionForm()
    answer_forms: dict[int, AnswerForm] = {}
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect("accounts:login")
        action = request.POST.get("action")
        if action == "ask":
            ask_form = QuestionForm(request.POST)
            if ask_form.is_valid():
                try:
                    services.question_ask(listing=listing, actor=request.user, **ask_form.cleaned_data)
                except DomainError as exc:
                    form_apply_error(ask_form, exc)
                else:
                    messages.success(request, _("问题已发送给持有单位。"))
                    return redirect("discovery:listing", listing.pk)
        elif action == "answer":
            question = (
                inquiry_selectors.questions_visible_to(request.user)
                .filter(pk=request.POST.get("question"), listing=listing)
                .first()
            )
            if question is None:
                raise Http404
            form = answer_forms[question.pk] = AnswerForm(request.POST, prefix=f"q{question.pk}")
            if form.is_valid():
                try:
                    services.question_answer(
                        question=question, actor=request.user, body=form.cleaned_data["body"]
                    )
                except DomainError as exc:
                    form_apply_error(form, exc)
                else:
                    messages.success(request, _("回答已发布。"))
                    return redirect("discovery:listing", listing.pk)
        else:
            raise Http404
    questions = [
        (q, answer_forms.get(q.pk) or AnswerForm(prefix=f"q{q.pk}"))
        for q in inquiry_selectors.listing_questions(user=request.user, listing_id=listing.pk)[:100]
    ]
    context: dict[str, Any] = {
        "listing": listing,
        "is_holder": is_holder,
        "questions": questions,
        "ask_form": ask_form if request.user.is_authenticated and not is_holder else None,
        "responsiveness": inquiry_selectors.holder_responsiveness(holder_id=listing.achievement.holder_id),
    }
    context.update(_valuation_context(listing))
    if is_holder or is_operator(request.user):
        context["price_flag"] = valuation_selectors.price_flag(
            listing=listing, band=context["valuation"].band
        )
        context["completeness"] = achievement_completeness(achievement=listing.achievement)
    return render(request, "discovery/listing.html", context)


def _valuation_context(listing: Any) -> dict[str, Any]:
    valuation = valuation_selectors.listing_valuation(listing=listing)
    return {"valuation": valuation, "price": valuation_selectors.listing_price(listing)}


@operator_required
def console_questions(request: HttpRequest) -> HttpResponse:
    """Questions unanswered after 5 working days (the market's calendar), longest overdue first."""
    late = inquiry_selectors.questions_unanswered_late()
    return render(
        request, "discovery/console_questions.html", {"rows": list(late[:200]), "count": late.count()}
    )


@login_required
def my_peer_reviews(request: HttpRequest) -> HttpResponse:
    """The expert's invitations, each with its score form, and the reviews already submitted."""
    failed: dict[int, PeerReviewForm] = {}
    if request.method == "POST":
        review = PeerReview.objects.filter(pk=request.POST.get("review"), expert=request.user).first()
        if review is None:
            raise Http404
        form = failed[review.pk] = PeerReviewForm(request.POST, prefix=f"p{review.pk}")
        if form.is_valid():
            try:
                services.review_submit(review=review, actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                form_apply_error(form, exc)
            else:
                messages.success(request, _("评议已提交。"))
                return redirect("discovery:my_peer_reviews")
    reviews = list(
        PeerReview.objects.filter(expert=request.user).select_related("achievement__holder").order_by("-id")
    )
    rows = [(r, failed.get(r.pk) or PeerReviewForm(prefix=f"p{r.pk}")) for r in reviews]
    return render(request, "discovery/my_peer_reviews.html", {"rows": rows})


@login_required
def peer_reviews_of(request: HttpRequest, pk: int) -> HttpResponse:
    """An achievement's individual reviews: its holder's members and operators only."""
    achievement = Achievement.objects.filter(pk=pk).select_related("holder").first()
    if achievement is None or not (
        is_operator(request.user) or achievement.holder_id in member_organization_ids(request.user)
    ):
        raise Http404
    reviews = review_selectors.peer_reviews_visible_to(request.user).filter(achievement=achievement)
    return render(
        request,
        "discovery/peer_reviews_of.html",
        {
            "achievement": achievement,
            "reviews": list(reviews.order_by("-id")),
            "aggregate": review_selectors.peer_review_aggregate(achievement_id=pk),
        },
    )


@operator_required
def console_peer_reviews(request: HttpRequest) -> HttpResponse:
    """Operators invite experts (the system refuses a conflict of interest) and follow the open
    invitations."""
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        achievement = Achievement.objects.filter(pk=form.cleaned_data["achievement"]).first()
        expert = User.objects.filter(username=form.cleaned_data["expert"]).first()
        if achievement is None:
            form.add_error("achievement", _("成果不存在。"))
        elif expert is None:
            form.add_error("expert", _("用户不存在。"))
        else:
            try:
                services.review_invite(achievement=achievement, actor=request.user, expert=expert)
            except DomainError as exc:
                form_apply_error(form, exc)
            else:
                messages.success(request, _("已邀请专家评议。"))
                return redirect("discovery:console_peer_reviews")
    invitations = review_selectors.invitations_open()
    experts = Expert.objects.filter(active=True).select_related("user", "organization").order_by("id")[:200]
    return render(
        request,
        "discovery/console_peer_reviews.html",
        {"form": form, "rows": list(invitations[:200]), "count": invitations.count(), "experts": experts},
    )


@login_required
def my_use_reports(request: HttpRequest) -> HttpResponse:
    """The buyer's yearly use reports, each due one with its form."""
    failed: dict[int, UseReportForm] = {}
    if request.method == "POST":
        report = use_reports_visible_to(request.user).filter(pk=request.POST.get("report")).first()
        if report is None:
            raise Http404
        form = failed[report.pk] = UseReportForm(request.POST, prefix=f"u{report.pk}")
        if form.is_valid():
            try:
                services.use_report_file(report=report, actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                form_apply_error(form, exc)
            else:
                messages.success(request, _("使用报告已填报。"))
                return redirect("discovery:my_use_reports")
    reports = use_reports_visible_to(request.user).order_by("status", "due_on", "id")[:200]
    rows = [(r, failed.get(r.pk) or UseReportForm(prefix=f"u{r.pk}")) for r in reports]
    return render(request, "discovery/my_use_reports.html", {"rows": rows})


@operator_required
def console_use_reports(request: HttpRequest) -> HttpResponse:
    """Use reports past their due day, oldest first."""
    late = use_reports_late()
    return render(
        request, "discovery/console_use_reports.html", {"rows": list(late[:200]), "count": late.count()}
    )


def publications(request: HttpRequest) -> HttpResponse:
    """The published periodic reports (成果月报、季度发布、年度榜单), newest first."""
    page = cursor_page(request, publications_list(), ordering=("-published_at", "-id"), size=PAGE_SIZE)
    return render(request, "discovery/publications.html", {"page": page})


def publication(request: HttpRequest, pk: int) -> HttpResponse:
    """One publication with its charts (inline SVG, no script) and links to its JSON and CSV."""
    pub = Publication.objects.filter(pk=pk).first()
    if pub is None:
        raise Http404
    figures = pub.figures
    charts = publication_charts(figures)
    return render(request, "discovery/publication.html", {"pub": pub, "f": figures, "charts": charts})


@login_required
def my_subscriptions(request: HttpRequest) -> HttpResponse:
    """The user's saved searches: add one, cancel one."""
    target = request.GET.get("target")  # the page a user came from: the catalogue or the demands
    form = (
        SubscriptionForm(request.POST or None)
        if request.POST.get("action") == "add"
        else SubscriptionForm(initial={"target": target} if target in Subscription.Target.values else None)
    )
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            sub = Subscription.objects.filter(pk=request.POST.get("subscription"), user=request.user).first()
            if sub is None:
                raise Http404
            services.subscription_delete(user=request.user, subscription=sub)
            messages.success(request, _("订阅已取消。"))
            return redirect("discovery:my_subscriptions")
        if form.is_valid():
            try:
                services.subscription_create(user=request.user, **form.cleaned_data)
            except DomainError as exc:
                form_apply_error(form, exc)
            else:
                messages.success(request, _("订阅成功：新信息每天最多推送一次。"))
                return redirect("discovery:my_subscriptions")
    subs = Subscription.objects.filter(user=request.user).order_by("-id")
    return render(request, "discovery/my_subscriptions.html", {"form": form, "subs": subs})
