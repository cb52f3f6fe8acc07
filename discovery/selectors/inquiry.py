"""Who sees which question; late questions; a holder's responsiveness."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from accounts.selectors import is_operator, member_organization_ids
from core.dbclock import db_now

from ..models import Question


def questions_visible_to(user: Any) -> QuerySet[Question]:
    """Public questions for everyone; private ones only to their asker's organization, the
    holder's members and operators."""
    qs = Question.objects.select_related("listing__achievement", "organization", "holder")
    if is_operator(user):
        return qs
    orgs = member_organization_ids(user)
    mine = Q(asked_by=user) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    return qs.filter(Q(private=False) | mine | Q(organization_id__in=orgs) | Q(holder_id__in=orgs))


def listing_questions(*, user: Any, listing_id: int) -> QuerySet[Question]:
    return questions_visible_to(user).filter(listing_id=listing_id).order_by("-id")


def questions_unanswered_late() -> QuerySet[Question]:
    """Questions still open after their answer was due (5 working days): the operators' queue,
    longest overdue first."""
    return (
        Question.objects.filter(status=Question.Status.OPEN, answer_due_at__lt=db_now())
        .select_related("listing__achievement", "holder", "organization")
        .order_by("answer_due_at", "id")
    )


@dataclass(frozen=True)
class Responsiveness:
    asked: int
    answered_in_time: int
    late: int  # answered after the due moment, or still open past it

    @property
    def rate(self) -> int | None:
        """Percent answered within the working days; None before any question."""
        return None if not self.asked else round(100 * self.answered_in_time / self.asked)


def holder_responsiveness(*, holder_id: int) -> Responsiveness:
    """How the holder answers questions: on time, late, or not yet and overdue."""
    now = db_now()
    row = Question.objects.filter(holder_id=holder_id).aggregate(
        asked=Count("id"),
        on_time=Count("id", filter=Q(status=Question.Status.ANSWERED, answered_at__lte=F("answer_due_at"))),
        late=Count(
            "id",
            filter=Q(status=Question.Status.ANSWERED, answered_at__gt=F("answer_due_at"))
            | Q(status=Question.Status.OPEN, answer_due_at__lt=now),
        ),
    )
    return Responsiveness(asked=row["asked"], answered_in_time=row["on_time"], late=row["late"])
