"""Peer reviews: the individual ones are the holder's, the expert's own and operators'; the
public sees the aggregate once ``PEER_REVIEW_MIN_COUNT`` are in."""

from __future__ import annotations

import statistics
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from accounts.selectors import is_operator, member_organization_ids
from core.money import money_quantize

from ..models import PeerReview


def peer_reviews_visible_to(user: Any) -> QuerySet[PeerReview]:
    """Individual reviews: to operators, the achievement's holder's members and the expert."""
    qs = PeerReview.objects.select_related("achievement__holder", "expert")
    if is_operator(user):
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    return qs.filter(Q(expert=user) | Q(achievement__holder_id__in=member_organization_ids(user)))


def peer_review_aggregate(*, achievement_id: int) -> dict[str, Any] | None:
    """``{count, trl_median, value_low, value_high}`` over the submitted reviews (medians), once
    at least ``PEER_REVIEW_MIN_COUNT`` are in; else None."""
    rows = [
        (trl, low, high)
        for trl, low, high in PeerReview.objects.filter(
            achievement_id=achievement_id, status=PeerReview.Status.SUBMITTED
        ).values_list("trl", "value_low", "value_high")
        if trl is not None and low is not None and high is not None  # always, once submitted
    ]
    if len(rows) < settings.MARKET["PEER_REVIEW_MIN_COUNT"]:
        return None
    return {
        "count": len(rows),
        "trl_median": float(statistics.median(r[0] for r in rows)),
        "value_low": money_quantize(Decimal(statistics.median(r[1] for r in rows))),
        "value_high": money_quantize(Decimal(statistics.median(r[2] for r in rows))),
    }


def invitations_open() -> QuerySet[PeerReview]:
    """Invitations experts have not answered yet (the operators' page), oldest first."""
    return (
        PeerReview.objects.filter(status=PeerReview.Status.INVITED)
        .select_related("achievement__holder", "expert")
        .order_by("created_at", "id")
    )
