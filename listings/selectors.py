"""Reads of achievements and listings: who sees what, the queues, the catalogue.

Usable from DRF views and from the pages alike; every function takes plain arguments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Case, F, Field, Func, IntegerField, Q, QuerySet, Value, When

from accounts.models import Membership, User
from accounts.selectors import ACTING_ROLES, is_operator, member_organization_ids, member_organizations_of
from core.compiled import OneByIdFor
from core.sync import sync_since

from . import search
from .models import Achievement, InternalApproval, Listing, ListingStatusChange

S = Listing.Status

# Who acts for a holder: admins and members prepare and submit; approvers only decide (安心屋),
# so nobody approves what they prepared themselves.
HOLDER_EDITOR_ROLES = ACTING_ROLES
HOLDER_APPROVER_ROLES = (Membership.Role.APPROVER,)
# Statuses in which a listing offers its achievement; at most one per achievement at a time.
ACTIVE_LISTING_STATUSES = (S.PENDING_INTERNAL_APPROVAL, S.PENDING_REVIEW, S.PUBLISHED)


def has_auction_relation() -> bool:
    """Whether the auctions app has put its ``Auction`` (one-to-one, ``related_name="auction"``)
    next to ``Listing``; listings never imports auctions, it only follows the reverse accessor."""
    try:
        Listing._meta.get_field("auction")  # type: ignore[misc]
    except FieldDoesNotExist:
        return False
    return True


def listing_auction_id(listing: Listing) -> int | None:
    auction = getattr(listing, "auction", None) if has_auction_relation() else None
    return auction.pk if auction is not None else None


def is_holder_member(user: Any, achievement: Achievement) -> bool:
    """Any member of the holder (whatever the role): sees its listings in full, reserve included."""
    return achievement.holder_id in member_organization_ids(user)


def can_edit_achievement(user: Any, achievement: Achievement) -> bool:
    """A member of the holder in an editing role (the service's own check, for showing the link)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(
        user=user, organization_id=achievement.holder_id, role__in=HOLDER_EDITOR_ROLES
    ).exists()


def can_see_listing_in_full(user: Any, listing: Listing) -> bool:
    """Holder members and operators see every field (the reserve price, the approval record)."""
    return is_operator(user) or is_holder_member(user, listing.achievement)


def _with_relations(qs: QuerySet[Listing], *, joined: bool = True) -> QuerySet[Listing]:
    """With the achievement, its holder and the auction: joined, or (not ``joined``) read by a
    query each after the page, for a page sorted from many rows (the join would be made for every
    one of them before the sort)."""
    related = ["achievement__holder"]
    if has_auction_relation():
        related.append("auction")
    return qs.select_related(*related) if joined else qs.prefetch_related(*related)


def _visible(holder_ids: Any) -> Q:
    """Published and closed listings for everyone (a sold or closed lot keeps its public page:
    results, live rooms and notifications link it) and every listing of ``holder_ids``."""
    return Q(status__in=(S.PUBLISHED, S.CLOSED)) | Q(achievement__holder_id__in=holder_ids)


def listings_visible_to(user: Any) -> QuerySet[Listing]:
    """What ``_visible`` shows a user: every listing of their organizations for holder members;
    all for operators. Anything else is "not found" to the caller."""
    qs = Listing.objects.all()
    if not is_operator(user):
        qs = qs.filter(_visible(member_organization_ids(user)))
    return _with_relations(qs)


def _visible_listing(pk: int, user_id: int | None) -> QuerySet[Listing]:
    qs = Listing.objects.filter(pk=pk).order_by()
    if user_id is not None:
        qs = qs.filter(_visible(member_organizations_of(user_id)))
    return _with_relations(qs)


# Most API calls on a listing start with this read; building and compiling the joined query anew
# (and reading the caller's organizations first) took about three quarters of its CPU.
_VISIBLE_LISTING = OneByIdFor(_visible_listing)


def listing_get_visible(*, user: Any, listing_id: int) -> Listing | None:
    """``listings_visible_to(user).filter(pk=listing_id)`` with its relations, in one statement
    compiled once per process, the caller's organizations read inside it."""
    return _VISIBLE_LISTING.get(listing_id, user=user, sees_all=is_operator(user))


def achievement_get(*, achievement_id: int) -> Achievement | None:
    """Achievements are public records (成果公开): anyone reads their public fields."""
    return (
        Achievement.objects.select_related("holder")
        .prefetch_related("ip", "inventors", "attachments")
        .filter(pk=achievement_id)
        .first()
    )


def achievements_of_organization(*, organization_id: int) -> QuerySet[Achievement]:
    return Achievement.objects.filter(holder_id=organization_id).order_by("-created_at", "-id")


def listings_of_organizations(*, user: User) -> QuerySet[Listing]:
    """Every listing of the caller's organizations, any status, newest first."""
    return _with_relations(
        Listing.objects.filter(achievement__holder_id__in=member_organization_ids(user)).order_by(
            "-created_at", "-id"
        )
    )


def listings_review_queue() -> QuerySet[Listing]:
    """The operators' queue: listings waiting for review, longest waiting first."""
    return _with_relations(
        Listing.objects.filter(status=S.PENDING_REVIEW).order_by("submitted_at", "id")
    ).prefetch_related("internal_approvals__approver")


def listings_internal_queue(*, user: User) -> QuerySet[Listing]:
    """Listings waiting for the caller's internal approval (安心屋), longest waiting first."""
    org_ids = Membership.objects.filter(user=user, role__in=HOLDER_APPROVER_ROLES).values("organization_id")
    return _with_relations(
        Listing.objects.filter(
            status=S.PENDING_INTERNAL_APPROVAL, achievement__holder_id__in=org_ids
        ).order_by("updated_at", "id")
    )


def listing_history(*, listing: Listing) -> dict[str, list[Any]]:
    """The moderation record: every status change (with reasons) and every internal decision
    (with the terms the approver saw)."""
    return {
        "status_changes": list(
            ListingStatusChange.objects.filter(listing=listing)
            .select_related("actor")
            .order_by("created_at", "id")
        ),
        "internal_approvals": list(
            InternalApproval.objects.filter(listing=listing)
            .select_related("approver")
            .order_by("created_at", "id")
        ),
    }


# The catalogue --------------------------------------------------------------------------------

ORDERINGS = ("relevance", "newest", "ending")


@dataclass(frozen=True)
class CatalogueFilters:
    mode: str | None = None
    field: str | None = None
    rights: str | None = None
    q: str | None = None
    updated_since: dt.datetime | None = None
    ordering: str | None = None  # relevance (with q), newest (default), ending


def catalogue_ordering(filters: CatalogueFilters) -> str:
    """``sync`` with ``updated_since`` (``(sync_xid, id)`` below the watermark, ``core.sync``, so
    clients resume exactly); otherwise
    the asked order, relevance by default for a search and newest for browsing."""
    if filters.updated_since is not None:
        return "sync"
    if filters.ordering in ORDERINGS and not (filters.ordering == "relevance" and not filters.q):
        return filters.ordering
    return "relevance" if filters.q else "newest"


# Each order as keyset columns: (name, descending). ``id`` breaks ties, so every order is total.
# Relevance is in tiers (``catalogue_tiers``): listings with every word in the title first, then
# the others, each tier newest first; the cursor carries the tier.
ORDER_KEYS: dict[str, tuple[tuple[str, bool], ...]] = {
    "sync": (("sync_xid", False), ("id", False)),  # paged by ``core.sync.sync_page``
    "newest": (("published_at", True), ("id", True)),
    "ending": (("closes_at", False), ("id", False)),
    "relevance": (("tier", True), ("published_at", True), ("id", True)),
}
TITLE_TIER, REST_TIER = 1, 0


# Where a published listing goes when it leaves the catalogue.
LEFT_CATALOGUE_STATUSES = (S.CLOSED, S.WITHDRAWN, S.TAKEN_DOWN)


def _catalogue_filtered(filters: CatalogueFilters) -> tuple[QuerySet[Listing], search.Match | None]:
    """The listings the filters allow, and the search (None without ``q``, or with a ``q`` that
    has no searchable word: then the queryset is empty). With ``q`` the field is matched as a
    lexeme of the vector (``search.filter_lexemes``), not through the achievement: one GIN probe
    intersects it with the words, and a walk checks it in the vector it reads anyway."""
    if filters.updated_since is None:
        qs = Listing.objects.filter(status=S.PUBLISHED)
    else:
        # A syncing client must also learn which listings LEFT the catalogue since (and remove
        # them): published ones, and once-published ones now closed, withdrawn or taken down.
        qs = Listing.objects.filter(
            Q(status=S.PUBLISHED) | Q(status__in=LEFT_CATALOGUE_STATUSES, published_at__isnull=False)
        )
    if filters.mode:
        qs = qs.filter(mode=filters.mode)
    if filters.rights:
        qs = qs.filter(rights=filters.rights)
    if filters.updated_since is not None:
        qs = qs.filter(sync_since(filters.updated_since, Listing))
    match = None
    if filters.q:
        match = search.search_match(filters.q, field=filters.field, mode=filters.mode, rights=filters.rights)
        if match is None:
            return qs.none(), None
    elif filters.field:
        qs = qs.filter(achievement__field=filters.field)
    # Never the search vector itself (about 1.4 kB a row, read only by the match): a page that
    # selected it sent it to Python for every row.
    return qs.defer("search_vector"), match


def _ordered(
    qs: QuerySet[Listing], keys: tuple[tuple[str, bool], ...], *, walk: bool = True
) -> QuerySet[Listing]:
    """``qs`` in the order of ``keys``. PostgreSQL's own null placement (last when ascending)
    keeps every order an index scan: only ``closes_at`` is nullable and it only sorts ascending,
    so the open-ended listings come last. Without ``walk`` (a search's page of probed ids) the
    first key is sorted as an expression no index serves: the ids are fetched and the few
    hundred sorted; walking the order's index for them read tens of thousands of listings."""
    order = [F(name).desc() if desc else F(name).asc() for name, desc in keys]
    if not walk:
        name, desc = keys[0]
        first = _Unindexed(F(name), output_field=cast(Field, Listing._meta.get_field(name)))
        order[0] = first.desc() if desc else first.asc()
    return _with_relations(qs.order_by(*order), joined=walk)


class _Unindexed(Func):
    """A timestamp column plus nothing: the same order, but no index's."""

    template = "(%(expressions)s + interval '0 s')"


def catalogue_list(*, filters: CatalogueFilters) -> QuerySet[Listing]:
    """Published listings matching the filters, ordered (see ``catalogue_ordering``), as one
    queryset. With ``updated_since`` (a sync) also the listings that were published and have left
    since, with their ``status`` (closed, withdrawn, taken_down), so the client removes them.

    ``q`` is segmented by jieba and matched against ``search_vector`` (every word must occur);
    relevance puts the listings with every word in the title first (``tier``), then newest first.
    Pages of the relevance order read tier by tier (``catalogue_tiers``), each an index's order."""
    qs, match = _catalogue_filtered(filters)
    order = catalogue_ordering(filters)
    if match is not None:
        # relevance pages read ``catalogue_tiers``; as one queryset it sorts every match anyway
        walk = True
        if order == "relevance":
            qs = qs.filter(match.condition())
            in_title = When(match.condition(title=True, walk=True), then=Value(TITLE_TIER))
            qs = qs.annotate(tier=Case(in_title, default=Value(REST_TIER), output_field=IntegerField()))
        else:
            condition, walk = match.where(sortable=order != "sync")
            qs = qs.filter(condition)
        return _ordered(qs, ORDER_KEYS[order], walk=walk)
    if order == "relevance":  # an empty search: nothing to rank
        qs = _in_tier(qs, REST_TIER)
    return _ordered(qs, ORDER_KEYS[order])


def _in_tier(qs: QuerySet[Listing], tier: int) -> QuerySet[Listing]:
    """``qs`` with its relevance tier, the first key of the relevance order and of its cursor."""
    return qs.annotate(tier=Value(tier, output_field=IntegerField()))


def catalogue_tiers(*, filters: CatalogueFilters) -> list[tuple[int, Callable[[], QuerySet[Listing]]]] | None:
    """The relevance order (None for any other) as its tiers, first first: each tier's listings
    newest first (made when a page reaches the tier), a walk down the publication index or the
    ids of a GIN index's matches (the title tier has its own index, ``search.TITLE_INDEX``),
    whichever reads fewer listings (``search.Match.where``)."""
    if catalogue_ordering(filters) != "relevance":
        return None
    qs, match = _catalogue_filtered(filters)
    if match is None:
        return []
    keys = ORDER_KEYS["relevance"][1:]

    def title() -> QuerySet[Listing]:
        condition, walk = match.where(title=True)
        found = _in_tier(qs.filter(condition), TITLE_TIER)
        return _ordered(found, keys, walk=walk)

    def others() -> QuerySet[Listing]:
        everywhere, in_title = match.share(), match.share(title=True)
        rest = None if everywhere is None else max(everywhere - (in_title or 0.0), 0.0)
        condition, walk = match.where(share=rest)
        found = qs.filter(condition).exclude(match.condition(title=True, walk=True))
        return _ordered(_in_tier(found, REST_TIER), keys, walk=walk)

    return [(TITLE_TIER, title), (REST_TIER, others)]


def catalogue_get(*, listing_id: int) -> Listing | None:
    return _with_relations(Listing.objects.filter(status=S.PUBLISHED, pk=listing_id)).first()
