"""Peer review (垂直同行在线评议): operators invite experts, the system refuses a conflict of
interest, experts submit scores."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Expert, Membership, User
from accounts.selectors import ACTING_ROLES, is_operator, organizations_related, person_tied_to
from accounts.services import notify
from core import locks
from core.dbclock import db_now
from core.errors import Conflict, DomainError, Forbidden, InvalidInput
from core.transitions import status_move
from listings.models import Achievement
from marketplace.models import Deal

from ..models import PeerReview, PeerReviewStatusChange
from .common import PEER_REVIEW_TRANSITIONS

P = PeerReview.Status


def expert_conflict(*, expert: Expert, achievement: Achievement) -> str | None:
    """Why ``expert`` may not review ``achievement`` (``conflict_of_interest``), or None: a member
    of the holder or of a related organization; working at, or declaring a conflict with, the
    holder or a related organization; a deal between the expert's organizations and the holder
    within ``EXPERT_DEAL_CONFLICT_YEARS`` years."""
    holder = achievement.holder_id
    if person_tied_to(user=expert.user_id, holder=holder):
        return _("专家是持有单位或其关联单位的成员。")
    if expert.organization_id and organizations_related(expert.organization_id, holder):
        return _("专家所在单位是持有单位或其关联单位。")
    for org_id in expert.conflicts.values_list("id", flat=True):
        if organizations_related(org_id, holder):
            return _("专家申报了与持有单位（或其关联单位）的利益关联。")
    orgs = set(Membership.objects.filter(user_id=expert.user_id).values_list("organization_id", flat=True))
    if expert.organization_id:
        orgs.add(expert.organization_id)
    years = settings.MARKET["EXPERT_DEAL_CONFLICT_YEARS"]
    since = db_now() - dt.timedelta(days=365 * years + years // 4)
    deals = Deal.objects.filter(concluded_at__gte=since).exclude(status=Deal.Status.DEFAULTED)
    if (
        orgs
        and deals.filter(
            Q(buyer_id__in=orgs, seller_id=holder) | Q(seller_id__in=orgs, buyer_id=holder)
        ).exists()
    ):
        return _("专家所在单位近 %(years)s 年内与持有单位有过成交。") % {"years": years}
    return None


@transaction.atomic
def review_invite(*, achievement: Achievement, actor: User, expert: User) -> PeerReview:
    """An operator invites an expert to review an achievement; 409 ``conflict_of_interest`` with
    the reason when the expert is tied to the holder, 409 ``already_invited`` for a second one."""
    if not is_operator(actor):
        raise Forbidden("operator_only", _("只有平台运营人员可以邀请评议专家。"))
    profile = Expert.objects.filter(user=expert, active=True).first()
    if profile is None:
        raise DomainError(
            "not_an_expert", _("该用户不是可受邀的评议专家。"), fields={"expert": [_("不是评议专家。")]}
        )
    locks.achievement_lock(achievement)
    reason = expert_conflict(expert=profile, achievement=achievement)
    if reason is not None:
        raise Conflict("conflict_of_interest", _("利益关联回避：%(reason)s") % {"reason": reason})
    if PeerReview.objects.filter(achievement=achievement, expert=expert).exclude(status=P.WITHDRAWN).exists():
        raise Conflict("already_invited", _("已邀请该专家评议此成果。"))
    review = PeerReview.objects.create(achievement=achievement, expert=expert, invited_by=actor)
    PeerReviewStatusChange.objects.create(review=review, from_status="", to_status=P.INVITED, actor=actor)
    notify(
        users=[expert],
        kind="peer_review_invited",
        title=_("邀请您评议科技成果：%(title)s") % {"title": achievement.title},
        link=reverse("discovery:my_peer_reviews"),
    )
    return review


@transaction.atomic
def review_submit(
    *,
    review: PeerReview,
    actor: User,
    trl: int,
    novelty: int,
    value_low: Decimal,
    value_high: Decimal,
    comment: str = "",
) -> PeerReview:
    """The invited expert scores: TRL 1-9, novelty 1-5, a value band, comments. Final once in."""
    locked = locks.row_lock(PeerReview.objects.select_related("achievement"), review)
    if locked.expert_id != actor.pk:
        raise Forbidden("not_invited_expert", _("只有受邀专家可以提交评议。"))
    fields: dict[str, list[str]] = {}
    if not (isinstance(trl, int) and 1 <= trl <= 9):
        fields["trl"] = [_("应为 1 至 9。")]
    if not (isinstance(novelty, int) and 1 <= novelty <= 5):
        fields["novelty"] = [_("应为 1 至 5。")]
    if value_low is None or value_low < 0:
        fields["value_low"] = [_("请填写估值下限。")]
    if value_high is None or (value_low is not None and value_high < value_low):
        fields["value_high"] = [_("估值上限不能低于下限。")]
    if fields:
        raise InvalidInput("invalid_review", _("评议内容有误，请检查标出的字段。"), fields=fields)
    if locked.status != P.INVITED:
        raise Conflict("invalid_status_transition", _("该评议已提交或已撤回。"))
    status_move(
        locked,
        to_status=P.SUBMITTED,
        transitions=PEER_REVIEW_TRANSITIONS,
        noun=_("同行评议"),
        record=lambda **change: PeerReviewStatusChange.objects.create(review=locked, **change),
        actor=actor,
        changes={
            "trl": trl,
            "novelty": novelty,
            "value_low": value_low,
            "value_high": value_high,
            "comment": (comment or "").strip(),
            "submitted_at": db_now(),
        },
    )
    notify(
        organization=locked.achievement.holder,
        roles=ACTING_ROLES,
        kind="peer_review_submitted",
        title=_("您的成果收到一份同行评议：%(title)s") % {"title": locked.achievement.title},
        link=reverse("discovery:peer_reviews_of", args=[locked.achievement_id]),
    )
    return locked
