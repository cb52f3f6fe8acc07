"""The use-first (先用后转) list: the daily job, closing entries, justifications, self-implementation
declarations, voluntary entries and the registration duty.

The job is set-based SQL: each step is one statement over every row it concerns (``INSERT ...
SELECT ... ON CONFLICT DO NOTHING`` against the partial unique index ``use_first_one_open_entry``,
``UPDATE ... FROM``), never a Python loop over achievements. Two runs at once are serialized by a
transaction-scoped advisory lock; even without it the unique index and the re-checked ``WHERE``
clauses of the updates (``closed_on IS NULL``, ``NOT free_license_eligible``, ``listing_id IS NULL``
under ``FOR UPDATE``) make a second run find nothing left to do.

Listings opened and closed here are written by ``use_first_listings_open`` /
``use_first_listings_close``, the bulk forms of the listing services: they write the same rows
the single-listing services write (the listing with its terms, ``status = published`` and
``published_at``, and one ``ListingStatusChange`` per move, with the platform as actor, i.e. null).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, User
from accounts.selectors import is_operator, membership_for_action
from accounts.services import notify, notify_organizations
from core.effects import enqueue
from core.errors import Conflict, Forbidden, InvalidInput
from core.sync import SYNC_STAMP_SQL

from .. import search
from ..models import (
    Achievement,
    AchievementRegistration,
    ConversionMethod,
    ConversionStatus,
    Justification,
    Listing,
    Rights,
    SelfImplementation,
    UseFirstEntry,
)
from ..selectors import ACTIVE_LISTING_STATUSES
from .achievements import achievement_set_conversion
from .conversion import (
    OBLIGED_ACHIEVEMENT_KIND,
    OBLIGED_HOLDER_KINDS,
    free_license_granted_through,
    market_today,
    overdue_granted_through,
)

log = logging.getLogger("market.use_first")

JOB_LOCK = "listings.use_first_run"
ANALYZE_AFTER = 10_000  # rows listed in one run
REGISTRATION_LOCK = "listings.registration_overdue_run"
HOLDER_ROLES = (Membership.Role.ADMIN,)

E = UseFirstEntry


@dataclass
class UseFirstRunSummary:
    today: dt.date
    closed_converted: int = 0
    closed_justified: int = 0
    listings_closed: int = 0
    listed: int = 0
    listings_opened: int = 0
    listings_linked: int = 0
    free_license_marked: int = 0
    holders_notified: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["today"] = self.today.isoformat()
        return d


def _advisory_lock(name: str) -> None:
    """Serialize runs of one job across processes until the transaction ends."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])


def _execute(sql: str, params: dict[str, Any]) -> int:
    """Run a statement; the number of rows it wrote (or selected into a table)."""
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


def _rows(sql: str, params: dict[str, Any]) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall()) if cur.description else []


# The tables' triggers stamp every row these statements write (core.sync, no lock); the
# explicit value is the same stamp, so the statements read as before.
_LISTING_STAMP = SYNC_STAMP_SQL
_ENTRY_STAMP = SYNC_STAMP_SQL


_LISTING_INSERT = """
    INSERT INTO listings_listing (
        achievement_id, mode, rights, status, asking_price, notice_days,
        created_by_id, published_at, created_at, updated_at, search_vector
    )
    SELECT {achievement}, %(mode)s, %(rights)s, %(published)s, NULLIF({valuation}, 0), %(notice_days)s,
           NULL, clock_timestamp(), clock_timestamp(), LISTING_STAMP,
           (SELECT p.search_vector FROM listings_listing p
            WHERE p.achievement_id = {achievement} AND p.search_vector IS NOT NULL
            ORDER BY p.id DESC LIMIT 1)
    FROM {source}
    WHERE NOT EXISTS (
        SELECT 1 FROM listings_listing l
        WHERE l.achievement_id = {achievement} AND l.status = ANY(%(active)s::varchar[])
    )
    ORDER BY {achievement}
    ON CONFLICT DO NOTHING
    RETURNING id, achievement_id
""".replace("LISTING_STAMP", _LISTING_STAMP)

_LISTING_MOVES = """
    INSERT INTO listings_listingstatuschange (listing_id, from_status, to_status, actor_id, reason, created_at)
    SELECT id, '', %(draft)s, NULL::bigint, %(listing_reason)s, clock_timestamp() FROM made
    UNION ALL
    SELECT id, %(draft)s, %(published)s, NULL::bigint, %(listing_reason)s, clock_timestamp() FROM made
"""


def _listing_params() -> dict[str, Any]:
    return {
        "rights": Rights.USE_FIRST.value,
        "draft": Listing.Status.DRAFT.value,
        "published": Listing.Status.PUBLISHED.value,
        "active": list(ACTIVE_LISTING_STATUSES),
        "mode": Listing.Mode.NEGOTIATED.value,
        "notice_days": settings.MARKET["FISCAL_NOTICE_DAYS_MIN"],
        "listing_reason": _("成果列入先用后转实施清单，平台依规则公开挂牌"),
    }


def use_first_listings_open(
    *, entry_ids: Sequence[int] | None = None, sync_locked: bool = False
) -> tuple[int, int]:
    """Give every open entry without a listing (or only ``entry_ids``) its public use-first listing:
    the bulk form of ``listing_publish_by_platform``, which the daily job's main statement also uses
    (``_LISTING_INSERT``, ``_LISTING_MOVES``).

    It writes what that service writes for each: the listing (``created_by`` null: the platform),
    a status-change row '' -> draft and one draft -> published, both with the reason, and
    ``published_at``. Terms (documented in the API schema): mode ``negotiated``, rights
    ``use_first``; the asking price is the holder's own figure for the achievement (its
    ``valuation``), else none (面议); the notice period is the platform's,
    ``MARKET["FISCAL_NOTICE_DAYS_MIN"]`` days, enough for fiscally funded achievements too.

    An achievement already on offer (one active listing per achievement, ``listing_one_active_per
    _achievement``) gets no second listing: a published use-first listing of the holder's is linked
    to the entry; any other leaves ``listing`` null until it ends, and a later run opens one. The
    search vector is copied from the achievement's previous listing when there is one; the rest are
    indexed by a task after commit (jieba in Python is too slow for the job's transaction).

    Returns (linked, opened). Set-based; safe against a concurrent run (``FOR UPDATE`` on the
    entries re-checks ``listing_id IS NULL`` after a wait; a listing that would break the
    one-active-listing index is skipped by ``ON CONFLICT DO NOTHING``).
    """
    params = {**_listing_params(), "ids": list(entry_ids) if entry_ids is not None else None}
    todo = """
        SELECT e.id, e.achievement_id FROM listings_usefirstentry e
        WHERE e.closed_on IS NULL AND e.listing_id IS NULL
          AND (%(ids)s::bigint[] IS NULL OR e.id = ANY(%(ids)s::bigint[]))
        ORDER BY e.id FOR UPDATE OF e
    """
    linked = _rows(
        f"""
        WITH todo AS ({todo}),
        existing AS (
            SELECT DISTINCT ON (t.id) t.id AS entry_id, l.id AS listing_id
            FROM todo t JOIN listings_listing l ON l.achievement_id = t.achievement_id
            WHERE l.rights = %(rights)s AND l.status = %(published)s
            ORDER BY t.id, l.id
        )
        UPDATE listings_usefirstentry e SET listing_id = x.listing_id, updated_at = {_ENTRY_STAMP}
        FROM existing x WHERE e.id = x.entry_id
        RETURNING e.id
        """,
        params,
    )
    opened = _rows(
        f"""
        WITH todo AS ({todo}),
        made AS ({
            _LISTING_INSERT.format(
                source="todo t JOIN listings_achievement a ON a.id = t.achievement_id",
                achievement="a.id",
                valuation="a.valuation",
            )
        }),
        moved AS ({_LISTING_MOVES})
        UPDATE listings_usefirstentry e SET listing_id = m.id, updated_at = {_ENTRY_STAMP}
        FROM made m WHERE e.achievement_id = m.achievement_id AND e.closed_on IS NULL
        RETURNING e.id
        """,
        params,
    )
    if opened:
        _index_later()
    return len(linked), len(opened)


def _index_later() -> None:
    from ..tasks import use_first_listings_index_task

    enqueue(use_first_listings_index_task)


def use_first_listings_index(*, batch: int = 500) -> int:
    """Fill the jieba search vector of the use-first listings the job opened without one (what
    ``listing_publish_by_platform`` does inline). Idempotent: only rows still without a vector."""
    count = 0
    while True:
        listings = list(
            Listing.objects.filter(rights=Rights.USE_FIRST, search_vector__isnull=True)
            .select_related("achievement__holder")
            .order_by("pk")[:batch]
        )
        if not listings:
            return count
        for listing in listings:
            a = listing.achievement
            Listing.objects.filter(pk=listing.pk).update(
                search_vector=search.search_vector(title=a.title, summary=a.summary, holder=a.holder.name)
            )
        count += len(listings)


def use_first_listings_close(*, listing_ids: Iterable[int], reason: str, sync_locked: bool = False) -> int:
    """Close the platform's published use-first listings of entries that left the list: the bulk
    form of a listing's move published -> closed, with its status-change row."""
    ids = sorted(set(listing_ids))
    if not ids:
        return 0
    rows = _rows(
        f"""
        WITH moved AS (
            UPDATE listings_listing SET status = %(closed)s, updated_at = {_LISTING_STAMP}
            WHERE id = ANY(%(ids)s::bigint[]) AND status = %(published)s AND rights = %(rights)s
            RETURNING id
        )
        INSERT INTO listings_listingstatuschange (listing_id, from_status, to_status, actor_id, reason, created_at)
        SELECT id, %(published)s, %(closed)s, NULL, %(reason)s, clock_timestamp() FROM moved
        RETURNING listing_id
        """,
        {
            "ids": ids,
            "closed": Listing.Status.CLOSED.value,
            "published": Listing.Status.PUBLISHED.value,
            "rights": Rights.USE_FIRST.value,
            "reason": reason,
        },
    )
    return len(rows)


# --- closing entries -------------------------------------------------------------------------------


def _close_sql(where: str) -> str:
    return f"""
        UPDATE listings_usefirstentry e
        SET closed_on = %(today)s, close_cause = %(cause)s, close_reason = %(reason)s, updated_at = {_ENTRY_STAMP}
        FROM listings_achievement a
        WHERE e.achievement_id = a.id AND e.closed_on IS NULL AND ({where})
        RETURNING e.id, e.holder_id, e.listing_id
    """


def use_first_entries_close(
    *, achievement_ids: Iterable[int], cause: str, reason: str, today: dt.date | None = None
) -> int:
    """Take achievements off the list (the entries stay, closed, as history) and close their
    use-first listings. Called when an achievement converts or a justification is accepted."""
    ids = sorted(set(achievement_ids))
    if not ids:
        return 0
    rows = _rows(
        _close_sql("a.id = ANY(%(ids)s::bigint[])"),
        {
            "ids": ids,
            "today": today or market_today(),
            "cause": cause,
            "reason": reason,
        },
    )
    use_first_listings_close(listing_ids=[r[2] for r in rows if r[2]], reason=reason, sync_locked=True)
    return len(rows)


# --- the daily job ---------------------------------------------------------------------------------

_NOT_JUSTIFIED = """
    NOT EXISTS (
        SELECT 1 FROM listings_justification j
        WHERE j.achievement_id = a.id AND j.status = %(accepted)s AND j.valid_until >= %(today)s
    )
"""


@transaction.atomic
def use_first_run(*, today: dt.date | None = None) -> UseFirstRunSummary:
    """The daily use-first job. Idempotent; two runs at once leave the state one run leaves.

    1. Close open entries whose achievement converted, or that an accepted justification covers.
    2. List every obliged achievement (applied, held by an obliged holder) past its conversion
       deadline, not converted and without an accepted justification valid today: one entry each.
    3. Open the public use-first listing of each open entry that has none.
    4. Mark open overdue entries free-license eligible from the free-license date.
    5. Tell each holder's admins, one message per holder and kind, in bulk.
    """
    started = time.monotonic()
    today = today or market_today()
    summary = UseFirstRunSummary(today=today)
    # The job's own lock only (two runs never overlap); its writes take no market-wide lock (core.sync).
    _rows("SELECT pg_advisory_xact_lock(hashtext(%(job)s))", {"job": JOB_LOCK})
    overdue_through = overdue_granted_through(today)
    free_through = free_license_granted_through(today)
    log.info(
        "use_first_run start",
        extra={
            "today": str(today),
            "overdue_through": str(overdue_through),
            "free_through": str(free_through),
        },
    )
    base = {"today": today, "accepted": Justification.Status.ACCEPTED.value}

    def step(name: str, t0: float, n: int) -> None:
        log.info("use_first_run %s: %d in %.2fs", name, n, time.monotonic() - t0)

    t0 = time.monotonic()
    converted = _rows(
        _close_sql("a.conversion_status = %(converted)s"),
        {
            **base,
            "converted": ConversionStatus.CONVERTED.value,
            "cause": E.CloseCause.CONVERTED.value,
            "reason": _("成果已转化"),
        },
    )
    summary.closed_converted = len(converted)
    step("closed (converted)", t0, len(converted))

    t0 = time.monotonic()
    justified = _rows(
        f"""
        UPDATE listings_usefirstentry e
        SET closed_on = %(today)s, close_cause = %(cause)s, close_reason = %(reason)s,
            updated_at = {_ENTRY_STAMP}
        FROM (
            SELECT DISTINCT achievement_id FROM listings_justification
            WHERE status = %(accepted)s AND valid_until >= %(today)s
        ) j
        WHERE e.achievement_id = j.achievement_id AND e.closed_on IS NULL
        RETURNING e.id, e.holder_id, e.listing_id
        """,
        {
            **base,
            "cause": E.CloseCause.JUSTIFIED.value,
            "reason": _("正当理由已获平台认可"),
        },
    )
    summary.closed_justified = len(justified)
    step("closed (justified)", t0, len(justified))

    t0 = time.monotonic()
    summary.listings_closed = use_first_listings_close(
        listing_ids=[r[2] for r in converted if r[2]],
        reason=_("成果已转化，移出先用后转清单"),
        sync_locked=True,
    ) + use_first_listings_close(
        listing_ids=[r[2] for r in justified if r[2]],
        reason=_("正当理由已获认可，移出先用后转清单"),
        sync_locked=True,
    )
    step("listings closed", t0, summary.listings_closed)

    t0 = time.monotonic()
    # The candidates go to a temporary table first, with statistics, so that joining the
    # listings just made back to them is planned as the hash join it is (a join between two
    # data-modifying CTEs is estimated at a handful of rows and planned as a nested loop).
    params = {
        **base,
        **_listing_params(),
        "origin": E.Origin.OVERDUE.value,
        "entry_reason": _("取得知识产权之日（%s）起满2年，无正当理由未实施转化"),
        "free_through": free_through,
        "overdue_through": overdue_through,
        "applied": OBLIGED_ACHIEVEMENT_KIND,
        "kinds": list(OBLIGED_HOLDER_KINDS),
        "converted": ConversionStatus.CONVERTED.value,
    }
    candidates = _execute(
        f"""
        CREATE TEMPORARY TABLE use_first_candidate ON COMMIT DROP AS
        SELECT a.id, a.holder_id, a.first_granted_on, a.valuation,
               offer.achievement_id IS NOT NULL AS on_offer, prev.search_vector
        FROM listings_achievement a
        JOIN accounts_organization o ON o.id = a.holder_id
        LEFT JOIN (
            SELECT DISTINCT achievement_id FROM listings_listing WHERE status = ANY(%(active)s::varchar[])
        ) offer ON offer.achievement_id = a.id
        LEFT JOIN (
            SELECT DISTINCT ON (achievement_id) achievement_id, search_vector FROM listings_listing
            WHERE search_vector IS NOT NULL ORDER BY achievement_id, id DESC
        ) prev ON prev.achievement_id = a.id
        WHERE a.kind = %(applied)s
          AND o.kind = ANY(%(kinds)s)
          AND a.first_granted_on <= %(overdue_through)s
          AND a.conversion_status <> %(converted)s
          AND {_NOT_JUSTIFIED}
          AND NOT EXISTS (
              SELECT 1 FROM listings_usefirstentry o2
              WHERE o2.achievement_id = a.id AND o2.closed_on IS NULL
          )
        """,
        params,
    )
    _rows("ANALYZE use_first_candidate", {})
    step("candidates found", t0, candidates)
    t1 = time.monotonic()
    _rows("CREATE TEMPORARY TABLE use_first_made (id bigint, achievement_id bigint) ON COMMIT DROP", {})
    # The listings, as listing_publish_by_platform writes them, with their two status-change rows.
    # An achievement already on offer gets no second one (one active listing per achievement).
    published = _execute(
        f"""
        WITH made AS (
            INSERT INTO listings_listing (
                achievement_id, mode, rights, status, asking_price, notice_days,
                created_by_id, published_at, created_at, updated_at, search_vector
            )
            SELECT c.id, %(mode)s, %(rights)s, %(published)s, NULLIF(c.valuation, 0), %(notice_days)s,
                   NULL, clock_timestamp(), clock_timestamp(), {_LISTING_STAMP}, c.search_vector
            FROM use_first_candidate c
            WHERE NOT c.on_offer
            ORDER BY c.id
            ON CONFLICT DO NOTHING
            RETURNING id, achievement_id
        ),
        moved AS ({_LISTING_MOVES})
        INSERT INTO use_first_made SELECT id, achievement_id FROM made
        """,
        params,
    )
    _rows("ANALYZE use_first_made", {})
    step("listings published", t1, published)
    listed = _rows(
        f"""
        WITH ins AS (
            INSERT INTO listings_usefirstentry (
                achievement_id, holder_id, origin, listed_on, reason, free_license_eligible,
                free_license_eligible_on, listing_id, closed_on, close_cause, close_reason,
                created_at, updated_at
            )
            SELECT c.id, c.holder_id, %(origin)s, %(today)s,
                   format(%(entry_reason)s, to_char(c.first_granted_on, 'YYYY-MM-DD')),
                   c.first_granted_on <= %(free_through)s,
                   CASE WHEN c.first_granted_on <= %(free_through)s THEN %(today)s::date END,
                   m.id, NULL, '', '', clock_timestamp(), {_ENTRY_STAMP}
            FROM use_first_candidate c LEFT JOIN use_first_made m ON m.achievement_id = c.id
            ORDER BY c.id
            ON CONFLICT (achievement_id) WHERE closed_on IS NULL DO NOTHING
            RETURNING holder_id, free_license_eligible, listing_id
        )
        SELECT holder_id, count(*), count(*) FILTER (WHERE free_license_eligible), count(listing_id)
        FROM ins GROUP BY holder_id
        """,
        params,
    )
    _rows("DROP TABLE use_first_candidate, use_first_made", {})
    summary.listed = sum(r[1] for r in listed)
    summary.listings_opened = sum(r[3] for r in listed)
    step("listed", t0, summary.listed)

    t0 = time.monotonic()
    linked, opened = use_first_listings_open(sync_locked=True)
    summary.listings_linked = linked
    summary.listings_opened += opened
    step("listings opened for entries without one", t0, opened)
    if summary.listings_opened > opened:
        _index_later()

    t0 = time.monotonic()
    marked = _rows(
        f"""
        UPDATE listings_usefirstentry e
        SET free_license_eligible = true, free_license_eligible_on = %(today)s, updated_at = {_ENTRY_STAMP}
        FROM listings_achievement a
        WHERE e.achievement_id = a.id AND e.closed_on IS NULL AND NOT e.free_license_eligible
          AND e.origin = %(origin)s AND a.first_granted_on <= %(free_through)s
        RETURNING e.holder_id
        """,
        {**base, "origin": E.Origin.OVERDUE.value, "free_through": free_through},
    )
    summary.free_license_marked = len(marked)
    step("free-license eligible", t0, len(marked))

    t0 = time.monotonic()
    summary.holders_notified = _notify_holders(listed=listed, marked=marked)
    step("holders notified", t0, summary.holders_notified)

    if summary.listed >= ANALYZE_AFTER:
        # A big first run changes these tables' sizes by orders of magnitude; fresh statistics keep
        # the next run's anti-joins on hash plans instead of loops planned for an empty table.
        t0 = time.monotonic()
        _rows("ANALYZE listings_usefirstentry", {})
        _rows("ANALYZE listings_listing", {})
        step("statistics refreshed", t0, 2)

    summary.seconds = round(time.monotonic() - started, 3)
    log.info("use_first_run done %s", summary.as_dict(), extra={"summary": summary.as_dict()})
    return summary


def _notify_holders(*, listed: list[tuple], marked: list[tuple]) -> int:
    """``listed``: (holder, entries, of which eligible, ...) per holder; ``marked``: (holder,) per entry."""
    new_by_holder = Counter({r[0]: r[1] for r in listed})
    free_by_holder = Counter({r[0]: r[2] for r in listed if r[2]}) + Counter(r[0] for r in marked)
    notify_organizations(
        messages={
            holder: (
                _("%(n)d 项成果列入先用后转实施清单") % {"n": n},
                _(
                    "贵单位 %(n)d 项应用技术类科技成果取得知识产权满2年且无正当理由未转化，"
                    "已列入先用后转实施清单，平台已公开挂牌。如有正当理由，请在平台提交。"
                )
                % {"n": n},
            )
            for holder, n in new_by_holder.items()
        },
        roles=HOLDER_ROLES,
        kind="use_first_listed",
        link=reverse("listings:use_first"),
    )
    notify_organizations(
        messages={
            holder: (
                _("%(n)d 项成果可许可企业无偿实施") % {"n": n},
                _(
                    "贵单位 %(n)d 项成果取得知识产权满3年且无正当理由未转化，"
                    "平台可许可有条件的企业无偿实施，成果持有单位和完成人应当积极配合。"
                )
                % {"n": n},
            )
            for holder, n in free_by_holder.items()
        },
        roles=HOLDER_ROLES,
        kind="use_first_free_license",
        link=reverse("listings:use_first"),
    )
    return len(set(new_by_holder) | set(free_by_holder))


# --- voluntary entries -----------------------------------------------------------------------------


def _holder_membership(*, actor: User, achievement: Achievement) -> Membership:
    return membership_for_action(
        user=actor,
        organization=achievement.holder_id,
        roles=(Membership.Role.ADMIN, Membership.Role.MEMBER),
    )


@transaction.atomic
def use_first_volunteer(*, achievement: Achievement, actor: User, reason: str = "") -> UseFirstEntry:
    """The holder puts an achievement on the list itself (鼓励基础研究类成果纳入清单), e.g. a basic
    achievement a company needs; the platform opens its use-first listing at once."""
    _holder_membership(actor=actor, achievement=achievement)
    locked = Achievement.objects.select_for_update(of=("self",)).get(pk=achievement.pk)
    if locked.conversion_status == ConversionStatus.CONVERTED:
        raise Conflict("already_converted", _("该成果已转化，无需列入先用后转清单。"))
    if UseFirstEntry.objects.filter(achievement=locked, closed_on__isnull=True).exists():
        raise Conflict("already_listed", _("该成果已在先用后转清单中。"))
    today = market_today()
    entry = UseFirstEntry.objects.create(
        achievement=locked,
        holder_id=locked.holder_id,
        origin=E.Origin.VOLUNTARY,
        listed_on=today,
        reason=reason.strip() or _("成果持有单位主动纳入先用后转实施清单"),
    )
    use_first_listings_open(entry_ids=[entry.pk])
    entry.refresh_from_db()
    return entry


# --- justifications --------------------------------------------------------------------------------


def _clean_attachments(attachments: Any) -> list[dict[str, str]]:
    if attachments in (None, ""):
        return []
    if not isinstance(attachments, list) or not all(
        isinstance(a, dict) and str(a.get("name", "")).strip() and str(a.get("url", "")).strip()
        for a in attachments
    ):
        raise InvalidInput(
            "invalid_attachments",
            _("附件应为列表，每项包含 name 与 url。"),
            fields={"attachments": [_("每个附件须有名称与链接。")]},
        )
    return [{"name": str(a["name"]).strip(), "url": str(a["url"]).strip()} for a in attachments]


def _require_reason(reason: str, field: str = "reason") -> str:
    if not reason.strip():
        raise InvalidInput("reason_required", _("请填写理由。"), fields={field: [_("请填写理由。")]})
    return reason.strip()


@transaction.atomic
def justification_file(
    *,
    achievement: Achievement,
    actor: User,
    reason: str,
    valid_until: dt.date,
    attachments: list[dict[str, str]] | None = None,
) -> Justification:
    """The holder files a reason for not converting, with references to its documents, asking that
    the duty be suspended through ``valid_until``; an operator decides. Filing stops nothing."""
    _holder_membership(actor=actor, achievement=achievement)
    reason = _require_reason(reason)
    if valid_until <= market_today():
        raise InvalidInput(
            "valid_until_past",
            _("有效期应晚于今天。"),
            fields={"valid_until": [_("有效期应晚于今天。")]},
        )
    if achievement.conversion_status == ConversionStatus.CONVERTED:
        raise Conflict("already_converted", _("该成果已转化，无需提交正当理由。"))
    if Justification.objects.filter(achievement=achievement, status=Justification.Status.PENDING).exists():
        raise Conflict("justification_pending", _("该成果已有待审核的正当理由。"))
    justification = Justification.objects.create(
        achievement=achievement,
        reason=reason,
        attachments=_clean_attachments(attachments),
        valid_until=valid_until,
        filed_by=actor,
    )
    notify(
        operators=True,
        kind="justification_filed",
        title=_("待审核的正当理由：%(title)s") % {"title": achievement.title},
        body=reason,
        link=reverse("listings:use_first"),
    )
    return justification


@transaction.atomic
def justification_decide(
    *, justification: Justification, actor: User, decision: str, reason: str
) -> Justification:
    """An operator accepts or rejects a justification, with the reason on record. Accepted, it takes
    the achievement off the list at once (the entry is closed, its listing closed) and keeps it off
    through ``valid_until``; the day after, the clock runs again and the job lists it anew."""
    if not is_operator(actor):
        raise Forbidden("operator_only", _("只有平台运营人员可以审核正当理由。"))
    if decision not in ("accept", "reject"):
        raise InvalidInput(
            "invalid_decision", _("审核结论应为 accept 或 reject。"), fields={"decision": [_("无效的选项。")]}
        )
    reason = _require_reason(reason)
    locked = (
        Justification.objects.select_for_update(of=("self",))
        .select_related("achievement")
        .get(pk=justification.pk)
    )
    if locked.status != Justification.Status.PENDING:
        raise Conflict("already_decided", _("该正当理由已审核。"))
    locked.status = Justification.Status.ACCEPTED if decision == "accept" else Justification.Status.REJECTED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_reason = reason
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"])
    today = market_today()
    if locked.status == Justification.Status.ACCEPTED and locked.valid_until >= today:
        use_first_entries_close(
            achievement_ids=[locked.achievement_id],
            cause=E.CloseCause.JUSTIFIED,
            reason=_("正当理由已获平台认可（有效期至 %(date)s）：%(reason)s")
            % {"date": locked.valid_until.isoformat(), "reason": reason},
            today=today,
        )
    accepted = locked.status == Justification.Status.ACCEPTED
    notify(
        organization=locked.achievement.holder,
        roles=HOLDER_ROLES,
        users=[locked.filed_by],
        kind="justification_decided",
        title=(_("正当理由已获认可：%(title)s") if accepted else _("正当理由未获认可：%(title)s"))
        % {"title": locked.achievement.title},
        body=reason,
        link=reverse("listings:use_first"),
    )
    return locked


# --- self-implementation ---------------------------------------------------------------------------


@transaction.atomic
def self_implementation_declare(
    *,
    achievement: Achievement,
    actor: User,
    description: str,
    started_on: dt.date,
    attachments: list[dict[str, str]] | None = None,
) -> SelfImplementation:
    """The holder declares it implements the achievement itself; converted once an operator accepts."""
    _holder_membership(actor=actor, achievement=achievement)
    description = _require_reason(description, "description")
    if started_on > market_today():
        raise InvalidInput(
            "started_on_future", _("实施开始日期不能晚于今天。"), fields={"started_on": [_("不能晚于今天。")]}
        )
    if achievement.conversion_status == ConversionStatus.CONVERTED:
        raise Conflict("already_converted", _("该成果已转化。"))
    if SelfImplementation.objects.filter(
        achievement=achievement, status=SelfImplementation.Status.PENDING
    ).exists():
        raise Conflict("declaration_pending", _("该成果已有待审核的自行实施声明。"))
    declaration = SelfImplementation.objects.create(
        achievement=achievement,
        description=description,
        started_on=started_on,
        attachments=_clean_attachments(attachments),
        declared_by=actor,
    )
    notify(
        operators=True,
        kind="self_implementation_declared",
        title=_("待审核的自行实施声明：%(title)s") % {"title": achievement.title},
        body=description,
    )
    return declaration


@transaction.atomic
def self_implementation_decide(
    *, declaration: SelfImplementation, actor: User, decision: str, reason: str
) -> SelfImplementation:
    """An operator accepts (the achievement becomes converted and leaves the list) or rejects."""
    if not is_operator(actor):
        raise Forbidden("operator_only", _("只有平台运营人员可以审核自行实施声明。"))
    if decision not in ("accept", "reject"):
        raise InvalidInput(
            "invalid_decision", _("审核结论应为 accept 或 reject。"), fields={"decision": [_("无效的选项。")]}
        )
    reason = _require_reason(reason)
    locked = (
        SelfImplementation.objects.select_for_update(of=("self",))
        .select_related("achievement")
        .get(pk=declaration.pk)
    )
    if locked.status != SelfImplementation.Status.PENDING:
        raise Conflict("already_decided", _("该声明已审核。"))
    locked.status = (
        SelfImplementation.Status.ACCEPTED if decision == "accept" else SelfImplementation.Status.REJECTED
    )
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_reason = reason
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"])
    if locked.status == SelfImplementation.Status.ACCEPTED:
        achievement_set_conversion(
            achievement=locked.achievement,
            status=ConversionStatus.CONVERTED,
            method=ConversionMethod.SELF_IMPLEMENTATION,
            actor=actor,
            reason=_("自行实施声明获平台认可：%(reason)s") % {"reason": reason},
        )
    notify(
        organization=locked.achievement.holder,
        roles=HOLDER_ROLES,
        users=[locked.declared_by],
        kind="self_implementation_decided",
        title=(
            _("自行实施声明已获认可：%(title)s")
            if locked.status == SelfImplementation.Status.ACCEPTED
            else _("自行实施声明未获认可：%(title)s")
        )
        % {"title": locked.achievement.title},
        body=reason,
    )
    return locked


# --- registration duty -----------------------------------------------------------------------------


@transaction.atomic
def achievement_registration_record(
    *, achievement: Achievement, actor: User, registration_no: str, registered_on: dt.date
) -> AchievementRegistration:
    """The holder records the achievement's registration in the 科技成果登记系统."""
    _holder_membership(actor=actor, achievement=achievement)
    if not registration_no.strip():
        raise InvalidInput(
            "registration_no_required", _("请填写成果登记号。"), fields={"registration_no": [_("必填。")]}
        )
    if registered_on > market_today():
        raise InvalidInput(
            "registered_on_future",
            _("登记日期不能晚于今天。"),
            fields={"registered_on": [_("不能晚于今天。")]},
        )
    if AchievementRegistration.objects.filter(achievement=achievement).exists():
        raise Conflict("already_registered", _("该成果已登记。"))
    return AchievementRegistration.objects.create(
        achievement=achievement,
        registration_no=registration_no.strip(),
        registered_on=registered_on,
        registered_by=actor,
    )


def registration_due_on(funding_project_ended_on: dt.date) -> dt.date:
    """The last day to register a fiscally funded achievement: project end + REGISTRATION_DUE_DAYS."""
    return funding_project_ended_on + dt.timedelta(days=settings.MARKET["REGISTRATION_DUE_DAYS"])


@dataclass
class RegistrationRunSummary:
    today: dt.date
    newly_overdue: int = 0
    holders_notified: int = 0


@transaction.atomic
def registration_overdue_run(*, today: dt.date | None = None) -> RegistrationRunSummary:
    """The registration duty's daily job: fiscally funded achievements whose project ended more
    than ``REGISTRATION_DUE_DAYS`` days ago and that are not registered. Each is recorded once
    (``RegistrationOverdueNotice``, inserted set-based) and announced once to the holder's admins
    and to the operators; ``registration_overdue`` lists all of them for the pages."""
    today = today or market_today()
    _advisory_lock(REGISTRATION_LOCK)
    days = settings.MARKET["REGISTRATION_DUE_DAYS"]
    rows = _rows(
        """
        INSERT INTO listings_registrationoverduenotice (achievement_id, due_on, notified_on)
        SELECT a.id, a.funding_project_ended_on + %(days)s, %(today)s
        FROM listings_achievement a
        WHERE a.fiscally_funded AND a.funding_project_ended_on IS NOT NULL
          AND a.funding_project_ended_on + %(days)s < %(today)s
          AND NOT EXISTS (SELECT 1 FROM listings_achievementregistration r WHERE r.achievement_id = a.id)
        ORDER BY a.id
        ON CONFLICT (achievement_id) DO NOTHING
        RETURNING achievement_id
        """,
        {"days": days, "today": today},
    )
    summary = RegistrationRunSummary(today=today, newly_overdue=len(rows))
    if rows:
        by_holder = Counter(
            Achievement.objects.filter(pk__in=[r[0] for r in rows]).values_list("holder_id", flat=True)
        )
        notify_organizations(
            messages={
                holder: (
                    _("%(n)d 项科技成果逾期未登记") % {"n": n},
                    _("财政资金支持产生的科技成果应在项目结题后 %(days)d 日内完成登记，请尽快登记。")
                    % {"days": days},
                )
                for holder, n in by_holder.items()
            },
            roles=HOLDER_ROLES,
            kind="registration_overdue",
        )
        notify(
            operators=True,
            kind="registration_overdue",
            title=_("%(n)d 项科技成果逾期未登记") % {"n": len(rows)},
            body=_("涉及 %(h)d 家单位。") % {"h": len(by_holder)},
        )
        summary.holders_notified = len(by_holder)
    log.info("registration_overdue_run done", extra={"summary": asdict(summary)})
    return summary
