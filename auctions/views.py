"""Auction pages: the list of auctions, the live room, registration with the deposit's payment
instructions, the bidder's own registrations, and the operators' live monitor. Reads go through
``auctions.selectors``, writes through ``auctions.services``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.lockout import client_address, client_device
from accounts.permissions import operator_required
from accounts.selectors import member_organization_ids
from auctions import selectors, services
from auctions.models import Auction, Registration
from core.errors import DomainError
from marketplace.charts import line_chart
from marketplace.selectors import deposit_state, preemption_holder_ids

S = Auction.Status


def _auction(pk: int) -> Auction:
    auction = Auction.objects.select_related("listing__achievement__holder", "leader").filter(pk=pk).first()
    if auction is None:
        raise Http404
    return auction


def auction_list(request: HttpRequest) -> HttpResponse:
    base = Auction.objects.select_related("listing__achievement__holder", "leader").annotate(
        registered=Count("registrations")
    )
    context = {
        "live": list(base.filter(status=S.LIVE).order_by("ends_at", "id")[:50]),
        "scheduled": list(base.filter(status=S.SCHEDULED).order_by("starts_at", "id")[:50]),
        "closed": list(base.filter(status__in=Auction.FINAL).order_by("-closed_at", "-id")[:20]),
    }
    # Watchers only where a room can be open; one Redis round trip, "—" while Redis is away.
    counts = selectors.watchers_counts([a.pk for a in context["live"]])
    for a in context["live"]:
        a.watchers = counts.get(a.pk)  # type: ignore[attr-defined]
    return render(request, "auctions/list.html", context)


def live(request: HttpRequest, pk: int) -> HttpResponse:
    """The live room; the page renders the current state, live.js keeps it current."""
    auction = _auction(pk)
    registration = None
    proxy_max = None
    if request.user.is_authenticated:
        registration = selectors.registration_for(auction_id=auction.pk, user=request.user)
        if registration is not None:
            proxy = selectors.proxy_bid_for(registration)
            proxy_max = proxy.max_amount if proxy is not None else None
    context = {
        "auction": auction,
        "listing": auction.listing,
        "snapshot": selectors.auction_snapshot(auction.pk),
        "watchers": selectors.watchers_counts([auction.pk])[auction.pk],
        # Drawn when the page is served (no script, CSP 'self'): reloading shows the newest bids.
        "price_chart": line_chart(selectors.price_points(auction.pk)),
        "registration": registration,
        "can_bid": registration is not None and services.registration_deposit_frozen(registration),
        "proxy_max": proxy_max,
        # After the close: the outcome for this person instead of the bid form.
        "outcome": selectors.auction_outcome_for(
            auction=auction, user=request.user, registration=registration
        ),
    }
    return render(request, "auctions/live.html", context)


@login_required
def register(request: HttpRequest, pk: int) -> HttpResponse:
    """竞买登记: register, then the deposit's payment instructions and status."""
    auction = _auction(pk)
    registration = selectors.registration_for(auction_id=auction.pk, user=request.user)
    error = None
    if request.method == "POST" and registration is None:
        try:
            registration = services.registration_create(
                auction_id=auction.pk,
                actor=request.user,
                preemptive=request.POST.get("preemptive") == "1",
                address=client_address(request),
                device=client_device(request),
            )
        except DomainError as exc:
            error = exc.detail
        else:
            messages.success(
                request,
                _("竞买登记成功，您的竞买号为 %(bidder_no)s。请按下方说明缴纳保证金。")
                % {"bidder_no": registration.bidder_no},
            )
            return redirect("auctions:register", pk=auction.pk)
    context: dict[str, Any] = {
        "auction": auction,
        "listing": auction.listing,
        "registration": registration,
        "details": selectors.registration_public(registration) if registration is not None else None,
        "deposit_state": deposit_state(registration.payment) if registration is not None else None,
        "bank": settings.MARKET["ESCROW_BANK_ACCOUNT"],
        "error": error,
        "can_preempt": registration is None
        and bool(
            preemption_holder_ids(auction.listing.achievement_id) & set(member_organization_ids(request.user))
        ),
    }
    return render(request, "auctions/register.html", context)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """My registrations: bidder numbers, deposits, my highest bid and proxy ceiling in each."""
    registrations = list(
        Registration.objects.filter(organization__memberships__user=request.user)
        .select_related("auction__listing__achievement", "auction__leader", "payment")
        .order_by("-created_at")[:100]
    )
    rows = []
    for reg in registrations:
        my_bids = reg.bids.order_by("-seq")
        proxy = selectors.proxy_bid_for(reg)
        rows.append(
            {
                "registration": reg,
                "auction": reg.auction,
                "top_bid": my_bids.first(),
                "bid_count": my_bids.count(),
                "proxy_max": proxy.max_amount if proxy is not None else None,
                "leading": reg.auction.leader_id == reg.pk,
                "deposit_state": deposit_state(reg.payment),
            }
        )
    return render(request, "auctions/mine.html", {"rows": rows})


@operator_required
def console_live(request: HttpRequest) -> HttpResponse:
    """Live and upcoming auctions for the operators: price, bids, registrations, time left."""
    auctions = list(selectors.auctions_watched()[:200])
    counts = {
        a["auction_id"]: a
        for a in Registration.objects.filter(auction__in=auctions)
        .values("auction_id")
        .annotate(**_reg_counts())
    }
    return render(request, "auctions/console_live.html", {"auctions": auctions, "counts": counts})


def _reg_counts() -> dict[str, Any]:
    return {"registered": Count("id"), "frozen": Count("id", filter=Q(payment__deposit_status="frozen"))}


@operator_required
@require_POST
def console_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """An operator stops a scheduled or live auction with a reason (deposits are released)."""
    try:
        services.auction_cancel(auction_id=pk, actor=request.user, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("拍卖已取消，保证金已退还。"))
    return redirect("auctions:console_live")


RESCUE_ACTIONS = {
    "open_window": lambda request, auction: services.best_offer_window_open(
        auction_id=auction.pk, actor=request.user
    ),
    "make_offer": lambda request, auction: services.best_offer_make(
        auction_id=auction.pk, actor=request.user, amount=request.POST.get("amount", "").strip() or "0"
    ),
    "accept_offer": lambda request, auction: services.best_offer_accept(
        offer_id=int(request.POST.get("offer", "0") or 0), actor=request.user
    ),
    "move_negotiated": lambda request, auction: services.auction_move_to_negotiated(
        auction_id=auction.pk,
        actor=request.user,
        asking_price=request.POST.get("asking_price", "").strip() or None,
    ),
    "runner_up_offer": lambda request, auction: services.runner_up_offer_make(
        deal_id=int(request.POST.get("deal", "0") or 0), actor=request.user
    ),
    "runner_up_accept": lambda request, auction: services.runner_up_offer_accept(
        offer_id=int(request.POST.get("offer", "0") or 0), actor=request.user
    ),
    "runner_up_decline": lambda request, auction: services.runner_up_offer_decline(
        offer_id=int(request.POST.get("offer", "0") or 0),
        actor=request.user,
        reason=request.POST.get("reason", ""),
    ),
}
RESCUE_DONE = {
    "open_window": _("择优报价已开启，已通知全部登记竞买人。"),
    "make_offer": _("择优报价已密封提交。请按付款识别码缴纳保证金，到账后持有单位方可接受。"),
    "accept_offer": _("已接受该报价，成交。"),
    "move_negotiated": _("已转为协议定价挂牌并提交审核。"),
    "runner_up_offer": _("已向顺位竞买人发出受让要约。"),
    "runner_up_accept": _("已接受顺位受让，成交。"),
    "runner_up_decline": _("已放弃顺位受让。"),
}


@login_required
def rescue(request: HttpRequest, pk: int) -> HttpResponse:
    """流拍后择优报价 and 顺位受让: the holder opens the window, accepts an offer or moves the lot to
    a negotiated listing, offers a defaulted lot to the runner-up; bidders send their sealed offer;
    the runner-up accepts or declines. One POST dispatches by a whitelist of action names."""
    from marketplace.models import Deal

    auction = _auction(pk)
    if request.method == "POST":
        action = RESCUE_ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            messages.error(request, _("未知的操作。"))
        else:
            try:
                action(request, auction)
            except (DomainError, ValueError) as exc:
                messages.error(request, getattr(exc, "detail", str(exc)))
            else:
                messages.success(request, str(RESCUE_DONE[request.POST["action"]]))
        return redirect("auctions:rescue", pk=auction.pk)
    view = selectors.rescue_view(auction=auction, user=request.user)
    defaulted = list(
        Deal.objects.filter(
            listing=auction.listing, status=Deal.Status.DEFAULTED, runner_up_offer__isnull=True
        )
    )
    context = {
        "auction": auction,
        "listing": auction.listing,
        "now": selectors.db_now(),
        "defaulted": defaulted if view["is_holder"] else [],
        **view,
    }
    return render(request, "auctions/rescue.html", context)
