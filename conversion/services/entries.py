"""Entries of the use-first (先用后转) list: giving open entries their public listing, taking
achievements off the list, voluntary entries, and the answers to the listings app's seams (an
achievement converted; its grant date, hence its deadlines, changed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Membership, User
from accounts.selectors import membership_for_action
from core.errors import Conflict
from core.locks import row_lock
from listings.models import Achievement, ConversionStatus, Listing, Rights
from listings.services import listings_close_bulk, listings_publish_bulk

from .. import rules
from ..models import UseFirstEntry
from ..rules import market_today
from .sql import ENTRY_STAMP, rows

E = UseFirstEntry
HOLDER_ROLES = (Membership.Role.ADMIN,)


def listing_reason() -> str:
    return _("成果列入先用后转实施清单，平台依规则公开挂牌")


def entries_listings_open(*, entry_ids: Sequence[int] | None = None) -> tuple[int, int]:
    """Give every open entry without a listing (or only ``entry_ids``) its public use-first listing.

    An achievement already on offer gets no second listing (one active listing per achievement):
    a published use-first listing of it is linked to the entry; any other leaves ``listing`` null
    until it ends, and a later run opens one. The rest are published by ``listings_publish_bulk``
    (what ``listing_publish_by_platform`` writes, in bulk). Terms (documented in the API schema):
    mode ``negotiated``, rights ``use_first``, asking price the achievement's ``valuation`` (else
    面议), notice period ``MARKET["FISCAL_NOTICE_DAYS_MIN"]`` days, enough for fiscally funded ones.

    Returns (linked, opened). Set-based and safe against a concurrent run: the entries are locked
    ``FOR UPDATE`` and ``listing_id IS NULL`` is re-checked after a wait; a listing that would
    break the one-active-listing index is skipped by the bulk insert.
    """
    params: dict[str, Any] = {
        "ids": list(entry_ids) if entry_ids is not None else None,
        "rights": Rights.USE_FIRST.value,
        "published": Listing.Status.PUBLISHED.value,
    }
    todo = rows(
        """
        SELECT e.id, e.achievement_id FROM conversion_usefirstentry e
        WHERE e.closed_on IS NULL AND e.listing_id IS NULL
          AND (%(ids)s::bigint[] IS NULL OR e.id = ANY(%(ids)s::bigint[]))
        ORDER BY e.id FOR UPDATE OF e
        """,
        params,
    )
    if not todo:
        return 0, 0
    params["todo"] = [entry_id for entry_id, _a in todo]
    linked = rows(
        f"""
        WITH existing AS (
            SELECT DISTINCT ON (e.id) e.id AS entry_id, l.id AS listing_id
            FROM conversion_usefirstentry e JOIN listings_listing l ON l.achievement_id = e.achievement_id
            WHERE e.id = ANY(%(todo)s::bigint[]) AND l.rights = %(rights)s AND l.status = %(published)s
            ORDER BY e.id, l.id
        )
        UPDATE conversion_usefirstentry e SET listing_id = x.listing_id, updated_at = {ENTRY_STAMP}
        FROM existing x WHERE e.id = x.entry_id
        RETURNING e.id
        """,
        params,
    )
    done = {r[0] for r in linked}
    achievements = [a for entry_id, a in todo if entry_id not in done]
    made = listings_publish_bulk(
        achievement_ids=achievements,
        rights=Rights.USE_FIRST.value,
        notice_days=settings.MARKET["FISCAL_NOTICE_DAYS_MIN"],
        reason=listing_reason(),
    )
    if made:
        rows(
            f"""
            UPDATE conversion_usefirstentry e SET listing_id = l.id, updated_at = {ENTRY_STAMP}
            FROM (
                SELECT DISTINCT ON (achievement_id) id, achievement_id FROM listings_listing
                WHERE achievement_id = ANY(%(achievements)s::bigint[]) AND rights = %(rights)s
                  AND status = %(published)s AND created_by_id IS NULL
                ORDER BY achievement_id, id DESC
            ) l
            WHERE e.achievement_id = l.achievement_id AND e.closed_on IS NULL AND e.listing_id IS NULL
            """,
            {**params, "achievements": achievements},
        )
    return len(linked), made


def close_sql(where: str) -> str:
    """Close the open entries of achievements matching ``where`` (over ``a``, the achievement)."""
    return f"""
        UPDATE conversion_usefirstentry e
        SET closed_on = %(today)s, close_cause = %(cause)s, close_reason = %(reason)s, updated_at = {ENTRY_STAMP}
        FROM listings_achievement a
        WHERE e.achievement_id = a.id AND e.closed_on IS NULL AND ({where})
        RETURNING e.id, e.holder_id, e.listing_id
    """


def entries_listings_close(*, listing_ids: Iterable[int], reason: str) -> int:
    """Close the platform's use-first listings of entries that left the list."""
    return listings_close_bulk(listing_ids=listing_ids, rights=Rights.USE_FIRST.value, reason=reason)


def use_first_entries_close(
    *, achievement_ids: Iterable[int], cause: str, reason: str, today: dt.date | None = None
) -> int:
    """Take achievements off the list (the entries stay, closed, as history) and close their
    use-first listings. Called when an achievement converts or a justification is accepted."""
    ids = sorted(set(achievement_ids))
    if not ids:
        return 0
    closed = rows(
        close_sql("a.id = ANY(%(ids)s::bigint[])"),
        {"ids": ids, "today": today or market_today(), "cause": cause, "reason": reason},
    )
    entries_listings_close(listing_ids=[r[2] for r in closed if r[2]], reason=reason)
    return len(closed)


def achievement_converted(*, achievement: Achievement, reason: str) -> int:
    """The ``achievement_converted`` seam: a converted achievement leaves the list at once (the
    daily job would take it off the next day)."""
    return use_first_entries_close(
        achievement_ids=[achievement.pk], cause=E.CloseCause.CONVERTED, reason=reason
    )


def achievement_clock_set(*, achievement: Achievement) -> Achievement:
    """The ``achievement_granted`` seam: store the deadlines the earliest grant date starts
    (``conversion_deadline``, ``free_license_date``) on the achievement, where they are shown.
    The caller (listings' achievement services) holds the achievement's row."""
    achievement.conversion_deadline = rules.conversion_deadline(achievement.first_granted_on)
    achievement.free_license_date = rules.free_license_date(achievement.first_granted_on)
    achievement.save(update_fields=["conversion_deadline", "free_license_date"])
    return achievement


@transaction.atomic
def use_first_volunteer(*, achievement: Achievement, actor: User, reason: str = "") -> UseFirstEntry:
    """The holder puts an achievement on the list itself (鼓励基础研究类成果纳入清单), e.g. a basic
    achievement a company needs; the platform opens its use-first listing at once."""
    membership_for_action(
        user=actor, organization=achievement.holder_id, roles=(Membership.Role.ADMIN, Membership.Role.MEMBER)
    )
    locked = row_lock(Achievement.objects.all(), achievement.pk)
    if locked.conversion_status == ConversionStatus.CONVERTED:
        raise Conflict("already_converted", _("该成果已转化，无需列入先用后转清单。"))
    if UseFirstEntry.objects.filter(achievement=locked, closed_on__isnull=True).exists():
        raise Conflict("already_listed", _("该成果已在先用后转清单中。"))
    entry = UseFirstEntry.objects.create(
        achievement=locked,
        holder_id=locked.holder_id,
        origin=E.Origin.VOLUNTARY,
        listed_on=market_today(),
        reason=reason.strip() or _("成果持有单位主动纳入先用后转实施清单"),
    )
    entries_listings_open(entry_ids=[entry.pk])
    entry.refresh_from_db()
    return entry
