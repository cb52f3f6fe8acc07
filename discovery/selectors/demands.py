"""Who sees which demand and response, and the public catalogue of demands."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from accounts.selectors import is_operator, member_organization_ids
from core.sync import sync_since
from listings import search

from ..models import Demand, DemandResponse

D = Demand.Status
# A demand once published and since closed still reaches syncing clients, so they remove it.
LEFT_CATALOGUE = (D.CLOSED,)


def demand_catalogue(
    *, field: str | None = None, q: str | None = None, updated_since: dt.datetime | None = None
) -> QuerySet[Demand]:
    """Published demands (with ``updated_since`` also the ones closed since), filtered. ``q`` is
    segmented as the catalogue's (every word must occur)."""
    if updated_since is None:
        qs = Demand.objects.filter(status=D.PUBLISHED)
    else:
        qs = Demand.objects.filter(
            Q(status=D.PUBLISHED) | Q(status__in=LEFT_CATALOGUE, published_at__isnull=False)
        ).filter(sync_since(updated_since, Demand))
    if field:
        qs = qs.filter(field=field)
    if q:
        query = search.search_query(q)
        if query is None:
            return qs.none()
        qs = qs.filter(search_vector=query)
    return qs.select_related("organization")


def demands_visible_to(user: Any) -> QuerySet[Demand]:
    """Published demands for everyone; every demand of the caller's organizations; all for operators."""
    qs = Demand.objects.select_related("organization")
    if is_operator(user):
        return qs
    return qs.filter(Q(status=D.PUBLISHED) | Q(organization_id__in=member_organization_ids(user)))


def can_see_demand_owner(user: Any, demand: Demand) -> bool:
    """The company's name: public when it chose so; always for its members and operators."""
    return demand.public_name or is_operator(user) or demand.organization_id in member_organization_ids(user)


def is_demand_company(user: Any, demand: Demand) -> bool:
    return demand.organization_id in member_organization_ids(user)


def demand_queue() -> QuerySet[Demand]:
    """The operators' queue: demands waiting for review, longest waiting first."""
    return (
        Demand.objects.filter(status=D.PENDING_REVIEW)
        .select_related("organization")
        .order_by("submitted_at", "id")
    )


def responses_visible_to(user: Any) -> QuerySet[DemandResponse]:
    """Responses the caller may read: to its organizations' demands, or made by its organizations;
    operators all."""
    qs = DemandResponse.objects.select_related(
        "demand__organization", "achievement", "listing", "organization"
    )
    if is_operator(user):
        return qs
    orgs = member_organization_ids(user)
    return qs.filter(Q(demand__organization_id__in=orgs) | Q(organization_id__in=orgs))
