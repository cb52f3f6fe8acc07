"""资料室 pages: the holder's room (documents, NDA, requests, who looked at what) and a company's
view of it (the NDA to accept, then the files by signed links); the link itself serves the file."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.lockout import client_address
from accounts.selectors import member_organization_ids
from core import files
from core.errors import DomainError
from core.web import form_apply_error
from listings.selectors import listing_get_visible

from . import selectors
from .forms import DataRoomFileForm, DataRoomSettingsForm, NdaAcceptForm
from .models import DataRoomAccess
from .services import data_room as room_services

ACTIONS = ("upload", "nda", "accept", "approve", "reject", "revoke")


@login_required
def data_room(request: HttpRequest, pk: int) -> HttpResponse:
    listing = listing_get_visible(user=request.user, listing_id=pk)
    if listing is None:
        raise Http404
    is_holder = listing.achievement.holder_id in member_organization_ids(request.user)
    action = request.POST.get("action") if request.method == "POST" else None
    if action is not None and action not in ACTIONS:
        raise Http404
    upload_form = DataRoomFileForm(request.POST if action == "upload" else None, request.FILES or None)
    settings_form = DataRoomSettingsForm(request.POST if action == "nda" else None)
    accept_form = NdaAcceptForm(request.POST if action == "accept" else None)
    try:
        if action == "upload" and upload_form.is_valid():
            room_services.data_room_file_add(
                listing=listing, actor=request.user, upload=upload_form.cleaned_data["file"]
            )
            messages.success(request, _("资料已上传。"))
            return redirect("marketplace:data_room", pk=pk)
        if action == "nda" and settings_form.is_valid():
            room_services.data_room_set(listing=listing, actor=request.user, **settings_form.cleaned_data)
            messages.success(request, _("保密协议与查阅设置已保存。"))
            return redirect("marketplace:data_room", pk=pk)
        if action == "accept" and accept_form.is_valid():
            access = room_services.data_room_access_request(
                listing=listing,
                actor=request.user,
                address=client_address(request),
                **accept_form.cleaned_data,
            )
            messages.success(
                request,
                _("已接受保密协议，可以查阅资料。")
                if access.status == DataRoomAccess.Status.GRANTED
                else _("已接受保密协议，待持有单位同意后可以查阅。"),
            )
            return redirect("marketplace:data_room", pk=pk)
        if action in ("approve", "reject", "revoke"):
            access = DataRoomAccess.objects.filter(
                pk=request.POST.get("access"), room__listing=listing
            ).first()
            if access is None:
                raise Http404
            reason = request.POST.get("reason", "")
            if action == "revoke":
                room_services.data_room_access_revoke(access=access, actor=request.user, reason=reason)
                messages.success(request, _("查阅权限已撤销。"))
            else:
                room_services.data_room_access_decide(
                    access=access, actor=request.user, decision=action, reason=reason
                )
                messages.success(request, _("已处理查阅申请。"))
            return redirect("marketplace:data_room", pk=pk)
    except DomainError as exc:
        form = {"upload": upload_form, "nda": settings_form, "accept": accept_form}.get(action or "")
        if form is not None:
            form_apply_error(form, exc)
        else:
            messages.error(request, exc.detail)
            return redirect("marketplace:data_room", pk=pk)
    opened = room_services.data_room_open(listing=listing, user=request.user, address=client_address(request))
    if opened is None and not is_holder:
        raise Http404
    if opened is not None:
        if not settings_form.is_bound:
            settings_form.initial = {
                "nda_text": opened.room.nda_text,
                "requires_approval": opened.room.requires_approval,
            }
        if not accept_form.is_bound:
            accept_form.initial = {"nda_version": opened.room.nda_version}
    elif not settings_form.is_bound:
        settings_form.initial = {"nda_text": str(room_services.DEFAULT_NDA)}
    context = {
        "listing": listing,
        "opened": opened,
        "is_holder": is_holder,
        "upload_form": upload_form,
        "settings_form": settings_form,
        "accept_form": accept_form,
        "accesses": list(selectors.data_room_accesses(opened.room)) if opened and is_holder else [],
        "log": list(selectors.data_room_log(opened.room)[:200]) if opened and is_holder else [],
        "link_minutes": room_services.link_seconds() // 60,
    }
    return render(request, "marketplace/data_room.html", context)


def data_room_file(request: HttpRequest, token: str) -> HttpResponse | FileResponse:
    """A signed link: the file, if the link is fresh and its person may still read it."""
    try:
        file = room_services.data_room_fetch(token=token, address=client_address(request))
    except DomainError as exc:
        return render(request, "marketplace/data_room_link_refused.html", {"detail": exc.detail}, status=403)
    return files.file_response(file.file.name, kind=file.kind, download_name=file.name)
