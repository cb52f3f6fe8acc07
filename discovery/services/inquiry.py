"""Online inquiry (在线询价): a verified company asks on a published listing, the holder answers."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import ACTING_ROLES, membership_for_action, organizations_related
from accounts.services import notify
from core import locks
from core.dbclock import db_now
from core.errors import Conflict, DomainError, Forbidden, InvalidInput
from core.transitions import status_move
from listings.models import Listing
from marketplace.working_days import add_working_days

from ..models import Question, QuestionStatusChange
from .common import QUESTION_TRANSITIONS, company_membership


@transaction.atomic
def question_ask(
    *,
    listing: Listing,
    actor: User,
    body: str,
    private: bool = False,
    kind: str = Question.Kind.QUESTION,
    organization: int | None = None,
) -> Question:
    """A verified company's member asks a question (or for a price indication) on a published
    listing, public or private to the holder. The holder is due to answer within
    ``QUESTION_ANSWER_WORKING_DAYS`` working days (the market's calendar)."""
    membership = company_membership(user=actor, organization=organization)
    if not (body or "").strip():
        raise InvalidInput("invalid_input", _("请填写问题。"), fields={"body": [_("请填写问题。")]})
    if kind not in Question.Kind.values:
        raise InvalidInput("invalid_input", _("无效的类型。"), fields={"kind": [_("无效的选项。")]})
    if listing.status != Listing.Status.PUBLISHED:
        raise Conflict("listing_not_published", _("只能对已挂牌的成果提问或询价。"))
    holder_id = listing.achievement.holder_id
    if organizations_related(membership.organization, holder_id):
        raise Forbidden("related_party", _("持有单位本身及其关联方不能提问。"))
    now = db_now()
    question = Question.objects.create(
        listing=listing,
        holder_id=holder_id,
        asked_by=actor,
        organization=membership.organization,
        kind=kind,
        body=body.strip(),
        private=private,
        answer_due_at=add_working_days(now, settings.MARKET["QUESTION_ANSWER_WORKING_DAYS"]),
    )
    QuestionStatusChange.objects.create(
        question=question, from_status="", to_status=Question.Status.OPEN, actor=actor
    )
    notify(
        organization=listing.achievement.holder,
        roles=ACTING_ROLES,
        kind="question_asked",
        title=_("您的挂牌收到新的%(kind)s：%(title)s")
        % {"kind": question.get_kind_display(), "title": listing.achievement.title},
        body=question.body if not private else _("（仅持有单位可见）") + question.body,
        link=reverse("discovery:listing", args=[listing.pk]),
    )
    return question


@transaction.atomic
def question_answer(*, question: Question, actor: User, body: str) -> Question:
    """A holder's member answers; a public answer shows on the listing. Answered once."""
    locked = locks.row_lock(Question, question)
    membership_for_action(user=actor, organization=locked.holder_id, roles=ACTING_ROLES, verified=True)
    if not (body or "").strip():
        raise InvalidInput("invalid_input", _("请填写回答。"), fields={"body": [_("请填写回答。")]})
    if locked.status != Question.Status.OPEN:
        raise Conflict("already_answered", _("该问题已回答。"))
    status_move(
        locked,
        to_status=Question.Status.ANSWERED,
        transitions=QUESTION_TRANSITIONS,
        noun=_("提问"),
        record=lambda **change: QuestionStatusChange.objects.create(question=locked, **change),
        actor=actor,
        changes={"answer": body.strip(), "answered_by": actor, "answered_at": db_now()},
    )
    notify(
        users=[locked.asked_by],
        kind="question_answered",
        title=_("您的提问已获回答"),
        body=locked.answer,
        link=reverse("discovery:listing", args=[locked.listing_id]),
    )
    return locked


__all__ = ["DomainError", "question_answer", "question_ask"]
