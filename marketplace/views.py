"""Marketplace pages: the public results board, and the parties' offers, notices, intents, deals,
payment instructions and settlement statements; the operators' payments, defaults and notices.
Reads go through the marketplace's selectors and models, writes through its services."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.models import Membership
from accounts.selectors import is_finance_operator, is_operator
from accounts.views import form_apply_error, operator_required
from config.errors import DomainError
from listings.models import Listing
from marketplace.charts import deals_by_month_chart, months_back
from marketplace.forms import PaymentConfirmForm, ResultFilterForm
from marketplace.models import Deal, Journal, Payable, Result
from marketplace.services import payable_confirm

PAGE_SIZE = 30


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def results(request: HttpRequest) -> HttpResponse:
    """成交公示: published results with filters, and deal value by month and mode as a chart."""
    form = ResultFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = Result.objects.all()
    if data.get("mode"):
        qs = qs.filter(mode=data["mode"])
    if data.get("field"):
        qs = qs.filter(field=data["field"])
    if data.get("concluded_after"):
        qs = qs.filter(concluded_at__gte=_day_start(data["concluded_after"]))
    if data.get("concluded_before"):
        qs = qs.filter(concluded_at__lt=_day_start(data["concluded_before"] + dt.timedelta(days=1)))
    months = months_back(timezone.localdate(), 12)
    rows = list(
        qs.filter(concluded_at__gte=_day_start(months[0]))
        .annotate(month=TruncMonth("concluded_at", tzinfo=timezone.get_current_timezone()))
        .values("month", "mode")
        .annotate(count=Count("id"), total=Sum("price"))
        .order_by()
    )
    chart = deals_by_month_chart(rows, months=months, modes=list(Listing.Mode.choices))
    page = Paginator(qs.order_by("-concluded_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    return render(
        request, "marketplace/results.html", {"form": form, "page": page, "chart": chart, "query": query}
    )


def latest_results(limit: int = 5) -> list[Any]:
    """The newest results, for the home page."""
    return list(Result.objects.order_by("-concluded_at", "-id")[:limit])


# Deals: the parties' list, payment instructions and settlement statement ------------------------


def _my_org_ids(user: Any) -> list[int]:
    return list(Membership.objects.filter(user=user).values_list("organization_id", flat=True))


def _deal_for(user: Any, pk: int) -> Deal:
    """A deal the user may read: a party's member, or an operator; anyone else gets 404."""
    qs = Deal.objects.select_related("listing__achievement", "buyer", "seller", "payment", "deposit")
    if not (is_operator(user) or is_finance_operator(user)):
        orgs = _my_org_ids(user)
        qs = qs.filter(Q(buyer_id__in=orgs) | Q(seller_id__in=orgs))
    deal = qs.filter(pk=pk).first()
    if deal is None:
        raise Http404
    return deal


@login_required
def my_deals(request: HttpRequest) -> HttpResponse:
    orgs = _my_org_ids(request.user)
    deals = (
        Deal.objects.filter(Q(buyer_id__in=orgs) | Q(seller_id__in=orgs))
        .select_related("listing__achievement", "buyer", "seller", "payment")
        .order_by("-concluded_at", "-id")
    )
    page = Paginator(deals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "marketplace/my_deals.html", {"page": page, "orgs": set(orgs)})


@login_required
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """成交确认: the price, what is due by when and how to pay it, and the settlement statement."""
    deal = _deal_for(request.user, pk)
    orgs = set(_my_org_ids(request.user))
    journals = list(
        Journal.objects.filter(deal=deal)
        .prefetch_related("entries__account__organization")
        .order_by("created_at", "id")
    )
    context = {
        "deal": deal,
        "is_buyer": deal.buyer_id in orgs,
        "is_seller": deal.seller_id in orgs,
        "journals": journals,
        "bank": settings.MARKET["ESCROW_BANK_ACCOUNT"],
    }
    return render(request, "marketplace/deal_detail.html", context)


# The operators' console: payments to confirm, defaults -------------------------------------------


@operator_required
def console_payments(request: HttpRequest) -> HttpResponse:
    """Incoming payments still pending (deposits, balances): a finance operator records an
    offline transfer against one; what was typed stays when the service refuses."""
    pending = list(
        Payable.objects.filter(kind__in=Payable.INCOMING, status=Payable.Status.PENDING)
        .select_related("payer", "listing__achievement", "deal")
        .order_by("created_at", "id")[:200]
    )
    forms_: dict[int, PaymentConfirmForm] = {}
    if request.method == "POST":
        if not is_finance_operator(request.user):
            raise PermissionDenied
        payable = next((p for p in pending if str(p.pk) == request.POST.get("payable")), None)
        if payable is None:
            raise Http404
        form = forms_[payable.pk] = PaymentConfirmForm(request.POST, prefix=f"p{payable.pk}")
        if form.is_valid():
            try:
                payable_confirm(payable=payable, actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                form_apply_error(form, exc)
            else:
                messages.success(request, f"已确认到账：付款识别码 {payable.payment_reference}。")
                return redirect("marketplace:console_payments")
    rows = [(p, forms_.get(p.pk) or PaymentConfirmForm(prefix=f"p{p.pk}")) for p in pending]
    return render(
        request,
        "marketplace/console_payments.html",
        {"rows": rows, "finance": is_finance_operator(request.user)},
    )


@operator_required
def console_defaults(request: HttpRequest) -> HttpResponse:
    """Deals whose buyer did not pay in time, and deals now overdue and about to default."""
    defaulted = (
        Deal.objects.filter(status=Deal.Status.DEFAULTED)
        .select_related("listing__achievement", "buyer", "seller")
        .order_by("-defaulted_at")[:100]
    )
    overdue = (
        Deal.objects.filter(status=Deal.Status.AWAITING_PAYMENT, payment_due_at__lt=timezone.now())
        .select_related("listing__achievement", "buyer", "seller")
        .order_by("payment_due_at")[:100]
    )
    return render(request, "marketplace/console_defaults.html", {"defaulted": defaulted, "overdue": overdue})
