"""资料室 (data room): the holder's documents on a listing behind its NDA.

A verified company's member accepts the NDA as it reads it (its version, the moment, the person and
the address are recorded) and gets access at once, or, where the holder asks for it, once the
holder approves. Files are never served by a public URL: each look at the room hands out links
signed with ``django.core.signing`` that expire after ``MARKET["DATA_ROOM_LINK_SECONDS"]``; a link
is checked again when it is used, so a revocation stops it at once. Every look (the list opened,
each file fetched) is a ``DataRoomEvent`` the holder reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.selectors import (
    ACTING_ROLES,
    member_organization_ids,
    membership_for_action,
    organization_tied_to,
)
from accounts.services import notify
from core import files
from core.dbclock import db_now
from core.decisions import REVIEW, Decision, decision_parse, require_reason
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.locks import data_room_access_lock, listing_lock
from core.transitions import status_move, transitions_register
from listings.models import Listing

from ..models import DataRoom, DataRoomAccess, DataRoomAccessStatusChange, DataRoomEvent, DataRoomFile

A = DataRoomAccess.Status

ACCESS_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "marketplace.DataRoomAccess",
    record="marketplace.DataRoomAccessStatusChange",
    table={
        A.REQUESTED: {A.GRANTED, A.REJECTED},
        A.GRANTED: {A.REVOKED},
        A.REJECTED: {A.GRANTED},  # the holder changes its mind
        A.REVOKED: {A.GRANTED},
    },
)

FILE_KINDS = files.OFFICE
FILE_MAX_BYTES = 50 * files.MB
SALT = "marketplace.data_room.link"

DEFAULT_NDA = _(
    "保密协议\n"
    "一、接收方仅为评估受让本成果之目的查阅资料室中的资料，不得用于其他目的。\n"
    "二、未经持有单位书面同意，接收方不得向任何第三方披露、复制或传播上述资料。\n"
    "三、保密义务自接受本协议之日起三年内有效，成交与否不影响本义务。\n"
    "四、接收方违反本协议的，应赔偿持有单位因此遭受的全部损失。"
)


def link_seconds() -> int:
    return int(settings.MARKET["DATA_ROOM_LINK_SECONDS"])


def _holder_acting(*, actor: User, listing: Listing) -> None:
    membership_for_action(user=actor, organization=listing.achievement.holder_id, roles=ACTING_ROLES)


def _room_for_holder(*, listing: Listing, actor: User) -> DataRoom:
    """The listing's room, made with the platform's NDA text on first use. The caller holds the
    listing's lock."""
    room = DataRoom.objects.filter(listing=listing).first()
    if room is None:
        room = DataRoom.objects.create(listing=listing, nda_text=str(DEFAULT_NDA), updated_by=actor)
    return room


@transaction.atomic
def data_room_set(*, listing: Listing, actor: User, nda_text: str, requires_approval: bool) -> DataRoom:
    """The holder words its NDA and says whether each request waits for its approval. A changed text
    is a new ``nda_version``: accesses granted before keep the version they accepted."""
    listing = listing_lock(listing)
    _holder_acting(actor=actor, listing=listing)
    nda_text = nda_text.replace("\r\n", "\n").strip()  # a browser's textarea sends CRLF
    if not nda_text or len(nda_text) > 20000:
        raise InvalidInput(
            "invalid_nda",
            _("请填写保密协议（不超过 20000 字）。"),
            fields={"nda_text": [_("请填写保密协议。")]},
        )
    room = _room_for_holder(listing=listing, actor=actor)
    changed = ["requires_approval", "updated_by", "updated_at"]
    if nda_text != room.nda_text:
        room.nda_text, room.nda_version = nda_text, room.nda_version + 1
        changed += ["nda_text", "nda_version"]
    room.requires_approval, room.updated_by = requires_approval, actor
    room.save(update_fields=changed)
    return room


@transaction.atomic
def data_room_file_add(*, listing: Listing, actor: User, upload: Any) -> DataRoomFile:
    """The holder adds a document (PDF, Office or an image, at most 50 MB; its kind read from its
    content by ``core.files``). 400 ``invalid_file``."""
    checked = files.upload_require(upload, kinds=FILE_KINDS, max_bytes=FILE_MAX_BYTES)
    listing = listing_lock(listing)
    _holder_acting(actor=actor, listing=listing)
    if listing.status in (Listing.Status.CLOSED, Listing.Status.WITHDRAWN, Listing.Status.TAKEN_DOWN):
        raise Conflict("listing_not_open", _("挂牌已结束，不能再上传资料。"))
    room = _room_for_holder(listing=listing, actor=actor)
    stored = files.upload_store(checked, prefix=f"data-rooms/{room.pk}")
    return DataRoomFile.objects.create(
        room=room,
        file=stored,
        name=checked.display_name,
        kind=checked.kind.name,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )


def _record(access: DataRoomAccess) -> Any:
    return lambda **kw: DataRoomAccessStatusChange.objects.create(access=access, **kw)


def _room_link(room: DataRoom) -> str:
    return reverse("marketplace:data_room", args=[room.listing_id])


@transaction.atomic
def data_room_access_request(
    *,
    listing: Listing,
    actor: User,
    nda_version: int,
    accept: bool,
    address: str | None,
    organization: Organization | int | None = None,
) -> DataRoomAccess:
    """A verified company's member accepts the NDA of version ``nda_version`` for its organization:
    access is granted at once, or requested where the holder approves each one. 400
    ``nda_not_accepted``; 409 ``nda_version_stale`` (the text changed since it was read),
    ``access_refused`` (the holder rejected or revoked it: only the holder reopens it); 403
    ``related_party``; 404 ``no_data_room``. Asking again while granted or requested returns it."""
    membership = membership_for_action(user=actor, organization=organization, roles=ACTING_ROLES)
    org = membership.organization
    listing = listing_lock(listing)
    room = DataRoom.objects.filter(listing=listing).first()
    if room is None or listing.status != Listing.Status.PUBLISHED:
        raise NotFound("no_data_room", _("该挂牌没有开放的资料室。"))
    if organization_tied_to(organization=org, holder=listing.achievement.holder_id):
        raise Forbidden("related_party", _("持有单位本身及其关联方（含其成员）不能申请查阅。"))
    if accept is not True:
        raise InvalidInput(
            "nda_not_accepted", _("须接受保密协议才能查阅资料。"), fields={"accept": [_("请接受保密协议。")]}
        )
    if nda_version != room.nda_version:
        raise Conflict(
            "nda_version_stale",
            _("保密协议已更新为第 %(v)s 版，请阅读后重新接受。") % {"v": room.nda_version},
            fields={"nda_version": [_("版本已更新。")]},
        )
    existing = DataRoomAccess.objects.filter(room=room, organization=org).first()
    if existing is not None:
        if existing.status in (A.REJECTED, A.REVOKED):
            raise Conflict("access_refused", _("持有单位已拒绝或撤销本单位的查阅权限。"))
        return existing
    status = A.REQUESTED if room.requires_approval else A.GRANTED
    try:
        with transaction.atomic():
            access = DataRoomAccess.objects.create(
                room=room,
                organization=org,
                status=status,
                nda_version=room.nda_version,
                nda_accepted_by=actor,
                nda_accepted_at=db_now(),
                nda_accepted_from=address or None,
            )
    except IntegrityError:  # a colleague's acceptance at the same moment
        return DataRoomAccess.objects.get(room=room, organization=org)
    DataRoomAccessStatusChange.objects.create(
        access=access,
        to_status=status,
        actor=actor,
        reason=_("接受保密协议第 %(v)s 版") % {"v": room.nda_version},
    )
    title = (
        _("%(o)s 申请查阅资料室：%(t)s")
        if status == A.REQUESTED
        else _("%(o)s 已接受保密协议并查阅资料室：%(t)s")
    ) % {"o": org.name, "t": listing.achievement.title}
    notify(
        organization=listing.achievement.holder, kind="data_room_access", title=title, link=_room_link(room)
    )
    return access


@transaction.atomic
def data_room_access_decide(
    *, access: DataRoomAccess, actor: User, decision: Any, reason: str = ""
) -> DataRoomAccess:
    """The holder approves (``approve``: granted) or rejects (``reject``, with a reason) a request; an
    approval also reopens a rejected or revoked access."""
    word = decision_parse(decision, choice=REVIEW)
    reason = require_reason(word, reason, choice=REVIEW)
    access = data_room_access_lock(access)
    _holder_acting(actor=actor, listing=access.room.listing)
    to_status = A.GRANTED if word == Decision.APPROVE else A.REJECTED
    status_move(
        access,
        to_status=to_status,
        transitions=ACCESS_TRANSITIONS,
        noun=_("查阅权限"),
        record=_record(access),
        actor=actor,
        reason=reason,
    )
    title = (_("资料室查阅已获同意：%(t)s") if to_status == A.GRANTED else _("资料室查阅未获同意：%(t)s")) % {
        "t": access.room.listing.achievement.title
    }
    notify(
        organization=access.organization,
        kind="data_room_access",
        title=title,
        body=reason,
        link=_room_link(access.room),
    )
    return access


@transaction.atomic
def data_room_access_revoke(*, access: DataRoomAccess, actor: User, reason: str) -> DataRoomAccess:
    """The holder ends an access at once: links handed out before stop working when next used."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("reason_required", _("请填写撤销理由。"), fields={"reason": [_("请填写理由。")]})
    access = data_room_access_lock(access)
    _holder_acting(actor=actor, listing=access.room.listing)
    status_move(
        access,
        to_status=A.REVOKED,
        transitions=ACCESS_TRANSITIONS,
        noun=_("查阅权限"),
        record=_record(access),
        actor=actor,
        reason=reason,
    )
    notify(
        organization=access.organization,
        kind="data_room_access",
        title=_("资料室查阅权限已被撤销：%(t)s") % {"t": access.room.listing.achievement.title},
        body=reason,
        link=_room_link(access.room),
    )
    return access


@dataclass(frozen=True)
class Link:
    file: DataRoomFile
    token: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class Opened:
    """What one person sees of a room: its access (companies), and links to the files (holder
    members and companies with access; none for others)."""

    room: DataRoom
    access: DataRoomAccess | None
    is_holder: bool
    links: list[Link]


def _sign(*, file: DataRoomFile, user: User, access: DataRoomAccess | None) -> str:
    return signing.dumps({"f": file.pk, "u": user.pk, "a": access.pk if access else None}, salt=SALT)


@transaction.atomic
def data_room_open(*, listing: Listing, user: Any, address: str | None) -> Opened | None:
    """Open the room for ``user``: the holder's members and companies with access get fresh links,
    and a company's look is logged (``view``). None when the listing has no room."""
    room = DataRoom.objects.filter(listing=listing).select_related("listing__achievement").first()
    if room is None:
        return None
    orgs = member_organization_ids(user)
    is_holder = listing.achievement.holder_id in orgs
    access = (
        DataRoomAccess.objects.filter(room=room, organization_id__in=orgs).order_by("id").first()
        if orgs and not is_holder
        else None
    )
    may_read = is_holder or (access is not None and access.status == A.GRANTED)
    links: list[Link] = []
    if may_read:
        expires_at = db_now() + dt.timedelta(seconds=link_seconds())
        links = [
            Link(file=f, token=_sign(file=f, user=user, access=access), expires_at=expires_at)
            for f in room.files.order_by("id")
        ]
        if access is not None:
            DataRoomEvent.objects.create(
                room=room, access=access, user=user, action=DataRoomEvent.Action.VIEW, address=address or None
            )
    return Opened(room=room, access=access, is_holder=is_holder, links=links)


@transaction.atomic
def data_room_fetch(*, token: str, address: str | None) -> DataRoomFile:
    """The file a link names, if the link is genuine and unexpired (403 ``invalid_link``,
    ``link_expired``) and its person may still read it (403 ``access_revoked``); a company's fetch
    is logged (``download``)."""
    try:
        data = signing.loads(token, salt=SALT, max_age=link_seconds())
    except signing.SignatureExpired:
        raise Forbidden("link_expired", _("链接已过期，请回到资料室重新打开。")) from None
    except signing.BadSignature:
        raise Forbidden("invalid_link", _("链接无效。")) from None
    file = DataRoomFile.objects.select_related("room__listing__achievement").filter(pk=data.get("f")).first()
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if file is None or user is None:
        raise Forbidden("invalid_link", _("链接无效。"))
    if data.get("a") is None:  # a holder member's link: still a member?
        if file.room.listing.achievement.holder_id not in member_organization_ids(user):
            raise Forbidden("access_revoked", _("您已无权查阅该资料。"))
        return file
    access = DataRoomAccess.objects.filter(pk=data["a"], room=file.room).first()
    if (
        access is None
        or access.status != A.GRANTED
        or access.organization_id not in member_organization_ids(user)
    ):
        raise Forbidden("access_revoked", _("查阅权限已被撤销，不能再打开该资料。"))
    DataRoomEvent.objects.create(
        room=file.room,
        access=access,
        file=file,
        user=user,
        action=DataRoomEvent.Action.DOWNLOAD,
        address=address or None,
    )
    return file
