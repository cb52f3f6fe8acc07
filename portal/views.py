"""Pages that compose several apps: the home page and the operators' console overview.
Each app renders its own pages; these only gather what the apps' selectors return."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.permissions import operator_required
from accounts.selectors import organizations_pending_review
from auctions import selectors as auction_selectors
from auctions.models import Auction
from conversion.models import UseFirstApplication
from conversion.selectors import agreements as agreement_selectors
from conversion.selectors import duty as use_first_selectors
from discovery.selectors import demands as demand_selectors
from discovery.selectors import inquiry as inquiry_selectors
from discovery.selectors import review as review_selectors
from discovery.selectors.disclosure import use_reports_late
from listings import selectors as listing_selectors
from marketplace import selectors as mk_selectors
from marketplace.models import ReconciliationRun
from marketplace.views import latest_results
from marketplace.working_days import calendar_missing_years


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
            "title": _("逾期使用报告"),
            "count": use_reports_late().count(),
            "hint": _("受让方逾期未填报的年度使用报告"),
            "url": reverse("discovery:console_use_reports"),
        },
    ]
    return render(
        request, "console.html", {"sections": sections, "calendar_missing": calendar_missing_years()}
    )
