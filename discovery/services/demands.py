"""Demands (供需荟): a company posts, operators review, holders respond, the company answers each
response with structured feedback; an interested answer opens a negotiation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import ACTING_ROLES, is_operator, membership_for_action
from accounts.services import notify
from core import locks
from core.dbclock import db_now
from core.decisions import REVIEW, Decision, decision_parse, require_reason
from core.errors import Conflict, DomainError, Forbidden, InvalidInput
from core.transitions import status_move
from listings.models import Achievement, ConversionStatus, Field, Listing, Rights
from marketplace.services.negotiation import offer_make

from ..models import Demand, DemandResponse, DemandResponseStatusChange, DemandStatusChange, FeedbackReason
from ..text import text_vector, text_words
from .common import DEMAND_TRANSITIONS, RESPONSE_TRANSITIONS, company_membership

D = Demand.Status
R = DemandResponse.Status


def _move(
    demand: Demand, *, to_status: str, actor: User | None, reason: str = "", changes: dict | None = None
) -> None:
    status_move(
        demand,
        to_status=to_status,
        transitions=DEMAND_TRANSITIONS,
        noun=_("技术需求"),
        record=lambda **change: DemandStatusChange.objects.create(demand=demand, **change),
        actor=actor,
        reason=reason,
        changes=changes,
    )


def _clean(
    *,
    title: str,
    description: str,
    field: str,
    rights: str,
    budget_min: Decimal | None,
    budget_max: Decimal | None,
    deadline: dt.date,
) -> None:
    fields: dict[str, list[str]] = {}
    if not (title or "").strip():
        fields["title"] = [_("请填写需求名称。")]
    if not (description or "").strip():
        fields["description"] = [_("请描述需要解决的问题。")]
    if field not in Field.values:
        fields["field"] = [_("无效的选项。")]
    if rights not in Rights.values:
        fields["rights"] = [_("无效的选项。")]
    if budget_min is not None and budget_max is not None and budget_min > budget_max:
        fields["budget_max"] = [_("预算上限不能低于下限。")]
    if deadline <= db_now().date():
        fields["deadline"] = [_("截止日期应晚于今天。")]
    if fields:
        raise InvalidInput("invalid_demand", _("需求信息有误，请检查标出的字段。"), fields=fields)


@transaction.atomic
def demand_create(
    *,
    actor: User,
    title: str,
    description: str,
    field: str,
    rights: str,
    deadline: dt.date,
    budget_min: Decimal | None = None,
    budget_max: Decimal | None = None,
    public_name: bool = True,
    organization: int | None = None,
) -> Demand:
    """A verified company's member posts a demand; it waits for an operator (``pending_review``)."""
    membership = company_membership(user=actor, organization=organization)
    _clean(
        title=title,
        description=description,
        field=field,
        rights=rights,
        budget_min=budget_min,
        budget_max=budget_max,
        deadline=deadline,
    )
    now = db_now()
    demand = Demand.objects.create(
        organization=membership.organization,
        created_by=actor,
        title=title.strip(),
        description=description.strip(),
        field=field,
        rights=rights,
        deadline=deadline,
        budget_min=budget_min,
        budget_max=budget_max,
        public_name=public_name,
        submitted_at=now,
        words=text_words(title, description),
    )
    Demand.objects.filter(pk=demand.pk).update(
        search_vector=text_vector(title=demand.title, body=demand.description)
    )
    DemandStatusChange.objects.create(demand=demand, from_status="", to_status=D.PENDING_REVIEW, actor=actor)
    notify(
        operators=True,
        kind="demand_submitted",
        title=_("新的技术需求待审核：%(title)s") % {"title": demand.title},
        link=reverse("discovery:console_demands"),
    )
    return demand


@transaction.atomic
def demand_review(*, demand: Demand, actor: User, decision: str, reason: str = "") -> Demand:
    """An operator publishes or rejects (with a reason) a demand in the queue, as a listing."""
    if not is_operator(actor):
        raise Forbidden("operator_only", _("只有平台运营人员可以审核技术需求。"))
    verdict = decision_parse(decision, choice=REVIEW)
    reason = require_reason(verdict, reason, choice=REVIEW)
    locked = locks.row_lock(Demand, demand)
    if locked.status != D.PENDING_REVIEW:
        raise Conflict("invalid_status_transition", _("该需求不在待审核状态。"))
    link = reverse("discovery:demand", args=[locked.pk])
    if verdict == Decision.APPROVE:
        _move(locked, to_status=D.PUBLISHED, actor=actor, reason=reason, changes={"published_at": db_now()})
        notify(
            organization=locked.organization,
            roles=ACTING_ROLES,
            kind="demand_published",
            title=_("技术需求已发布：%(title)s") % {"title": locked.title},
            link=link,
        )
    else:
        _move(locked, to_status=D.REJECTED, actor=actor, reason=reason)
        notify(
            organization=locked.organization,
            roles=ACTING_ROLES,
            kind="demand_rejected",
            title=_("技术需求未通过审核：%(title)s") % {"title": locked.title},
            body=reason,
            link=link,
        )
    return locked


@transaction.atomic
def demand_close(*, demand: Demand, actor: User, reason: str = "") -> Demand:
    """The company (or an operator) closes its demand: it leaves the catalogue."""
    locked = locks.row_lock(Demand, demand)
    if not is_operator(actor):
        company_membership(user=actor, organization=locked.organization_id)
    _move(locked, to_status=D.CLOSED, actor=actor, reason=reason)
    return locked


def _holder_listing(achievement: Achievement, listing: Listing | None) -> Listing | None:
    if listing is None:
        return None
    if listing.achievement_id != achievement.pk:
        raise InvalidInput(
            "listing_not_of_achievement",
            _("该挂牌不属于所选成果。"),
            fields={"listing": [_("该挂牌不属于所选成果。")]},
        )
    if listing.status != Listing.Status.PUBLISHED:
        raise Conflict("listing_not_published", _("只能以已挂牌的挂牌响应需求。"))
    return listing


@transaction.atomic
def response_create(
    *,
    demand: Demand,
    actor: User,
    achievement: Achievement,
    listing: Listing | None = None,
    message: str = "",
) -> DemandResponse:
    """A holder's member answers a published demand with one of the holder's achievements (and
    its published listing, if any). One response per achievement and demand."""
    membership_for_action(user=actor, organization=achievement.holder_id, roles=ACTING_ROLES, verified=True)
    locked = locks.row_lock(Demand, demand, no_key=True)
    if locked.status != D.PUBLISHED:
        raise Conflict("demand_not_published", _("该需求未在发布中，不能响应。"))
    if locked.organization_id == achievement.holder_id:
        raise DomainError("own_demand", _("不能响应本单位发布的需求。"))
    if (
        achievement.conversion_status == ConversionStatus.CONVERTED
        and achievement.conversion_method == Rights.TRANSFER
    ):
        raise DomainError("achievement_transferred", _("该成果已转让，不能再响应需求。"))
    listing = _holder_listing(achievement, listing)
    if DemandResponse.objects.filter(demand=locked, achievement=achievement).exists():
        raise Conflict("already_responded", _("已用该成果响应过此需求。"))
    response = DemandResponse.objects.create(
        demand=locked,
        organization_id=achievement.holder_id,
        achievement=achievement,
        listing=listing,
        message=(message or "").strip(),
        created_by=actor,
    )
    DemandResponseStatusChange.objects.create(
        response=response, from_status="", to_status=R.SENT, actor=actor
    )
    notify(
        organization=locked.organization,
        roles=ACTING_ROLES,
        kind="demand_response",
        title=_("您的需求收到新的响应：%(title)s") % {"title": locked.title},
        body=achievement.title,
        link=reverse("discovery:demand", args=[locked.pk]),
    )
    return response


@transaction.atomic
def response_feedback(
    *,
    response: DemandResponse,
    actor: User,
    decision: str,
    reason: str,
    comment: str = "",
    amount: Decimal | None = None,
) -> DemandResponse:
    """The demand's company answers a response: ``interested`` or ``not_interested`` with a reason
    from the fixed list. Interest opens a negotiation: an offer of ``amount`` on a negotiated
    listing (through the marketplace's own offer service), else a request that the holder list
    the achievement (or make its listing negotiable); the holder hears either way."""
    locked = locks.row_lock(
        DemandResponse.objects.select_related("demand", "achievement", "listing"), response
    )
    company_membership(user=actor, organization=locked.demand.organization_id)
    fields: dict[str, list[str]] = {}
    if decision not in (R.INTERESTED, R.NOT_INTERESTED):
        fields["decision"] = [_("应为 interested 或 not_interested。")]
    if reason not in FeedbackReason.values:
        fields["reason"] = [_("无效的选项。")]
    if fields:
        raise InvalidInput("invalid_feedback", _("反馈有误，请检查标出的字段。"), fields=fields)
    if locked.status != R.SENT:
        raise Conflict("already_answered", _("已对该响应作出反馈。"))
    changes: dict[str, Any] = {
        "feedback_reason": reason,
        "feedback_comment": (comment or "").strip(),
        "feedback_by": actor,
        "feedback_at": db_now(),
    }
    listing = locked.listing
    if decision == R.INTERESTED:
        if (
            listing is not None
            and listing.status == Listing.Status.PUBLISHED
            and listing.mode == Listing.Mode.NEGOTIATED
        ):
            if amount is not None:
                offer = offer_make(
                    listing=listing,
                    actor=actor,
                    amount=amount,
                    message=changes["feedback_comment"],
                    organization=locked.demand.organization_id,
                )
                changes["offer_id"] = offer.pk
        elif listing is None or listing.status != Listing.Status.PUBLISHED:
            changes["listing_requested"] = True
    status_move(
        locked,
        to_status=decision,
        transitions=RESPONSE_TRANSITIONS,
        noun=_("需求响应"),
        record=lambda **change: DemandResponseStatusChange.objects.create(response=locked, **change),
        actor=actor,
        reason=reason,
        changes=changes,
    )
    title = (
        _("企业对您的响应有意向：%(title)s")
        if decision == R.INTERESTED
        else _("企业对您的响应暂无意向：%(title)s")
    ) % {"title": locked.demand.title}
    body = str(FeedbackReason(reason).label) + (
        f"：{changes['feedback_comment']}" if changes["feedback_comment"] else ""
    )
    if changes.get("listing_requested"):
        body += _("。企业请您将该成果挂牌，以便进一步洽谈。")
    notify(
        organization=locked.organization,
        roles=ACTING_ROLES,
        kind="demand_feedback",
        title=title,
        body=body,
        link=reverse("discovery:my_responses"),
    )
    return locked
