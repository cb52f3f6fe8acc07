"""Broker pages (技术经理人): the public ranking and profiles, a person's own profile, the holder's
mandates on a listing, and the buyer naming its broker on a deal. Writes through
``marketplace.services.brokers``."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.models import Organization
from accounts.selectors import member_organization_ids, user_memberships
from core.errors import DomainError
from core.web import form_apply_error
from listings.selectors import listing_get_visible

from . import selectors
from .forms import BrokerProfileForm, DealBrokerForm, MandateForm, MandateRevokeForm
from .models import BrokerProfile
from .services import brokers as broker_services

PAGE_SIZE = 30


def brokers(request: HttpRequest) -> HttpResponse:
    """技术经理人榜单: by contribution points."""
    page = Paginator(selectors.brokers_ranking(), PAGE_SIZE).get_page(request.GET.get("page"))
    rank_start = (page.number - 1) * PAGE_SIZE
    return render(
        request,
        "marketplace/brokers.html",
        {"page": page, "rank_start": rank_start, "mine": selectors.broker_of_user(request.user)},
    )


def broker_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile = selectors.brokers_ranking().filter(pk=pk).first()
    if profile is None:
        raise Http404
    deals = list(selectors.broker_deals(profile)[:100])
    return render(request, "marketplace/broker_detail.html", {"broker": profile, "deals": deals})


@login_required
def my_broker_profile(request: HttpRequest) -> HttpResponse:
    """The signed-in person's broker profile: record or correct it."""
    profile = selectors.broker_of_user(request.user)
    organizations = [
        m.organization
        for m in user_memberships(request.user)
        if m.role in broker_services.BROKER_ROLES and m.organization.status == Organization.Status.VERIFIED
    ]
    initial = (
        {
            "organization": profile.organization_id,
            "name": profile.name,
            "certificate_no": profile.certificate_no,
            "field_codes": profile.fields,
            "bio": profile.bio,
        }
        if profile
        else {"name": request.user.get_full_name()}
    )
    form = BrokerProfileForm(request.POST or None, initial=initial, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        try:
            data = dict(form.cleaned_data)
            data["fields"] = data.pop("field_codes")
            profile, _created = broker_services.broker_profile_save(actor=request.user, **data)
        except DomainError as exc:
            form_apply_error(form, exc)
        else:
            messages.success(request, _("技术经理人信息已保存。"))
            return redirect("marketplace:broker", pk=profile.pk)
    return render(
        request,
        "marketplace/broker_profile_form.html",
        {"form": form, "profile": profile, "organizations": organizations},
    )


@login_required
def listing_mandates(request: HttpRequest, pk: int) -> HttpResponse:
    """The holder's mandates on one of its listings: give one, revoke one (actions ``give``, ``revoke``)."""
    listing = listing_get_visible(user=request.user, listing_id=pk)
    if listing is None or listing.achievement.holder_id not in member_organization_ids(request.user):
        raise Http404
    action = request.POST.get("action") if request.method == "POST" else None
    give_form = MandateForm(request.POST if action == "give" else None)
    revoke_form = MandateRevokeForm(request.POST if action == "revoke" else None)
    if action == "give" and give_form.is_valid():
        data = give_form.cleaned_data
        broker = BrokerProfile.objects.filter(certificate_no=data["certificate_no"].strip().upper()).first()
        if broker is None:
            give_form.add_error("certificate_no", _("没有该证书编号的技术经理人。"))
        else:
            try:
                broker_services.mandate_give(
                    listing=listing,
                    actor=request.user,
                    broker=broker,
                    commission_rate=(data["commission_percent"] / Decimal(100)).quantize(Decimal("0.0001")),
                    ends_on=data["ends_on"],
                )
            except DomainError as exc:
                form_apply_error(give_form, exc)
            else:
                messages.success(request, _("已委托技术经理人 %(n)s。") % {"n": broker.name})
                return redirect("marketplace:listing_mandates", pk=pk)
    elif action == "revoke" and revoke_form.is_valid():
        mandate = selectors.mandates_of_listing(listing=listing, user=request.user).filter(
            pk=revoke_form.cleaned_data["mandate"]
        )
        if not mandate:
            raise Http404
        try:
            broker_services.mandate_revoke(
                mandate=mandate[0], actor=request.user, reason=revoke_form.cleaned_data["reason"]
            )
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("委托已撤销。"))
        return redirect("marketplace:listing_mandates", pk=pk)
    elif action == "revoke":
        messages.error(request, _("请填写撤销理由。"))
        return redirect("marketplace:listing_mandates", pk=pk)
    _inventors, default_rate = selectors.settlement_policy_of(listing.achievement.holder_id)
    if not give_form.is_bound:
        give_form.initial["commission_percent"] = (default_rate * 100).quantize(Decimal("0.01"))
    return render(
        request,
        "marketplace/listing_mandates.html",
        {
            "listing": listing,
            "mandates": selectors.mandates_of_listing(listing=listing, user=request.user),
            "give_form": give_form,
            "minimum": broker_services.broker_share_minimum(),
        },
    )


@login_required
def deal_broker(request: HttpRequest, pk: int) -> HttpResponse:
    """The buyer names the broker that brought it (the form on the deal page posts here)."""
    deal = selectors.deal_get_visible(user=request.user, deal_id=pk)
    if deal is None or request.method != "POST":
        raise Http404
    form = DealBrokerForm(request.POST, mandates=selectors.mandates_valid_for_deal(deal))
    if form.is_valid():
        broker = BrokerProfile.objects.get(pk=form.cleaned_data["broker"])
        try:
            broker_services.deal_broker_name(deal=deal, actor=request.user, broker=broker)
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("已指定技术经理人 %(n)s。") % {"n": broker.name})
    else:
        messages.error(request, _("请选择技术经理人。"))
    return redirect("marketplace:deal", pk=pk)
