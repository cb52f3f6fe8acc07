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
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import operator_required
from accounts.selectors import is_finance_operator, is_operator, member_organization_ids
from core import files
from core.errors import DomainError
from core.paging import cursor_page
from core.web import form_apply_error
from listings import selectors as listing_selectors
from listings.models import Listing, Rights
from marketplace import selectors as mk_selectors
from marketplace.charts import deals_by_month_chart, months_back
from marketplace.documents import confirmation_pdf
from marketplace.forms import (
    ContractCorrectionForm,
    ContractForm,
    DealBrokerForm,
    ObjectionDecisionForm,
    ObjectionForm,
    OfferForm,
    PaymentConfirmForm,
    PaymentReceiptForm,
    RejectForm,
    ResultFilterForm,
)
from marketplace.models import (
    Objection,
    Offer,
    Payable,
    PaymentReceipt,
    PublicNotice,
    PurchaseIntent,
    ReconciliationRun,
    Result,
)
from marketplace.models.payments import PURPOSES
from marketplace.selectors import (
    deal_get_visible,
    deal_journals,
    deals_visible_to,
    is_staff_reader,
    results_list,
)
from marketplace.services import intents, negotiation, payable_confirm, payment_receipt_submit
from marketplace.services.brokers import NAMEABLE
from marketplace.services.confirmation import deal_confirmation_sign
from marketplace.services.settlement import deal_contract_registration_correct, deal_register_contract

PAGE_SIZE = 30


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def results(request: HttpRequest) -> HttpResponse:
    """成交公示: published results with filters, and deal value by month and mode as a chart."""
    form = ResultFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    # The page's dates are whole days (the end day included); the API's and the CSV's are moments.
    after, before = data.get("concluded_after"), data.get("concluded_before")
    qs = results_list(
        mode=data.get("mode") or None,
        field=data.get("field") or None,
        concluded_after=_day_start(after) if after else None,
        concluded_before=_day_start(before + dt.timedelta(days=1)) if before else None,
    )
    months = months_back(timezone.localdate(), 12)
    rows = list(
        qs.filter(concluded_at__gte=_day_start(months[0]))
        .annotate(month=TruncMonth("concluded_at", tzinfo=timezone.get_current_timezone()))
        .values("month", "mode")
        .annotate(count=Count("id"), total=Sum("price"))
        .order_by()
    )
    chart = deals_by_month_chart(rows, months=months, modes=list(Listing.Mode.choices))
    page = cursor_page(request, qs, ordering=("-concluded_at", "-id"), size=PAGE_SIZE)
    query = urlencode({k: v for k, v in request.GET.items() if k != "cursor" and v})
    return render(
        request, "marketplace/results.html", {"form": form, "page": page, "chart": chart, "query": query}
    )


def result_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A result's public page (成交公示): what was sold, to whom, at what price, how (mode, bids,
    the public notice it went through), when. Public, like the board that links it."""
    context = mk_selectors.result_page(result_id=pk)
    if context is None:
        raise Http404
    context["auction_id"] = listing_selectors.listing_auction_id(context["result"].listing)
    return render(request, "marketplace/result_detail.html", context)


def notices(request: HttpRequest) -> HttpResponse:
    """公示: every running notice of a negotiated price, with its objection window; anyone may read
    them, a signed-in person may object on the notice's page."""
    page = Paginator(mk_selectors.notices_running(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "marketplace/notices.html", {"page": page})


def latest_results(limit: int = 5) -> list[Any]:
    """The newest results, for the home page."""
    return list(Result.objects.order_by("-concluded_at", "-id")[:limit])


# Deals: the parties' list, payment instructions and settlement statement ------------------------


@login_required
def my_deals(request: HttpRequest) -> HttpResponse:
    """A party's deals, with its side on each. Platform staff who belong to no party have no
    side: they are sent to the console's list of every deal."""
    orgs = set(member_organization_ids(request.user))
    if is_staff_reader(request.user) and not orgs:
        return redirect("marketplace:console_deals")
    deals = deals_visible_to(request.user).filter(Q(buyer_id__in=orgs) | Q(seller_id__in=orgs))
    page = Paginator(deals.order_by("-concluded_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "marketplace/my_deals.html", {"page": page, "orgs": orgs})


@operator_required
def console_deals(request: HttpRequest) -> HttpResponse:
    """全部成交 for the platform's staff: both parties named on each deal, no side taken."""
    deals = deals_visible_to(request.user).order_by("-concluded_at", "-id")
    page = Paginator(deals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "marketplace/console_deals.html", {"page": page})


@login_required
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """成交确认: the price, what is due by when and how to pay it, what waits on whom (signatures,
    payment, the contract registration, settlement), the contract registration (the holder enters
    it once paid and signed; an operator corrects it with a reason), and the settlement statement.
    Actions by a whitelist of names (``register_contract``, ``correct_contract``)."""
    deal = deal_get_visible(user=request.user, deal_id=pk)
    if deal is None:
        raise Http404
    orgs = set(member_organization_ids(request.user))
    action = request.POST.get("action") if request.method == "POST" else None
    contract_form = ContractForm(request.POST if action == "register_contract" else None)
    correction_form = ContractCorrectionForm(request.POST if action == "correct_contract" else None)
    if action == "register_contract" and deal.seller_id in orgs and contract_form.is_valid():
        try:
            deal_register_contract(deal=deal, actor=request.user, **contract_form.cleaned_data)
        except DomainError as exc:
            form_apply_error(contract_form, exc)
        else:
            messages.success(request, _("技术合同登记号已记录，成交进入结算。"))
            return redirect("marketplace:deal", pk=pk)
    if action == "correct_contract" and is_operator(request.user) and correction_form.is_valid():
        try:
            deal_contract_registration_correct(deal=deal, actor=request.user, **correction_form.cleaned_data)
        except DomainError as exc:
            form_apply_error(correction_form, exc)
        else:
            messages.success(request, _("技术合同登记号已更正，更正理由已记录。"))
            return redirect("marketplace:deal", pk=pk)
    waiting = mk_selectors.confirmation_waiting_on(deal)
    context = {
        "deal": deal,
        "is_buyer": deal.buyer_id in orgs,
        "is_seller": deal.seller_id in orgs,
        "is_operator": is_operator(request.user),
        "steps": mk_selectors.deal_steps(deal),
        "confirmation_waiting": waiting,
        # The debit/credit journals are the platform's books: staff read them, the parties read
        # plain statements (已付/待付, the settlement result).
        "show_ledger": is_staff_reader(request.user),
        "journals": list(deal_journals(deal=deal)) if is_staff_reader(request.user) else [],
        "bank": settings.MARKET["ESCROW_BANK_ACCOUNT"],
        "contract_form": contract_form,
        "correction_form": correction_form,
        "contract_changes": list(deal.contract_registration_changes.select_related("actor")),
        "result": Result.objects.filter(deal=deal).first(),
        "broker_form": _deal_broker_form(deal, is_buyer=deal.buyer_id in orgs),
    }
    return render(request, "marketplace/deal_detail.html", context)


def _deal_broker_form(deal: Any, *, is_buyer: bool) -> DealBrokerForm | None:
    """The buyer's form to name its broker, while it may and some broker held a mandate."""
    if not is_buyer or deal.mandate_id is not None or deal.status not in NAMEABLE:
        return None
    mandates = mk_selectors.mandates_valid_for_deal(deal)
    return DealBrokerForm(mandates=mandates) if mandates else None


@login_required
def deal_confirmation(request: HttpRequest, pk: int) -> HttpResponse:
    """成交确认书: the fixed terms in a printable page, both sides' signatures, and the sign button
    for a party that has not signed."""
    deal = deal_get_visible(user=request.user, deal_id=pk)
    if deal is None:
        raise Http404
    if request.method == "POST":
        try:
            deal_confirmation_sign(deal=deal, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("已签署成交确认书。"))
        return redirect("marketplace:deal_confirmation", pk=pk)
    confirmation = mk_selectors.deal_confirmation(deal)
    if confirmation is None:
        raise Http404
    refusal, _side = mk_selectors.confirmation_sign_refusal(request.user, confirmation)
    context = {
        "deal": deal,
        "confirmation": confirmation,
        "terms": confirmation.terms,
        "mode_label": Listing.Mode(confirmation.terms["mode"]).label,
        "concluded_at": dt.datetime.fromisoformat(confirmation.terms["concluded_at"]),
        "payment_due_at": dt.datetime.fromisoformat(confirmation.terms["payment_due_at"]),
        "rights_label": Rights(confirmation.terms["rights"]).label,
        "can_sign": refusal is None,
        "seller_signer": mk_selectors.signer_name(confirmation.seller_signed_by, deal.seller)
        if confirmation.seller_signed_by
        else None,
        "buyer_signer": mk_selectors.signer_name(confirmation.buyer_signed_by, deal.buyer)
        if confirmation.buyer_signed_by
        else None,
    }
    return render(request, "marketplace/deal_confirmation.html", context)


@login_required
def deal_confirmation_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """成交确认书 as a PDF to print or file: the same terms and signatures as the page."""
    deal = deal_get_visible(user=request.user, deal_id=pk)
    confirmation = mk_selectors.deal_confirmation(deal) if deal is not None else None
    if deal is None or confirmation is None:
        raise Http404
    body = confirmation_pdf(
        confirmation,
        seller_signer=mk_selectors.signer_name(confirmation.seller_signed_by, deal.seller)
        if confirmation.seller_signed_by
        else None,
        buyer_signer=mk_selectors.signer_name(confirmation.buyer_signed_by, deal.buyer)
        if confirmation.buyer_signed_by
        else None,
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{confirmation.number}.pdf"'
    return response


# The operators' console: payments to confirm, defaults -------------------------------------------


@operator_required
def console_payments(request: HttpRequest) -> HttpResponse:
    """Payments still pending: incoming (deposits, balances) that a finance operator records as
    received offline, and outgoing (refunds, settlement payouts) that they record as paid out.
    What was typed stays when the service refuses."""
    purpose = request.GET.get("kind", "") if request.GET.get("kind", "") in PURPOSES else ""
    state = request.GET.get("state", "pending")
    state = state if state in mk_selectors.QUEUE_STATES else "pending"
    pending = list(mk_selectors.payables_queue(purpose=purpose, state=state)[:200])
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
                messages.success(request, _confirmed_words(payable))
                return redirect(request.get_full_path())
    rows = [
        (p, forms_.get(p.pk) or PaymentConfirmForm(prefix=f"p{p.pk}") if p.status == "pending" else None)
        for p in pending
    ]
    context = {
        "rows": rows,
        "finance": is_finance_operator(request.user),
        "purposes": list(PURPOSES.items()),
        "states": list(mk_selectors.QUEUE_STATES.items()),
        "purpose": purpose,
        "state": state,
    }
    return render(request, "marketplace/console_payments.html", context)


def _confirmed_words(payable: Any) -> str:
    """What a confirmation did, in its own words: money received, a share paid out, a refund made."""
    args = {
        "what": payable.purpose_label,
        "name": payable.payer.name,
        "reference": payable.payment_reference,
    }
    if payable.is_incoming:
        return _("已确认到账：%(name)s 的%(what)s（付款识别码 %(reference)s）。") % args
    if payable.kind == "refund":
        return _("已确认退款：已退还 %(name)s（付款识别码 %(reference)s）。") % args
    return _("已确认付出：%(what)s 已付给 %(name)s（付款识别码 %(reference)s）。") % args


@login_required
def payment_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """已付款，上传银行回单: the payer's members tell the platform they transferred a deposit or a
    balance; the receipt waits in the finance operators' queue."""
    payable = get_object_or_404(Payable.objects.select_related("payer", "listing__achievement"), pk=pk)
    if payable.payer_id not in set(member_organization_ids(request.user)):
        raise Http404
    form = PaymentReceiptForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            payment_receipt_submit(
                payable=payable,
                actor=request.user,
                upload=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            form_apply_error(form, exc)
        else:
            messages.success(request, _("回单已提交，平台财务核对到账后确认。"))
            return redirect("marketplace:payment_receipt", pk=pk)
    context = {
        "payable": payable,
        "form": form,
        "receipts": payable.receipts.all(),
        "bank": settings.MARKET["ESCROW_BANK_ACCOUNT"],
        "state": mk_selectors.deposit_state(payable) if payable.kind == "deposit" else None,
    }
    return render(request, "marketplace/payment_receipt.html", context)


@login_required
def payment_receipt_file(request: HttpRequest, pk: int, receipt_pk: int) -> HttpResponseBase:
    """A receipt's file: the payer's members and platform staff only."""
    receipt = get_object_or_404(
        PaymentReceipt.objects.select_related("payable"), pk=receipt_pk, payable_id=pk
    )
    if not (
        is_staff_reader(request.user)
        or receipt.payable.payer_id in set(member_organization_ids(request.user))
    ):
        raise Http404
    try:
        return files.file_response(receipt.file.name or "", kind=receipt.kind, download_name=receipt.name)
    except FileNotFoundError as exc:
        raise Http404 from exc


@operator_required
def console_defaults(request: HttpRequest) -> HttpResponse:
    """Deals whose buyer did not pay in time, and deals now overdue and about to default."""
    defaulted = mk_selectors.deals_defaulted()[:100]
    overdue = mk_selectors.deals_overdue()[:100]
    return render(request, "marketplace/console_defaults.html", {"defaulted": defaulted, "overdue": overdue})


# Negotiated sales: offers, counter-offers, the public notice and its objections --------------


def _published(pk: int, mode: str) -> Listing:
    listing = listing_selectors.catalogue_get(listing_id=pk)
    if listing is None or listing.mode != mode:
        raise Http404
    return listing


@login_required
def offer_new(request: HttpRequest, pk: int) -> HttpResponse:
    listing = _published(pk, Listing.Mode.NEGOTIATED)
    form = OfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            offer = negotiation.offer_make(listing=listing, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_apply_error(form, exc)
        else:
            messages.success(request, _("报价已提交，等待持有单位答复。"))
            return redirect("marketplace:offer", pk=offer.pk)
    return render(request, "marketplace/offer_new.html", {"listing": listing, "form": form})


def _offer_for(user: Any, pk: int) -> Offer:
    """An offer the user's organization is a side of (or any, for operators)."""
    qs = Offer.objects.select_related("listing__achievement__holder", "buyer", "made_by")
    offer = mk_selectors.trades_visible_to(user, qs).filter(pk=pk).first()
    if offer is None:
        raise Http404
    return offer


@login_required
def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One negotiation thread from this offer back to the first, and the answer forms for the
    side whose turn it is: accept (into public notice), counter with another price, or reject."""
    offer = _offer_for(request.user, pk)
    orgs = set(member_organization_ids(request.user))
    my_turn = offer.status == Offer.Status.OPEN and offer.answering_organization_id in orgs
    counter_form = OfferForm(prefix="counter")
    reject_form = RejectForm(prefix="reject")
    action = request.POST.get("action")
    if request.method == "POST" and my_turn:
        try:
            if action == "accept":
                notice = negotiation.offer_accept(offer=offer, actor=request.user)
                messages.success(
                    request,
                    _("已接受报价，进入公示期（至 %(ends_at)s）。")
                    % {"ends_at": f"{timezone.localtime(notice.ends_at):%Y-%m-%d %H:%M}"},
                )
                return redirect("marketplace:notice", pk=notice.pk)
            if action == "counter":
                counter_form = OfferForm(request.POST, prefix="counter")
                if counter_form.is_valid():
                    counter = negotiation.offer_counter(
                        offer=offer, actor=request.user, **counter_form.cleaned_data
                    )
                    messages.success(request, _("已还价，等待对方答复。"))
                    return redirect("marketplace:offer", pk=counter.pk)
            if action == "reject":
                reject_form = RejectForm(request.POST, prefix="reject")
                if reject_form.is_valid():
                    negotiation.offer_reject(offer=offer, actor=request.user, **reject_form.cleaned_data)
                    messages.success(request, _("已拒绝该报价。"))
                    return redirect("marketplace:offer", pk=offer.pk)
        except DomainError as exc:
            form_apply_error(counter_form if action == "counter" else reject_form, exc)
            if action == "accept":
                messages.error(request, exc.detail)
    thread = [offer]
    while thread[-1].parent_id is not None:
        parent = Offer.objects.select_related("made_by").get(pk=thread[-1].parent_id)
        thread.append(parent)
    context = {
        "offer": offer,
        "thread": thread,
        "my_turn": my_turn,
        "counter_form": counter_form,
        "reject_form": reject_form,
        "notice": PublicNotice.objects.filter(offer=offer).first(),
        "follow_up": Offer.objects.filter(parent=offer).first(),
    }
    return render(request, "marketplace/offer_detail.html", context)


@login_required
def my_trades(request: HttpRequest) -> HttpResponse:
    """洽谈与意向: offers waiting for me, the threads, public notices, and declared intents."""
    orgs = member_organization_ids(request.user)
    offers = (
        mk_selectors.of_parties(Offer.objects.all(), orgs)
        .select_related("listing__achievement__holder", "buyer")
        .order_by("-updated_at", "-id")[:100]
    )
    rows = []
    for o in offers:
        rows.append(
            {"offer": o, "my_turn": o.status == Offer.Status.OPEN and o.answering_organization_id in orgs}
        )
    notices = (
        mk_selectors.of_parties(PublicNotice.objects.all(), orgs)
        .select_related("listing__achievement", "buyer")
        .order_by("-starts_at")[:50]
    )
    intents = (
        mk_selectors.of_parties(PurchaseIntent.objects.all(), orgs)
        .select_related("listing__achievement", "buyer")
        .order_by("-declared_at")[:50]
    )
    return render(
        request, "marketplace/my_trades.html", {"rows": rows, "notices": notices, "intents": intents}
    )


def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """公示: the agreed price, open to objections until it ends; operators decide objections."""
    notice = (
        PublicNotice.objects.select_related("listing__achievement__holder", "buyer", "deal")
        .filter(pk=pk)
        .first()
    )
    if notice is None:
        raise Http404
    objection_form = ObjectionForm(prefix="objection")
    decide_forms: dict[int, ObjectionDecisionForm] = {}
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        target = request.POST.get("objection")
        try:
            if target:
                objection = get_object_or_404(Objection, pk=target, notice=notice)
                form = decide_forms[objection.pk] = ObjectionDecisionForm(
                    request.POST, prefix=f"o{objection.pk}"
                )
                if form.is_valid():
                    try:
                        negotiation.objection_decide(
                            objection=objection, actor=request.user, **form.cleaned_data
                        )
                    except DomainError as exc:
                        form_apply_error(form, exc)
                    else:
                        messages.success(request, _("异议已处理。"))
                        return redirect("marketplace:notice", pk=pk)
            else:
                objection_form = ObjectionForm(request.POST, prefix="objection")
                if objection_form.is_valid():
                    negotiation.objection_raise(
                        notice=notice, actor=request.user, **objection_form.cleaned_data
                    )
                    messages.success(request, _("异议已提交，平台将尽快处理。"))
                    return redirect("marketplace:notice", pk=pk)
        except DomainError as exc:
            form_apply_error(objection_form, exc)
    objections = list(mk_selectors.objections_visible_to(request.user, notice))
    staff = is_operator(request.user)
    rows = [(o, decide_forms.get(o.pk) or ObjectionDecisionForm(prefix=f"o{o.pk}")) for o in objections]
    return render(
        request,
        "marketplace/notice_detail.html",
        {"notice": notice, "rows": rows, "objection_form": objection_form, "staff": staff},
    )


# Listed price: declaring intent ---------------------------------------------------------------


@login_required
def intent_new(request: HttpRequest, pk: int) -> HttpResponse:
    listing = _published(pk, Listing.Mode.FIXED_PRICE)
    error = None
    if request.method == "POST":
        try:
            intents.intent_declare(listing=listing, actor=request.user)
        except DomainError as exc:
            error = exc.detail
        else:
            messages.success(request, _("意向已登记。挂牌期满时仅一家意向即按挂牌价成交；多家则转为竞价。"))
            return redirect("marketplace:my_trades")
    count = PurchaseIntent.objects.filter(listing=listing).count()
    return render(
        request, "marketplace/intent_new.html", {"listing": listing, "error": error, "count": count}
    )


# The operators' notices and reconciliation -------------------------------------------------------


@operator_required
def console_notices(request: HttpRequest) -> HttpResponse:
    notices = mk_selectors.notices_open()[:200]
    return render(request, "marketplace/console_notices.html", {"notices": notices})


def _run_status(request: HttpRequest) -> str | None:
    """``?status=mismatch`` (the console tile's link) lists the runs that found differences."""
    status = request.GET.get("status")
    return status if status in ReconciliationRun.Status.values else None


@operator_required
def console_reconciliation(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "marketplace/console_reconciliation.html",
        {"runs": mk_selectors.reconciliation_runs(status=_run_status(request), limit=30)},
    )


# Inventors' pre-emption (优先受让权) ------------------------------------------------------------


@login_required
def preemption(request: HttpRequest, pk: int) -> HttpResponse:
    """The holder records, per inventor, a waiver (with its document) or the pre-emption holder; a
    recorded holder claims a negotiated or fixed-price transfer at equal terms. One POST dispatches
    by a whitelist of action names (``record``, ``claim``)."""
    from listings.models import Achievement
    from marketplace.services import preemption_claim, preemption_record

    achievement = get_object_or_404(Achievement.objects.select_related("holder"), pk=pk)
    page = mk_selectors.preemption_page(achievement=achievement, user=request.user)
    if not page["visible"]:
        raise PermissionDenied
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "record":
                waived = request.POST.get("choice") == "waive"
                org = request.POST.get("holder_organization", "").strip()
                preemption_record(
                    achievement=achievement,
                    actor=request.user,
                    inventor=int(request.POST.get("inventor", "0") or 0),
                    waived=waived,
                    document=request.FILES.get("document") if waived else None,
                    holder_organization=mk_selectors.organization_by_code_or_id(org) if not waived else None,
                )
                messages.success(request, _("已登记。"))
            elif action == "claim":
                listing = get_object_or_404(
                    Listing, pk=int(request.POST.get("listing", "0") or 0), achievement=achievement
                )
                claim = preemption_claim(listing=listing, actor=request.user)
                messages.success(request, _("已主张以同等条件受让，价格 %(p)s 元。") % {"p": claim.price})
            else:
                messages.error(request, _("未知的操作。"))
        except DomainError as exc:
            messages.error(request, exc.detail)
        except ValueError:
            messages.error(request, _("输入无效。"))
        return redirect("marketplace:preemption", pk=achievement.pk)
    return render(request, "marketplace/preemption.html", {"achievement": achievement, **page})


@login_required
def preemption_document(request: HttpRequest, pk: int, record_pk: int) -> HttpResponseBase:
    """A waiver's document: the holder's members and platform staff only (404 to anyone else)."""
    from marketplace.models import Preemption

    record = get_object_or_404(
        Preemption.objects.select_related("achievement"), pk=record_pk, achievement_id=pk, waived=True
    )
    document = record.document or {}
    if not document or not mk_selectors.preemption_document_visible(record=record, user=request.user):
        raise Http404
    try:
        return files.file_response(
            record.document_file.name, kind=document["kind"], download_name=document["name"]
        )
    except FileNotFoundError as exc:
        raise Http404 from exc
