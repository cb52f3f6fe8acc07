"""Disclosure (成果公开) of an achievement, for its API record through the
``achievement_discovery`` seam (listings does not import discovery): maturity, the valuation
band, the peer-review aggregate, completeness, the conversion modes on offer and, once
converted, the buyers' use reports."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from accounts.selectors import is_operator, member_organization_ids
from core.dbclock import db_now
from listings.models import Achievement, ConversionStatus, Listing, Rights
from marketplace.working_days import SHANGHAI

from ..models import UseReport
from .completeness import achievement_completeness
from .review import peer_review_aggregate
from .valuation import achievement_valuation


def _offer(achievement: Achievement) -> tuple[str, list[str]]:
    """The rights the band is for, and the conversion modes on offer."""
    listing = achievement.listings.filter(status=Listing.Status.PUBLISHED).first()
    if listing is not None:
        return listing.rights, [listing.rights]
    intended = achievement.intended_conversion_method or Rights.TRANSFER
    return intended, [
        achievement.intended_conversion_method
    ] if achievement.intended_conversion_method else []


def achievement_discovery(*, achievement: Achievement) -> dict[str, Any]:
    """What the achievement's API record adds (API.md, Discovery 1.1). The band is for its
    published listing's rights, else its intended conversion method, else a transfer."""
    rights, modes = _offer(achievement)
    review = peer_review_aggregate(achievement_id=achievement.pk)
    valuation = achievement_valuation(
        achievement_id=achievement.pk, field_code=achievement.field, rights=rights
    )
    completeness = achievement_completeness(achievement=achievement)
    converted = achievement.conversion_status == ConversionStatus.CONVERTED
    return {
        "maturity": achievement.maturity,
        "valuation": None
        if valuation.band is None
        else {**valuation.band, "rights": rights, "comparables": len(valuation.comparables)},
        "peer_review": review,
        "completeness": completeness.score,
        "completeness_missing": completeness.missing,
        "conversion_modes": modes,
        "use_reports": achievement_use_reports(achievement_id=achievement.pk) if converted else None,
    }


def achievement_use_reports(*, achievement_id: int) -> list[dict[str, Any]]:
    """The filed use reports of a converted achievement (public disclosure): year, application
    status and benefit."""
    return [
        {
            "year_no": r.year_no,
            "application_status": r.application_status,
            "benefit": r.benefit,
            "filed_at": r.filed_at,
        }
        for r in UseReport.objects.filter(
            achievement_id=achievement_id, status=UseReport.Status.FILED
        ).order_by("deal_id", "year_no")
    ]


def use_reports_visible_to(user: Any) -> QuerySet[UseReport]:
    """Reports a user may read in full: its organizations' (as buyer or holder); operators all."""
    qs = UseReport.objects.select_related("achievement__holder", "buyer", "deal")
    if is_operator(user):
        return qs
    orgs = member_organization_ids(user)
    return qs.filter(Q(buyer_id__in=orgs) | Q(achievement__holder_id__in=orgs))


def use_reports_late() -> QuerySet[UseReport]:
    """Reports still unfiled after their due day (the operators' console), oldest first."""
    today = db_now().astimezone(SHANGHAI).date()
    return (
        UseReport.objects.filter(status=UseReport.Status.DUE, due_on__lt=today)
        .select_related("achievement", "buyer")
        .order_by("due_on", "id")
    )
