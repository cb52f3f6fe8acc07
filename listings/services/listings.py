"""Listings: creation and editing of terms, and the ONE transition service of their status.

Who may move a listing where:

    draft ──submit──> pending_internal_approval ──approver──> pending_review ──operator──> published
      │      (only when the holder requires 安心屋)  └─reject─> rejected <──reject──┘         │
      │                                                  │ edit, resubmit                      ├─> closed   (the trade mode finished)
      └──────────────── submit (no 安心屋) ──────────────────────> pending_review              ├─> withdrawn (holder, before any bid/intent/offer)
                                                                                               └─> taken_down (operator, with reason)

``listing_publish_by_platform`` (the use-first job) goes from draft straight to published.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import is_operator, membership_for_action
from accounts.services import notify
from core import locks, seams
from core.dbclock import db_now
from core.decisions import REVIEW, Decision, decision_parse, require_reason
from core.errors import Conflict, DomainError, Forbidden, InvalidInput
from core.transitions import status_move, transitions_register

from .. import search
from ..models import Achievement, ConversionStatus, InternalApproval, Listing, ListingStatusChange, Rights
from ..selectors import ACTIVE_LISTING_STATUSES, HOLDER_APPROVER_ROLES, HOLDER_EDITOR_ROLES
from .terms import ALL_TERMS, terms_of, terms_recheck_times, terms_validate

S = Listing.Status

# The one transition table of a listing's status.
LISTING_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "listings.Listing",
    record="listings.ListingStatusChange",
    table={
        S.DRAFT: {
            S.PENDING_INTERNAL_APPROVAL,
            S.PENDING_REVIEW,
            S.WITHDRAWN,
            S.PUBLISHED,  # only the platform's own use-first listing
        },
        S.PENDING_INTERNAL_APPROVAL: {S.PENDING_REVIEW, S.REJECTED, S.WITHDRAWN},
        S.PENDING_REVIEW: {S.PUBLISHED, S.REJECTED, S.WITHDRAWN},
        S.PUBLISHED: {S.CLOSED, S.WITHDRAWN, S.TAKEN_DOWN},
        S.REJECTED: {S.PENDING_INTERNAL_APPROVAL, S.PENDING_REVIEW, S.WITHDRAWN},
        S.CLOSED: set(),
        S.WITHDRAWN: set(),
        S.TAKEN_DOWN: set(),
    },
)
EDITABLE_STATUSES = (S.DRAFT, S.REJECTED)


# The listing row, locked (``core.locks``): the name the other apps call. Since stamping synced
# rows takes no lock (``core.sync``) there is nothing to add to core's helper.
listing_lock = locks.listing_lock


_STAMPS: dict[str, str] = {S.PENDING_REVIEW: "submitted_at", S.PUBLISHED: "published_at"}


def _transition(*, listing: Listing, to_status: str, actor: User | None, reason: str = "") -> Listing:
    """Move a listing the caller has locked (see ``listing_lock``): check the table, stamp the moment,
    save, record the change. Publishing an auction listing tells the auctions side, in this
    transaction, through the ``listing_published`` seam."""
    stamp = _STAMPS.get(to_status)
    status_move(
        listing,
        to_status=to_status,
        transitions=LISTING_TRANSITIONS,
        noun=_("挂牌"),
        record=lambda **change: ListingStatusChange.objects.create(listing=listing, **change),
        actor=actor,
        reason=reason,
        changes={stamp: db_now()} if stamp else None,
    )
    if to_status == S.PUBLISHED and listing.mode == Listing.Mode.AUCTION:
        seams.call("listing_published", listing=listing)
    return listing


def _require_editor(*, actor: User, achievement: Achievement) -> None:
    membership_for_action(user=actor, organization=achievement.holder_id, roles=HOLDER_EDITOR_ROLES)


def _clean_mode_and_rights(mode: Any, rights: Any) -> None:
    fields: dict[str, list[str]] = {}
    if mode not in Listing.Mode.values:
        fields["mode"] = [_("无效的选项。")]
    if rights not in Rights.values:
        fields["rights"] = [_("无效的选项。")]
    if fields:
        raise InvalidInput("invalid_terms", _("交易条款有误，请检查标出的字段。"), fields=fields)


def _refuse_transferred(achievement: Achievement) -> None:
    if (
        achievement.conversion_status == ConversionStatus.CONVERTED
        and achievement.conversion_method == Rights.TRANSFER
    ):
        raise DomainError("achievement_transferred", _("该成果已转让，不能再挂牌。"))


def _index(listing: Listing) -> None:
    achievement = listing.achievement
    Listing.objects.filter(pk=listing.pk).update(
        search_vector=search.search_vector(
            title=achievement.title,
            summary=achievement.summary,
            holder=achievement.holder.name,
            field=achievement.field,
            mode=F("mode"),
            rights=F("rights"),
        )
    )


def _notify_holder(listing: Listing, *, kind: str, title: str, body: str = "") -> None:
    notify(
        organization=listing.achievement.holder,
        roles=HOLDER_EDITOR_ROLES,
        kind=kind,
        title=title,
        body=body,
        link=reverse("listings:detail", args=[listing.pk]),
    )


@transaction.atomic
def listing_create(*, actor: User, achievement: Achievement, mode: str, rights: str, **terms: Any) -> Listing:
    """A holder member drafts a listing of one of the holder's achievements (status ``draft``)."""
    _require_editor(actor=actor, achievement=achievement)
    _clean_mode_and_rights(mode, rights)
    _refuse_transferred(achievement)
    clean = terms_validate(mode=mode, terms=terms, fiscally_funded=achievement.fiscally_funded, now=db_now())
    listing = Listing.objects.create(
        achievement=achievement, mode=mode, rights=rights, created_by=actor, **clean
    )
    ListingStatusChange.objects.create(listing=listing, from_status="", to_status=S.DRAFT, actor=actor)
    _index(listing)
    return listing


@transaction.atomic
def listing_update(
    *, listing: Listing, actor: User, mode: str | None = None, rights: str | None = None, **terms: Any
) -> Listing:
    """Edit a draft or rejected listing. Given terms replace the stored ones; a change of mode
    starts from empty terms. Published terms never change: withdraw and list again."""
    _require_editor(actor=actor, achievement=listing.achievement)
    locked = listing_lock(listing)
    if locked.status not in EDITABLE_STATUSES:
        raise Conflict("listing_not_editable", _("只有草稿或被驳回的挂牌可以修改。"))
    new_mode = mode if mode is not None else locked.mode
    new_rights = rights if rights is not None else locked.rights
    _clean_mode_and_rights(new_mode, new_rights)
    merged = {} if new_mode != locked.mode else terms_of(locked)
    merged.update(terms)
    clean = terms_validate(
        mode=new_mode, terms=merged, fiscally_funded=locked.achievement.fiscally_funded, now=db_now()
    )
    locked.mode, locked.rights = new_mode, new_rights
    for name, value in clean.items():
        setattr(locked, name, value)
    locked.save(update_fields=["mode", "rights", *ALL_TERMS, "updated_at"])
    _index(locked)  # the vector carries the mode and rights (``search.filter_lexemes``)
    return locked


@transaction.atomic
def listing_submit(*, listing: Listing, actor: User) -> Listing:
    """Send a draft (or a corrected rejected listing) on: to the holder's approvers when the holder
    requires 安心屋, else straight into the operators' queue."""
    _require_editor(actor=actor, achievement=listing.achievement)
    locked = listing_lock(listing)
    if locked.status not in EDITABLE_STATUSES:
        raise Conflict("invalid_status_transition", _("只有草稿或被驳回的挂牌可以提交。"))
    achievement = locks.achievement_lock(locked.achievement_id, holder=True)
    _refuse_transferred(achievement)
    if achievement.listings.filter(status__in=ACTIVE_LISTING_STATUSES).exclude(pk=locked.pk).exists():
        raise Conflict("achievement_already_listed", _("该成果已有审核中或挂牌中的挂牌。"))
    try:
        # Checked again: time has passed since the draft, and the achievement may have changed.
        terms_validate(
            mode=locked.mode,
            terms=terms_of(locked),
            fiscally_funded=achievement.fiscally_funded,
            now=db_now(),
        )
    except InvalidInput as exc:
        raise DomainError(exc.code, _("挂牌条款已不再有效，请修改后提交。"), fields=exc.fields) from exc
    if achievement.holder.requires_internal_approval:
        _transition(listing=locked, to_status=S.PENDING_INTERNAL_APPROVAL, actor=actor)
        notify(
            organization=achievement.holder,
            roles=HOLDER_APPROVER_ROLES,
            kind="listing_internal_approval",
            title=_("待您审批的挂牌：%(title)s") % {"title": achievement.title},
            link=reverse("listings:approval_decide", args=[locked.pk]),
        )
    else:
        _transition(listing=locked, to_status=S.PENDING_REVIEW, actor=actor)
        notify(
            operators=True,
            kind="listing_review",
            title=_("待审核的挂牌：%(title)s") % {"title": achievement.title},
            link=reverse("listings:detail", args=[locked.pk]),
        )
    return locked


def _snapshot(listing: Listing) -> dict[str, Any]:
    """What the approver saw: the achievement as recorded and the terms, frozen in the record."""
    achievement = listing.achievement
    return {
        "achievement": {
            "id": achievement.pk,
            "title": achievement.title,
            "valuation": achievement.valuation,
            "maturity": achievement.maturity,
            "fiscally_funded": achievement.fiscally_funded,
            "patents": list(achievement.ip.values_list("patent_no", flat=True)),
        },
        "mode": listing.mode,
        "rights": listing.rights,
        "terms": terms_of(listing),
    }


def _clean_decision(decision: Any, reason: str, *, reason_field: str) -> Decision:
    """The review decision (``core.decisions.REVIEW``): a rejection needs a reason."""
    verdict = decision_parse(decision, choice=REVIEW)
    require_reason(verdict, reason, choice=REVIEW, detail=_("驳回时必须填写理由。"), field=reason_field)
    return verdict


@transaction.atomic
def listing_internal_decide(*, listing: Listing, actor: User, decision: str, comment: str = "") -> Listing:
    """The holder's approver decides (安心屋). The decision, its author, time and the terms
    snapshot stay as the due-diligence record (尽职免责), shown to operators."""
    membership_for_action(user=actor, organization=listing.achievement.holder_id, roles=HOLDER_APPROVER_ROLES)
    verdict = _clean_decision(decision, comment, reason_field="comment")
    locked = listing_lock(listing)
    if locked.status != S.PENDING_INTERNAL_APPROVAL:
        raise Conflict("invalid_status_transition", _("该挂牌不在内部审批中。"))
    InternalApproval.objects.create(
        listing=locked,
        approver=actor,
        decision=InternalApproval.Decision.APPROVED
        if verdict == Decision.APPROVE
        else InternalApproval.Decision.REJECTED,
        comment=comment,
        terms_snapshot=_snapshot(locked),
    )
    title = locked.achievement.title
    if verdict == Decision.APPROVE:
        _transition(listing=locked, to_status=S.PENDING_REVIEW, actor=actor, reason=comment)
        notify(
            operators=True,
            kind="listing_review",
            title=_("待审核的挂牌：%(title)s") % {"title": title},
            link=reverse("listings:detail", args=[locked.pk]),
        )
    else:
        _transition(listing=locked, to_status=S.REJECTED, actor=actor, reason=comment)
        _notify_holder(
            locked,
            kind="listing_rejected",
            title=_("内部审批未通过：%(title)s") % {"title": title},
            body=comment,
        )
    return locked


@transaction.atomic
def listing_review(*, listing: Listing, actor: User, decision: str, reason: str = "") -> Listing:
    """An operator publishes or rejects (with a reason) a listing in the queue."""
    if not is_operator(actor):
        raise Forbidden("operator_only", _("只有平台运营人员可以审核挂牌。"))
    verdict = _clean_decision(decision, reason, reason_field="reason")
    locked = listing_lock(listing)
    if locked.status != S.PENDING_REVIEW:
        raise Conflict("invalid_status_transition", _("该挂牌不在待审核状态。"))
    title = locked.achievement.title
    if verdict == Decision.APPROVE:
        terms_recheck_times(listing=locked, now=db_now())
        _transition(listing=locked, to_status=S.PUBLISHED, actor=actor, reason=reason)
        _notify_holder(locked, kind="listing_published", title=_("挂牌已发布：%(title)s") % {"title": title})
    else:
        _transition(listing=locked, to_status=S.REJECTED, actor=actor, reason=reason)
        _notify_holder(
            locked,
            kind="listing_rejected",
            title=_("挂牌未通过平台审核：%(title)s") % {"title": title},
            body=reason,
        )
    return locked


@transaction.atomic
def listing_take_down(*, listing: Listing, actor: User, reason: str) -> Listing:
    """An operator removes a published listing from the market, with a reason the holder sees.

    Everything open on it above listings ends with the same reason, in this transaction, through
    the ``listing_taken_down`` seam (auctions): its scheduled or live auction is cancelled (every
    deposit released, the room hears ``closed``/``cancelled``), open offers, the open public notice
    and purchase intents are withdrawn and those buyers told. The seam is called BEFORE the listing
    lock so locks are taken in the market's one order (auction, notices, listing, offers).
    409 ``deal_concluded`` when a deal on it stands (settle or default it instead); 409
    ``invalid_status_transition`` when it is not published."""
    if not is_operator(actor):
        raise Forbidden("operator_only", _("只有平台运营人员可以下架挂牌。"))
    if not (reason or "").strip():
        raise InvalidInput(
            "reason_required", _("下架时必须填写理由。"), fields={"reason": [_("请填写理由。")]}
        )
    seams.call("listing_taken_down", listing=listing, actor=actor, reason=reason)
    locked = listing_lock(listing)
    if locked.status != S.PUBLISHED:
        raise Conflict("invalid_status_transition", _("只有已挂牌的挂牌可以下架。"))
    _transition(listing=locked, to_status=S.TAKEN_DOWN, actor=actor, reason=reason)
    _notify_holder(
        locked,
        kind="listing_taken_down",
        title=_("挂牌已被下架：%(title)s") % {"title": locked.achievement.title},
        body=reason,
    )
    return locked


@transaction.atomic
def listing_withdraw(*, listing: Listing, actor: User, reason: str = "") -> Listing:
    """The holder withdraws a listing; refused (409 ``listing_engaged``) once any offer, intent,
    registration or bid has been made on it. Before that, the only thing open above listings is
    a published auction listing's scheduled auction: the ``listing_withdrawn`` seam cancels it
    (called before the listing lock, in the market's lock order, only when nobody is engaged)."""
    _require_editor(actor=actor, achievement=listing.achievement)
    if Listing.objects.filter(pk=listing.pk, status=S.PUBLISHED, engaged_at=None).exists():
        seams.call("listing_withdrawn", listing=listing, actor=actor, reason=reason or _("持有单位撤回挂牌"))
    locked = listing_lock(listing)
    if locked.engaged_at is not None:
        raise Conflict("listing_engaged", _("已有意向、报价或竞买登记，挂牌不能撤回。"))
    _transition(listing=locked, to_status=S.WITHDRAWN, actor=actor, reason=reason)
    return locked


@transaction.atomic
def listing_close(*, listing: Listing, reason: str, actor: User | None = None) -> Listing:
    """The trade mode is done with a published listing (sold, unsold, period over). Called by
    marketplace and auctions; closing a closed listing again changes nothing."""
    locked = listing_lock(listing)
    if locked.status == S.CLOSED:
        return locked
    return _transition(listing=locked, to_status=S.CLOSED, actor=actor, reason=reason)


@transaction.atomic
def listing_mark_engaged(*, listing: Listing) -> Listing:
    """Record the first offer, intent, registration or bid (called by marketplace and auctions
    inside their own transaction). The listing row is locked, as ``listing_withdraw`` locks it,
    so a withdrawal and a first offer cannot both succeed. 409 ``listing_not_published`` when
    the listing is not open."""
    locked = listing_lock(listing)
    if locked.status != S.PUBLISHED:
        raise Conflict("listing_not_published", _("该挂牌当前不接受报价、意向或竞买。"))
    if locked.engaged_at is None:
        locked.engaged_at = db_now()
        locked.save(update_fields=["engaged_at"])
    return locked


@transaction.atomic
def listing_publish_by_platform(
    *, achievement: Achievement, mode: str, rights: str, reason: str, **terms: Any
) -> Listing:
    """The platform publishes a listing itself (the use-first job): no actor, no review; the
    status-change rows say why. 409 ``achievement_already_listed`` when one is already active."""
    _clean_mode_and_rights(mode, rights)
    locked_achievement = locks.achievement_lock(achievement, holder=True)
    if locked_achievement.listings.filter(status__in=ACTIVE_LISTING_STATUSES).exists():
        raise Conflict("achievement_already_listed", _("该成果已有审核中或挂牌中的挂牌。"))
    clean = terms_validate(
        mode=mode, terms=terms, fiscally_funded=locked_achievement.fiscally_funded, now=db_now()
    )
    listing = Listing.objects.create(
        achievement=locked_achievement, mode=mode, rights=rights, created_by=None, **clean
    )
    ListingStatusChange.objects.create(
        listing=listing, from_status="", to_status=S.DRAFT, actor=None, reason=reason
    )
    _index(listing)
    _transition(listing=listing_lock(listing), to_status=S.PUBLISHED, actor=None, reason=reason)
    return listing_lock(listing)
