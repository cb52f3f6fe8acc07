"""Inventors' pre-emption (优先受让权, Civil Code Art. 847).

When a holder TRANSFERS a service invention (职务科技成果), its inventors may take it at equal
terms. The holder records, per inventor, a waiver (with its document) or the pre-emption holder
(an organization, verified like any buyer: the related-party rule applies to it as to anyone). The
right is used: in an auction by registering as the pre-emption holder (its bid equal to the current
price takes the lead: the bid engine); in a negotiated trade by claiming at the noticed price
during the public notice; in a fixed-price trade by claiming at the listed price during the intent
period. Licences are not transfers: no pre-emption. The 成交确认书 states how it was handled
(``preemption_statement``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.selectors import ACTING_ROLES, membership_for_action
from accounts.services import notify
from core import files
from core.dbclock import db_now
from core.errors import Conflict, DomainError, InvalidInput
from core.locks import achievement_lock
from core.transitions import status_move, transitions_register
from listings import services as listing_services
from listings.models import Achievement, Inventor, Listing, Rights

from ..models import Deal, Preemption, PreemptionClaim, PreemptionClaimStatusChange, PublicNotice
from ..selectors import preemption_holder_ids

C = PreemptionClaim.Status

CLAIM_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "marketplace.PreemptionClaim",
    record="marketplace.PreemptionClaimStatusChange",
    table={C.OPEN: {C.EXERCISED, C.LAPSED}, C.EXERCISED: set(), C.LAPSED: set()},
)


def preemption_applies(listing: Listing) -> bool:
    """A transfer of a service invention: licences (and equity, use-first) are not transfers."""
    return listing.rights == Rights.TRANSFER and listing.achievement.is_service_invention


def preemption_holder_check(*, listing: Listing, organization: Organization | int) -> None:
    """422 unless ``organization`` may use the pre-emption right on ``listing``: the listing is a
    transfer of a service invention (``preemption_not_applicable``) and the organization is a
    recorded pre-emption holder of its achievement (``not_a_preemption_holder``)."""
    if not preemption_applies(listing):
        raise DomainError(
            "preemption_not_applicable", _("该挂牌不是职务科技成果的转让（许可等方式不适用优先受让权）。")
        )
    org_id = organization if isinstance(organization, int) else organization.pk
    if org_id not in preemption_holder_ids(listing.achievement_id):
        raise DomainError("not_a_preemption_holder", _("贵单位不是该成果登记的优先受让权人。"))


def _holder_member(*, achievement: Achievement, actor: User) -> None:
    membership_for_action(user=actor, organization=achievement.holder_id, roles=ACTING_ROLES)


# A waiver is a signed statement: a PDF or a scan of it.
WAIVER_KINDS = files.DOCUMENTS
WAIVER_MAX_BYTES = 20 * files.MB


def _waiver_document(upload: Any) -> files.CheckedUpload:
    """The uploaded waiver, checked by ``core.files``: 400 ``document_required`` without one, 400
    ``invalid_file`` for another kind, an empty or too large file."""
    if upload is None:
        raise InvalidInput(
            "document_required",
            _("放弃优先受让权须附书面文件。"),
            fields={"document": [_("请上传放弃声明文件（PDF 或扫描图片）。")]},
        )
    return files.upload_require(upload, kinds=WAIVER_KINDS, max_bytes=WAIVER_MAX_BYTES, field="document")


@transaction.atomic
def preemption_record(
    *,
    achievement: Achievement,
    actor: User,
    inventor: Inventor | int,
    waived: bool,
    document: Any = None,
    holder_organization: Organization | int | None = None,
) -> Preemption:
    """The holder records, for one inventor, a waiver (``document``: the uploaded statement,
    required; the server keeps its name, kind, size and SHA-256) or the pre-emption holder (a
    verified organization other than the holder itself). A new record supersedes the inventor's
    current one, which stays on record. 422 ``not_a_service_invention``."""
    checked = _waiver_document(document) if waived else None
    achievement = achievement_lock(achievement)
    _holder_member(achievement=achievement, actor=actor)
    if not achievement.is_service_invention:
        raise DomainError("not_a_service_invention", _("非职务科技成果，完成人不享有法定优先受让权。"))
    inventor_pk = inventor if isinstance(inventor, int) else inventor.pk
    person = Inventor.objects.filter(pk=inventor_pk, achievement=achievement).first()
    if person is None:
        raise InvalidInput(
            "invalid_inventor", _("该完成人不属于本成果。"), fields={"inventor": [_("无效的完成人。")]}
        )
    organization: Organization | None = None
    if not waived:
        org_pk = (
            holder_organization
            if not isinstance(holder_organization, Organization)
            else holder_organization.pk
        )
        organization = Organization.objects.filter(pk=org_pk).first() if org_pk is not None else None
        if organization is None:
            raise InvalidInput(
                "invalid_holder_organization",
                _("请指定优先受让权人（完成人所在或指定的机构）。"),
                fields={"holder_organization": [_("无效的机构。")]},
            )
        if organization.pk == achievement.holder_id:
            raise InvalidInput(
                "invalid_holder_organization",
                _("成果持有单位本身不能作为优先受让权人。"),
                fields={"holder_organization": [_("无效的机构。")]},
            )
        if not organization.is_verified:
            raise DomainError("organization_not_verified", _("优先受让权人须为经平台认证的机构。"))
    now = db_now()
    Preemption.objects.filter(achievement=achievement, inventor_name=person.name, superseded_at=None).update(
        superseded_at=now
    )
    stored, document_record = "", None
    if checked is not None:
        stored = files.upload_store(checked, prefix=f"preemptions/{achievement.pk}")
        document_record = {
            "name": checked.display_name,
            "kind": checked.kind.name,
            "size": checked.size,
            "sha256": checked.sha256,
        }
    record = Preemption.objects.create(
        achievement=achievement,
        inventor=person,
        inventor_name=person.name,
        waived=waived,
        document=document_record,
        document_file=stored,
        holder_organization=organization,
        recorded_by=actor,
        recorded_at=now,
    )
    if organization is not None:
        notify(
            organization=organization,
            kind="preemption_recorded",
            title=_("贵单位被登记为优先受让权人：%(t)s") % {"t": achievement.title},
            body=_(
                "完成人 %(n)s 的优先受让权由贵单位行使：拍卖中以优先购买权人身份登记竞买，协议定价或挂牌交易中可在公示期或挂牌期内以同等条件主张受让。"
            )
            % {"n": person.name},
            link=reverse("marketplace:preemption", args=[achievement.pk]),
        )
    return record


def claim_transition(
    *, claim: PreemptionClaim, to_status: str, actor: User | None, reason: str = ""
) -> PreemptionClaim:
    status_move(
        claim,
        to_status=to_status,
        transitions=CLAIM_TRANSITIONS,
        noun=_("优先受让主张"),
        record=lambda **change: PreemptionClaimStatusChange.objects.create(claim=claim, **change),
        actor=actor,
        reason=reason,
        fields=("deal",) if claim.deal_id else (),
    )
    return claim


@transaction.atomic
def preemption_claim(
    *, listing: Listing, actor: User, organization: Organization | int | None = None
) -> PreemptionClaim:
    """A recorded pre-emption holder takes the transfer at equal terms: on a negotiated listing at
    the noticed price while its public notice runs (the deal then goes to it when the notice ends),
    on a fixed-price listing at the listed price before ``listing_ends_at`` (``fixed_price_resolve``
    makes the deal with it). 409 ``no_notice_open`` / ``listing_not_published`` outside the period,
    ``wrong_mode`` for auctions (register instead), ``claim_exists``."""
    locked = listing_services.listing_lock(listing)
    membership = membership_for_action(
        user=actor, organization=organization, roles=ACTING_ROLES, verified=True
    )
    claimant = membership.organization
    preemption_holder_check(listing=locked, organization=claimant)
    now = db_now()
    notice: PublicNotice | None = None
    if locked.mode == Listing.Mode.NEGOTIATED:
        notice = PublicNotice.objects.filter(listing=locked, status=PublicNotice.Status.OPEN).first()
        if notice is None or now >= notice.ends_at:
            raise Conflict("no_notice_open", _("该挂牌当前没有公示中的协议价格，暂不能主张优先受让。"))
        if notice.buyer_id == claimant.pk:
            raise Conflict("claim_exists", _("贵单位已是该公示的受让方。"))
        price = notice.price
    elif locked.mode == Listing.Mode.FIXED_PRICE:
        if (
            locked.status != Listing.Status.PUBLISHED
            or locked.listing_ends_at is None
            or now >= locked.listing_ends_at
        ):
            raise Conflict("listing_not_published", _("挂牌期已结束，不能再主张优先受让。"))
        assert locked.price is not None
        price = locked.price
    else:
        raise Conflict("wrong_mode", _("拍卖中请以优先购买权人身份登记竞买。"))
    if PreemptionClaim.objects.filter(listing=locked, status=C.OPEN).exists():
        raise Conflict("claim_exists", _("该挂牌已有优先受让主张。"))
    listing_services.listing_mark_engaged(listing=locked)
    claim = PreemptionClaim.objects.create(
        listing=locked, organization=claimant, notice=notice, price=price, claimed_by=actor, claimed_at=now
    )
    PreemptionClaimStatusChange.objects.create(claim=claim, to_status=claim.status, actor=actor)
    title = _("优先受让权人主张以同等条件受让：%(t)s") % {"t": locked.achievement.title}
    body = _("同等条件价格 %(p)s 元。") % {"p": price}
    link = reverse("listings:detail", args=[locked.pk])
    notify(
        organization=locked.achievement.holder, kind="preemption_claimed", title=title, body=body, link=link
    )
    if notice is not None:
        notify(organization=notice.buyer, kind="preemption_claimed", title=title, body=body, link=link)
    return claim


def claim_open_for(listing: Listing | int, *, notice: PublicNotice | None = None) -> PreemptionClaim | None:
    claims = PreemptionClaim.objects.filter(listing=listing, status=C.OPEN).select_related("organization")
    if notice is not None:
        claims = claims.filter(notice=notice)
    return claims.first()


def claims_lapse(*, listing: Listing | int, reason: str, actor: User | None = None) -> int:
    """Open claims of a listing lapse (the notice stopped, the listing left the market)."""
    claims = list(PreemptionClaim.objects.filter(listing=listing, status=C.OPEN).select_for_update())
    for claim in claims:
        claim_transition(claim=claim, to_status=C.LAPSED, actor=actor, reason=reason)
        notify(
            organization=claim.organization,
            kind="preemption_lapsed",
            title=_("优先受让主张已失效"),
            body=reason,
        )
    return len(claims)


def claim_exercised(*, claim: PreemptionClaim, deal: Deal) -> PreemptionClaim:
    claim.deal = deal
    return claim_transition(
        claim=claim,
        to_status=C.EXERCISED,
        actor=None,
        reason=_("以同等条件成交（成交 #%(id)s）") % {"id": deal.pk},
    )


def preemption_statement(deal: Deal) -> dict[str, Any]:
    """How pre-emption was handled, for the 成交确认书: ``handling`` is ``not_applicable`` (a licence
    or not a service invention), ``exercised`` (the buyer is a recorded pre-emption holder),
    ``waived`` (every inventor waived), ``not_exercised`` (holders were recorded and did not take
    it) or ``not_recorded`` (some inventor has no record); ``text`` says it in words."""
    listing = deal.listing
    achievement = listing.achievement
    if not preemption_applies(listing):
        why = _("许可等非转让方式") if listing.rights != Rights.TRANSFER else _("非职务科技成果")
        return {
            "handling": "not_applicable",
            "text": _("%(w)s，不适用完成人优先受让权。") % {"w": why},
            "inventors": [],
        }
    records = {
        p.inventor_name: p
        for p in Preemption.objects.filter(achievement=achievement, superseded_at=None).select_related(
            "holder_organization"
        )
    }
    inventors = []
    for name in achievement.inventors.values_list("name", flat=True):
        record = records.get(name)
        inventors.append(
            {
                "name": name,
                "waived": bool(record and record.waived),
                "document": record.document if record and record.waived else None,
                "holder": record.holder_organization.name if record and record.holder_organization else None,
            }
        )
    holder_ids = {p.holder_organization_id for p in records.values() if not p.waived}
    if deal.buyer_id in holder_ids:
        handling = "exercised"
        text = _("受让方 %(b)s 为登记的优先受让权人，以同等条件行使优先受让权。") % {"b": deal.buyer.name}
    elif inventors and all(i["waived"] for i in inventors):
        handling = "waived"
        text = _("全体完成人已书面放弃优先受让权（文件存档）。")
    elif any(i["waived"] is False and i["holder"] is None for i in inventors):
        handling = "not_recorded"
        text = _("部分完成人的优先受让权未登记。")
    else:
        handling = "not_exercised"
        text = _("已登记的优先受让权人未以同等条件受让。")
        if any(i["waived"] for i in inventors):
            text += _("其余完成人已书面放弃。")
    return {"handling": handling, "text": text, "inventors": inventors}
