"""Pages of achievements and listings: the public catalogue and listing detail, the holder's
achievements and listings, the internal approval inbox (安心屋), and the operators' moderation
queue. Reads go through ``listings.selectors``, writes through ``listings.services``."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.request import Request

from accounts.permissions import operator_required
from accounts.selectors import is_operator, user_memberships
from core import files, seams
from core.errors import DomainError, InvalidInput
from core.paging import LinkPage
from core.web import form_apply_error
from listings import selectors, services
from listings.api.pagination import keyset_page
from listings.forms import (
    AchievementForm,
    AttachmentForm,
    CatalogueFilterForm,
    DecisionForm,
    InventorEditFormSet,
    InventorFormSet,
    IpEditFormSet,
    IpFormSet,
    ListingForm,
    ReasonForm,
    formset_apply_errors,
    formset_rows,
)
from listings.models import Achievement, AchievementAttachment, Listing

PAGE_SIZE = 20


def _organization(request: HttpRequest) -> Any:
    membership = user_memberships(request.user).first()
    if membership is None:
        messages.info(request, _("请先登记您的机构。"))
        return None
    return membership.organization


# Public --------------------------------------------------------------------------------------


def _keyset_page(request: HttpRequest, queryset: Any, *, order: str, tiers: Any = None) -> LinkPage:
    """The catalogue by the API's keyset cursor (``listings.api.pagination``): no COUNT, and a page
    never skips or repeats a listing however many are published meanwhile. A cursor only goes
    forward, so the page carries ``back``, the cursors of the pages before it, for 上一页."""
    cursor = request.GET.get("cursor") or ""
    back = request.GET.getlist("back")
    try:
        rows, next_url = keyset_page(
            queryset=queryset,
            order=order,
            keys=selectors.ORDER_KEYS[order],
            request=Request(request),
            cursor=cursor or None,
            page_size=PAGE_SIZE,
            tiers=tiers,
        )
    except InvalidInput:  # a stale or hand-edited cursor: start again from the first page
        cursor, back = "", []
        rows, next_url = keyset_page(
            queryset=queryset,
            order=order,
            keys=selectors.ORDER_KEYS[order],
            request=Request(request),
            cursor=None,
            page_size=PAGE_SIZE,
            tiers=tiers,
        )
    kept = [(k, v) for k, v in request.GET.items() if k not in {"cursor", "back"} and v]
    previous_query = None
    if cursor:
        earlier = back[:-1]
        target = back[-1] if back else ""
        previous_query = urlencode(
            kept + [("back", b) for b in earlier] + ([("cursor", target)] if target else [])
        )
    next_query = None
    if next_url is not None:
        token = parse_qs(urlsplit(next_url).query)["cursor"][0]
        next_query = urlencode(kept + [("back", b) for b in [*back, cursor]] + [("cursor", token)])
    return LinkPage(rows=rows, previous_query=previous_query, next_query=next_query)


def catalogue(request: HttpRequest) -> HttpResponse:
    """成果大厅: published listings with filters and Chinese search; htmx swaps just the results."""
    form = CatalogueFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.CatalogueFilters(
        mode=data.get("mode") or None,
        field=data.get("field") or None,
        rights=data.get("rights") or None,
        q=(data.get("q") or "").strip() or None,
        ordering=data.get("ordering") or None,
    )
    order = selectors.catalogue_ordering(filters)
    page = _keyset_page(
        request,
        selectors.catalogue_list(filters=filters),
        order=order,
        tiers=selectors.catalogue_tiers(filters=filters),
    )
    context = {"form": form, "page": page, "q": filters.q}
    if getattr(request, "htmx", False):
        return render(request, "listings/_catalogue_results.html", context)
    return render(request, "listings/catalogue.html", context)


def listing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    listing = selectors.listing_get_visible(user=request.user, listing_id=pk)
    if listing is None:
        raise Http404
    achievement = selectors.achievement_get(achievement_id=listing.achievement_id)
    full = selectors.can_see_listing_in_full(request.user, listing)
    is_holder = selectors.is_holder_member(request.user, listing.achievement)
    context: dict[str, Any] = {
        "listing": listing,
        "achievement": achievement,
        "full": full,
        "is_holder": is_holder,
        "is_operator": is_operator(request.user),
        "auction_id": selectors.listing_auction_id(listing),
        "history": selectors.listing_history(listing=listing) if full else None,
        # The notice running on it and its published result (marketplace answers; listings asks).
        "trade": seams.call("listing_trade_state", listing=listing) or {},
        "take_down_form": ReasonForm(),
    }
    return render(request, "listings/listing_detail.html", context)


# The holder's achievements and listings --------------------------------------------------------


@login_required
def my_achievements(request: HttpRequest) -> HttpResponse:
    org = _organization(request)
    if org is None:
        return redirect("accounts:organization")
    achievements = selectors.achievements_of_organization(organization_id=org.pk).prefetch_related(
        "ip", "listings"
    )
    page = Paginator(achievements, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "listings/my_achievements.html", {"page": page, "org": org})


def _achievement_form_page(request: HttpRequest, *, achievement: Achievement | None) -> HttpResponse:
    """登记 / 编辑科技成果: the details, the inventors and the rights, through one service each."""
    post = request.POST or None
    if achievement is None:
        form = AchievementForm(post, initial={"is_service_invention": True, "maturity": 5})
        inventors = InventorFormSet(post, prefix="inventors")
        ip = IpFormSet(post, prefix="ip")
    else:
        form = AchievementForm(
            post, initial={name: getattr(achievement, name) for name in AchievementForm.base_fields}
        )
        inventors = InventorEditFormSet(
            post, prefix="inventors", initial=list(achievement.inventors.values("name", "share"))
        )
        ip = IpEditFormSet(
            post, prefix="ip", initial=list(achievement.ip.values("ip_type", "patent_no", "granted_on"))
        )
    if request.method == "POST" and form.is_valid() and inventors.is_valid() and ip.is_valid():
        data = {**form.cleaned_data, "inventors": formset_rows(inventors), "ip": formset_rows(ip)}
        try:
            if achievement is None:
                org = _organization(request)
                achievement = services.achievement_create(actor=request.user, organization=org, **data)
                done = _("成果“%(title)s”已登记。")
            else:
                achievement = services.achievement_update(achievement=achievement, actor=request.user, **data)
                done = _("成果“%(title)s”已更新。")
        except DomainError as exc:
            fields = dict(exc.fields or {})
            for name, formset in (("inventors", inventors), ("ip", ip)):
                if name in fields and formset_apply_errors(formset, fields[name]):
                    fields.pop(name)
            form_apply_error(form, DomainError(exc.code, exc.detail, fields=fields))
        else:
            messages.success(request, done % {"title": achievement.title})
            return redirect("listings:achievement", pk=achievement.pk)
    return render(
        request,
        "listings/achievement_form.html",
        {"form": form, "inventors": inventors, "ip": ip, "achievement": achievement},
    )


@login_required
def achievement_new(request: HttpRequest) -> HttpResponse:
    if _organization(request) is None:
        return redirect("accounts:organization")
    return _achievement_form_page(request, achievement=None)


@login_required
def achievement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The holder's editors change an achievement (not while a listing of it is under review or on
    offer: the service says 409 ``achievement_listed``, shown above the form)."""
    achievement = selectors.achievement_get(achievement_id=pk)
    if achievement is None or not selectors.is_holder_member(request.user, achievement):
        raise Http404
    return _achievement_form_page(request, achievement=achievement)


@login_required
def achievement_attachments(request: HttpRequest, pk: int) -> HttpResponse:
    """附件: the holder's editors add certificates, photos and a brochure, or remove them."""
    achievement = selectors.achievement_get(achievement_id=pk)
    if achievement is None or not selectors.is_holder_member(request.user, achievement):
        raise Http404
    form = AttachmentForm()
    if request.method == "POST" and request.POST.get("action") == "remove":
        attachment = achievement.attachments.filter(pk=request.POST.get("attachment") or 0).first()
        if attachment is not None:
            try:
                services.attachment_remove(attachment=attachment, actor=request.user)
            except DomainError as exc:
                messages.error(request, exc.detail)
            else:
                messages.success(request, _("附件“%(name)s”已删除。") % {"name": attachment.name})
        return redirect("listings:achievement_attachments", pk=pk)
    if request.method == "POST":
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                added = services.attachment_add(
                    achievement=achievement,
                    actor=request.user,
                    upload=form.cleaned_data["file"],
                    role=form.cleaned_data["role"],
                    caption=form.cleaned_data["caption"],
                )
            except DomainError as exc:
                form_apply_error(form, exc)
            else:
                messages.success(request, _("附件“%(name)s”已上传。") % {"name": added.name})
                return redirect("listings:achievement_attachments", pk=pk)
    context = {
        "achievement": achievement,
        "attachments": achievement.attachments.all(),
        "form": form,
        "can_edit": selectors.can_edit_achievement(request.user, achievement),
    }
    return render(request, "listings/achievement_attachments.html", context)


def attachment_file(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponseBase:
    """An attachment's file. Achievements are public records, and so are their attachments."""
    attachment = AchievementAttachment.objects.filter(pk=attachment_pk, achievement_id=pk).first()
    if attachment is None:
        raise Http404
    try:
        return files.file_response(attachment.file.name, kind=attachment.kind, download_name=attachment.name)
    except FileNotFoundError as exc:
        raise Http404 from exc


@login_required
def my_listings(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.listings_of_organizations(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "listings/my_listings.html", {"page": page})


def _listing_form_page(request: HttpRequest, *, listing: Listing | None) -> HttpResponse:
    org = _organization(request)
    if org is None:
        return redirect("accounts:organization")
    achievements = selectors.achievements_of_organization(organization_id=org.pk)
    initial: dict[str, Any] = {}
    if listing is not None:
        initial = {"achievement": listing.achievement_id, "mode": listing.mode, "rights": listing.rights}
        initial.update(services.terms_of(listing))
    elif request.GET.get("achievement"):
        initial["achievement"] = request.GET["achievement"]
    form = ListingForm(request.POST or None, achievements=achievements, initial=initial)
    if listing is not None:
        form.fields["achievement"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if listing is None:
                listing = services.listing_create(
                    actor=request.user,
                    achievement=data["achievement"],
                    mode=data["mode"],
                    rights=data["rights"],
                    **form.terms(),
                )
                messages.success(request, _("挂牌草稿已保存。确认无误后请提交审核。"))
            else:
                listing = services.listing_update(
                    listing=listing,
                    actor=request.user,
                    mode=data["mode"],
                    rights=data["rights"],
                    **form.terms(),
                )
                messages.success(request, _("挂牌已修改。"))
        except DomainError as exc:
            form_apply_error(form, exc)
        else:
            return redirect("listings:detail", pk=listing.pk)
    return render(request, "listings/listing_form.html", {"form": form, "listing": listing})


@login_required
def listing_new(request: HttpRequest) -> HttpResponse:
    return _listing_form_page(request, listing=None)


@login_required
def listing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    listing = selectors.listing_get_visible(user=request.user, listing_id=pk)
    if listing is None or not selectors.is_holder_member(request.user, listing.achievement):
        raise Http404
    return _listing_form_page(request, listing=listing)


def _holder_action(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    listing = selectors.listing_get_visible(user=request.user, listing_id=pk)
    if listing is None:
        raise Http404
    try:
        action(listing)
    except DomainError as exc:
        messages.error(request, exc.detail)
        for name, errors in (exc.fields or {}).items():
            messages.error(
                request,
                f"{Listing._meta.get_field(name).verbose_name if _is_field(name) else name}：{_first(errors)}",
            )
    else:
        messages.success(request, done)
    return redirect("listings:detail", pk=pk)


def _is_field(name: str) -> bool:
    try:
        Listing._meta.get_field(name)
    except Exception:  # noqa: BLE001 - any unknown name is shown as is
        return False
    return True


def _first(errors: Any) -> str:
    return str(errors[0]) if isinstance(errors, list) and errors else str(errors)


@login_required
@require_POST
def listing_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _holder_action(
        request, pk, lambda lst: services.listing_submit(listing=lst, actor=request.user), _("已提交审核。")
    )


@login_required
@require_POST
def listing_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _holder_action(
        request,
        pk,
        lambda lst: services.listing_withdraw(
            listing=lst, actor=request.user, reason=request.POST.get("reason", "")
        ),
        _("挂牌已撤回。"),
    )


# 安心屋: the holder's internal approval -------------------------------------------------------


@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    queue = list(selectors.listings_internal_queue(user=request.user))
    return render(request, "listings/approvals.html", {"queue": queue})


def _decide_page(
    request: HttpRequest, pk: int, *, queue: Any, decide: Any, template: str, done: str, back: str
) -> HttpResponse:
    listing = queue.filter(pk=pk).first()
    if listing is None:
        raise Http404
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decide(listing, form.cleaned_data["decision"], form.cleaned_data["reason"])
        except DomainError as exc:
            if exc.fields and "comment" in exc.fields:
                exc.fields["reason"] = exc.fields.pop("comment")
            form_apply_error(form, exc)
        else:
            messages.success(request, done)
            return redirect(back)
    context = {
        "listing": listing,
        "achievement": selectors.achievement_get(achievement_id=listing.achievement_id),
        "history": selectors.listing_history(listing=listing),
        "form": form,
    }
    return render(request, template, context)


@login_required
def approval_decide(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide_page(
        request,
        pk,
        queue=selectors.listings_internal_queue(user=request.user),
        decide=lambda lst, decision, reason: services.listing_internal_decide(
            listing=lst, actor=request.user, decision=decision, comment=reason
        ),
        template="listings/approval_decide.html",
        done=_("审批意见已提交。"),
        back="listings:approvals",
    )


# The operators' moderation queue ---------------------------------------------------------------


@operator_required
def console_listings(request: HttpRequest) -> HttpResponse:
    queue = list(selectors.listings_review_queue()[:200])
    return render(request, "listings/console_listings.html", {"queue": queue})


@operator_required
def console_listing_review(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_operator(request.user):
        raise PermissionDenied
    return _decide_page(
        request,
        pk,
        queue=selectors.listings_review_queue(),
        decide=lambda lst, decision, reason: services.listing_review(
            listing=lst, actor=request.user, decision=decision, reason=reason
        ),
        template="listings/console_listing_review.html",
        done=_("审核结论已提交。"),
        back="listings:console_listings",
    )


@operator_required
@require_POST
def console_listing_take_down(request: HttpRequest, pk: int) -> HttpResponse:
    listing = selectors.listing_get_visible(user=request.user, listing_id=pk)
    if listing is None:
        raise Http404
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.listing_take_down(
            listing=listing, actor=request.user, reason=form.cleaned_data.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("挂牌已下架。"))
    return redirect("listings:detail", pk=pk)
