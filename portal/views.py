"""Pages that compose several apps: the home page and the operators' console overview.
Each app renders its own pages; these only gather what the apps' selectors return."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.permissions import operator_required
from accounts.selectors import (
    is_finance_operator,
    is_operator,
    organizations_pending_review,
)
from auctions import selectors as auction_selectors
from auctions.models import Auction
from conversion.models import UseFirstApplication
from conversion.selectors import agreements as agreement_selectors
from conversion.selectors import duty as use_first_selectors
from core.decisions import RISK_ALERT
from core.errors import DomainError
from discovery.selectors import demands as demand_selectors
from discovery.selectors import inquiry as inquiry_selectors
from discovery.selectors import review as review_selectors
from discovery.selectors.disclosure import use_reports_late
from listings import selectors as listing_selectors
from marketplace import selectors as mk_selectors
from marketplace.models import ReconciliationRun
from marketplace.views import latest_results
from marketplace.working_days import calendar_missing_years

from . import risk
from . import selectors as portal_selectors
from .models import RiskAlert


def home(request: HttpRequest) -> HttpResponse:
    """Live and upcoming auctions, the newest listings, the latest results, use-first highlights."""
    auctions = (
        Auction.objects.filter(status__in=(Auction.Status.LIVE, Auction.Status.SCHEDULED))
        .select_related("listing__achievement__holder")
        .order_by("-status", "ends_at")[:6]
    )
    context: dict[str, Any] = {
        "auctions": list(auctions),
        "use_first": list(use_first_selectors.use_first_entries().order_by("-listed_on", "-id")[:5]),
        "results": latest_results(),
        "listings": list(listing_selectors.catalogue_list(filters=listing_selectors.CatalogueFilters())[:6]),
    }
    return render(request, "home.html", context)


@operator_required
def console(request: HttpRequest) -> HttpResponse:
    """One tile per operators' queue: each counts with the selector of the page it opens, so the
    number on the tile is the number of rows there (tests/pages/test_console_tiles.py)."""
    return render(
        request,
        "console.html",
        {"sections": console_sections(request), "calendar_missing": calendar_missing_years()},
    )


@login_required
def todo(request: HttpRequest) -> HttpResponse:
    """待办: what waits on the signed-in person, by role, each with the page where it is done.

    A party: its side of each open deal (sign, pay, register the contract), deposits to pay,
    listings waiting for its approval (安心屋), use-first applications to answer. Platform staff:
    every console queue that is not empty.
    """
    user = request.user
    items = portal_selectors.todo_items(user)
    if is_operator(user) or is_finance_operator(user):
        for section in console_sections(request):
            if section["count"]:
                items.append(
                    {
                        "group": _("运营"),
                        "title": section["title"],
                        "what": f"{section['hint']}：{section['count']}",
                        "url": section["url"],
                        "due": None,
                    }
                )
    return render(request, "todo.html", {"items": items})


def console_sections(request: HttpRequest) -> list[dict[str, Any]]:
    """The console's tiles: each queue's title, count, hint and page."""
    sections: list[dict[str, Any]] = [
        {
            "title": _("机构认证"),
            "count": organizations_pending_review().count(),
            "hint": _("待审核的机构"),
            "url": reverse("accounts:console_organizations"),
        },
        {
            "title": _("拍卖监控"),
            "count": auction_selectors.auctions_watched().count(),
            "hint": _("竞价中与即将开始的拍卖"),
            "url": reverse("auctions:console_live"),
        },
        {
            "title": _("待确认付款"),
            "count": mk_selectors.payables_pending().count(),
            "hint": _("保证金、成交价款的到账与退款、结算的付出"),
            "url": reverse("marketplace:console_payments"),
        },
        {
            "title": _("违约"),
            "count": mk_selectors.deals_defaulted().count() + mk_selectors.deals_overdue().count(),
            "hint": _("已违约与逾期未付的成交"),
            "url": reverse("marketplace:console_defaults"),
        },
        {
            "title": _("挂牌审核"),
            "count": listing_selectors.listings_review_queue().count(),
            "hint": _("待平台审核的挂牌"),
            "url": reverse("listings:console_listings"),
        },
        {
            "title": _("先用后转督办"),
            "count": use_first_selectors.justifications_for(user=request.user, status="pending").count()
            + use_first_selectors.self_implementations_for(user=request.user, status="pending").count(),
            "hint": _("待审核的正当理由与自行实施声明"),
            "url": reverse("listings:console_use_first"),
        },
        {
            "title": _("先用后转申请"),
            "count": sum(
                agreement_selectors.use_first_applications_for(user=request.user, status=status).count()
                for status in (
                    UseFirstApplication.Status.ESCALATED,
                    UseFirstApplication.Status.DECLINE_REVIEW,
                )
            ),
            "hint": _("逾期未答复、拒绝待审核的申请"),
            "url": reverse("marketplace:console_use_first_applications"),
        },
        {
            "title": _("公示异议"),
            "count": mk_selectors.notices_open().count(),
            "hint": _("公示中的成交价，有待处理异议的在前"),
            "url": reverse("marketplace:console_notices"),
        },
        {
            "title": _("对账"),
            "count": mk_selectors.reconciliation_runs(status=ReconciliationRun.Status.MISMATCH).count(),
            "hint": _("最近存在差异的对账"),
            "url": reverse("marketplace:console_reconciliation")
            + f"?status={ReconciliationRun.Status.MISMATCH}",
        },
        {
            "title": _("逾期登记"),
            "count": use_first_selectors.registration_overdue_for(user=request.user).count(),
            "hint": _("逾期未登记的财政资助成果"),
            "url": reverse("listings:console_overdue"),
        },
        {
            "title": _("需求审核"),
            "count": demand_selectors.demand_queue().count(),
            "hint": _("待审核的技术需求（供需荟）"),
            "url": reverse("discovery:console_demands"),
        },
        {
            "title": _("逾期未答复的提问"),
            "count": inquiry_selectors.questions_unanswered_late().count(),
            "hint": _("超过 5 个工作日未答复的询价与提问"),
            "url": reverse("discovery:console_questions"),
        },
        {
            "title": _("专家评议"),
            "count": review_selectors.invitations_open().count(),
            "hint": _("待专家提交的评议邀请"),
            "url": reverse("discovery:console_peer_reviews"),
        },
        {
            "title": _("风险预警"),
            "count": portal_selectors.risk_alerts(status=RiskAlert.Status.OPEN).count(),
            "hint": _("待处理的风险预警"),
            "url": reverse("risk_alerts") + f"?status={RiskAlert.Status.OPEN}",
        },
        {
            "title": _("逾期使用报告"),
            "count": use_reports_late().count(),
            "hint": _("受让方逾期未填报的年度使用报告"),
            "url": reverse("discovery:console_use_reports"),
        },
    ]
    return sections


@operator_required
def risk_alerts(request: HttpRequest) -> HttpResponse:
    """风险预警: alerts with their rule and evidence; an operator's decision on each (the one action
    of this page, ``decide``, through ``core.decisions``)."""
    if request.method == "POST":
        if request.POST.get("action") != "decide":
            raise Http404
        alert = RiskAlert.objects.filter(pk=request.POST.get("alert")).first()
        if alert is None:
            raise Http404
        try:
            risk.risk_alert_decide(
                alert=alert,
                actor=request.user,
                decision=request.POST.get("decision"),
                reason=request.POST.get("reason", ""),
            )
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("已记录处理结论。"))
        return redirect(request.get_full_path())
    status = request.GET.get("status") or None
    if status not in RiskAlert.Status.values:
        status = None
    rows = list(portal_selectors.risk_alerts(status=status)[:200])
    for alert in rows:
        alert.evidence_lines = [(key, _evidence_text(value)) for key, value in alert.evidence.items()]  # type: ignore[attr-defined]
    return render(
        request,
        "risk_alerts.html",
        {
            "rows": rows,
            "status": status,
            "statuses": RiskAlert.Status.choices,
            "decisions": [(w.value, w.label) for w in RISK_ALERT.words],
            "rules": settings.MARKET["RISK_RULES"],
        },
    )


def _evidence_text(value: Any) -> str:
    """An evidence value as a reader reads it: organizations by name and bidder number, lists
    joined; the raw value is the API's."""
    if isinstance(value, list):
        return "；".join(_evidence_text(v) for v in value)
    if isinstance(value, dict):
        name = value.get("name") or value.get("username")
        extra = [
            f"{k} {v}" for k, v in value.items() if k not in ("name", "username") and v not in (None, False)
        ]
        return f"{name}（{'，'.join(extra)}）" if name else "，".join(extra)
    return str(value)
