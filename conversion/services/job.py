"""The daily use-first job (先用后转), as a short sequence of named steps.

Each step is one set-based statement (or two) over every row it concerns: ``INSERT ... SELECT ...
ON CONFLICT DO NOTHING`` against the partial unique index ``use_first_one_open_entry``, ``UPDATE
... FROM`` with re-checked ``WHERE`` clauses, never a Python loop over achievements. Two runs at
once are serialized by ``job_locks`` (the job's own advisory lock); even without
them the unique index and the re-checked clauses (``closed_on IS NULL``, ``NOT
free_license_eligible``, ``listing_id IS NULL`` under ``FOR UPDATE``) leave a second run nothing
to do (``tests/conversion/test_job_concurrency.py`` runs it both ways).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.services import notify_organizations
from core.locks import advisory_xact_lock
from core.sync import SYNC_STAMPED_SQL
from listings.models import ConversionStatus, Listing, Rights
from listings.services import listings_publish_bulk

from ..models import Justification, UseFirstEntry
from ..rules import (
    OBLIGED_ACHIEVEMENT_KIND,
    OBLIGED_HOLDER_KINDS,
    free_license_granted_through,
    market_today,
    overdue_granted_through,
)
from .entries import HOLDER_ROLES, close_sql, entries_listings_close, entries_listings_open, listing_reason
from .sql import ENTRY_STAMP, execute, rows

log = logging.getLogger("market.use_first")

JOB_LOCK = "listings.use_first_run"  # the name runs had before the move: old and new runs exclude
ANALYZE_AFTER = 10_000  # rows listed in one run

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


def job_locks() -> None:
    """The job's own advisory lock: runs one at a time. Nothing else waits for it; its writes are
    stamped for syncing clients by the tables' triggers (``core.sync``), with no lock."""
    advisory_xact_lock(JOB_LOCK)


def close_converted(today: dt.date) -> list[tuple]:
    """Close the open entries whose achievement converted; (entry, holder, listing) each."""
    return rows(
        close_sql("a.conversion_status = %(converted)s"),
        {
            "today": today,
            "converted": ConversionStatus.CONVERTED.value,
            "cause": E.CloseCause.CONVERTED.value,
            "reason": _("成果已转化"),
        },
    )


def close_justified(today: dt.date) -> list[tuple]:
    """Close the open entries an accepted justification valid today covers."""
    return rows(
        f"""
        UPDATE conversion_usefirstentry e
        SET closed_on = %(today)s, close_cause = %(cause)s, close_reason = %(reason)s,
            updated_at = {ENTRY_STAMP}
        FROM (
            SELECT DISTINCT achievement_id FROM conversion_justification
            WHERE status = %(accepted)s AND valid_until >= %(today)s
        ) j
        WHERE e.achievement_id = j.achievement_id AND e.closed_on IS NULL
        RETURNING e.id, e.holder_id, e.listing_id
        """,
        {
            "today": today,
            "accepted": Justification.Status.ACCEPTED.value,
            "cause": E.CloseCause.JUSTIFIED.value,
            "reason": _("正当理由已获平台认可"),
        },
    )


def close_listings(*, converted: list[tuple], justified: list[tuple]) -> int:
    """Close the use-first listings of the entries just closed."""
    return entries_listings_close(
        listing_ids=[r[2] for r in converted if r[2]], reason=_("成果已转化，移出先用后转清单")
    ) + entries_listings_close(
        listing_ids=[r[2] for r in justified if r[2]], reason=_("正当理由已获认可，移出先用后转清单")
    )


def find_overdue(today: dt.date) -> int:
    """Collect into the temporary table ``use_first_candidate`` every obliged achievement (applied,
    held by an obliged holder) past its conversion deadline, not converted, without an accepted
    justification valid today and not on the list. A table with statistics, so the next step's
    anti-join and insert are planned for the real row count."""
    count = execute(
        """
        CREATE TEMPORARY TABLE use_first_candidate ON COMMIT DROP AS
        SELECT a.id, a.holder_id, a.first_granted_on
        FROM listings_achievement a
        JOIN accounts_organization o ON o.id = a.holder_id
        WHERE a.kind = %(applied)s
          AND o.kind = ANY(%(kinds)s)
          AND a.first_granted_on <= %(overdue_through)s
          AND a.conversion_status <> %(converted)s
          AND NOT EXISTS (
              SELECT 1 FROM conversion_justification j
              WHERE j.achievement_id = a.id AND j.status = %(accepted)s AND j.valid_until >= %(today)s
          )
          AND NOT EXISTS (
              SELECT 1 FROM conversion_usefirstentry o2
              WHERE o2.achievement_id = a.id AND o2.closed_on IS NULL
          )
        """,
        {
            "today": today,
            "accepted": Justification.Status.ACCEPTED.value,
            "overdue_through": overdue_granted_through(today),
            "applied": OBLIGED_ACHIEVEMENT_KIND,
            "kinds": list(OBLIGED_HOLDER_KINDS),
            "converted": ConversionStatus.CONVERTED.value,
        },
    )
    execute("ANALYZE use_first_candidate", {})
    return count


def publish_candidates() -> int:
    """Publish each candidate's use-first listing in one set-based statement
    (``listings_publish_bulk``, the bulk twin of the single-listing service), before its entry is
    written, so that each entry is written once, with its listing. Candidates whose achievement is
    on offer elsewhere get none now (one active listing per achievement); ``publish_listings``
    links or opens theirs later."""
    made = listings_publish_bulk(
        achievements_sql="SELECT id FROM use_first_candidate",
        rights=Rights.USE_FIRST.value,
        notice_days=settings.MARKET["FISCAL_NOTICE_DAYS_MIN"],
        reason=listing_reason(),
    )
    return made


def open_entries(today: dt.date) -> list[tuple]:
    """Put each candidate on the list once, with the listing ``publish_candidates`` made for it
    (``ON CONFLICT`` on the one-open-entry index: a concurrent run's entry wins), eligible for a
    free licence at once when already 3 years overdue. Per holder: (holder, entries, of which
    eligible)."""
    listed = rows(
        f"""
        WITH ins AS (
            INSERT INTO conversion_usefirstentry (
                achievement_id, holder_id, origin, listed_on, reason, free_license_eligible,
                free_license_eligible_on, listing_id, closed_on, close_cause, close_reason,
                created_at, updated_at, sync_xid
            )
            SELECT c.id, c.holder_id, %(origin)s, %(today)s,
                   format(%(entry_reason)s, to_char(c.first_granted_on, 'YYYY-MM-DD')),
                   c.first_granted_on <= %(free_through)s,
                   CASE WHEN c.first_granted_on <= %(free_through)s THEN %(today)s::date END,
                   m.id, NULL, '', '', clock_timestamp(), {SYNC_STAMPED_SQL}
            FROM use_first_candidate c
            -- Its published use-first listing: at most one active listing per achievement.
            LEFT JOIN listings_listing m
                   ON m.achievement_id = c.id AND m.status = %(published)s AND m.rights = %(rights)s
            ORDER BY c.id
            ON CONFLICT (achievement_id) WHERE closed_on IS NULL DO NOTHING
            RETURNING holder_id, free_license_eligible
        )
        SELECT holder_id, count(*), count(*) FILTER (WHERE free_license_eligible)
        FROM ins GROUP BY holder_id
        """,
        {
            "today": today,
            "origin": E.Origin.OVERDUE.value,
            "entry_reason": _("取得知识产权之日（%s）起满2年，无正当理由未实施转化"),
            "free_through": free_license_granted_through(today),
            "published": Listing.Status.PUBLISHED.value,
            "rights": Rights.USE_FIRST.value,
        },
    )
    execute("DROP TABLE use_first_candidate", {})
    return listed


def publish_listings() -> tuple[int, int]:
    """Give every open entry still without a listing its public use-first listing (those whose
    achievement was on offer elsewhere until now): (linked, opened)."""
    return entries_listings_open()


def mark_free_license_eligible(today: dt.date) -> list[tuple]:
    """Open overdue entries become free-license eligible from the free-license date (3 years)."""
    return rows(
        f"""
        UPDATE conversion_usefirstentry e
        SET free_license_eligible = true, free_license_eligible_on = %(today)s, updated_at = {ENTRY_STAMP}
        FROM listings_achievement a
        WHERE e.achievement_id = a.id AND e.closed_on IS NULL AND NOT e.free_license_eligible
          AND e.origin = %(origin)s AND a.first_granted_on <= %(free_through)s
        RETURNING e.holder_id
        """,
        {
            "today": today,
            "origin": E.Origin.OVERDUE.value,
            "free_through": free_license_granted_through(today),
        },
    )


def notify_holders(*, listed: list[tuple], marked: list[tuple]) -> int:
    """Tell each holder's admins, one message per holder and kind, in bulk. ``listed``: (holder,
    entries, of which eligible) per holder; ``marked``: (holder,) per entry made eligible."""
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


def refresh_statistics() -> None:
    """After a big first run the tables' sizes changed by orders of magnitude: fresh statistics
    keep the next run's anti-joins on hash plans instead of loops planned for an empty table."""
    execute("ANALYZE conversion_usefirstentry", {})
    execute("ANALYZE listings_listing", {})


def use_first_run(*, today: dt.date | None = None) -> UseFirstRunSummary:
    """The daily use-first job, in one transaction. Idempotent; two runs at once leave the state
    one run leaves.

    ``seconds`` (and the ``done`` log line) is the whole run, its commit and the effects after it
    (the holders' e-mails) included: at the commit PostgreSQL checks the foreign keys of every row
    the run wrote (Django declares them ``DEFERRABLE INITIALLY DEFERRED``), 12 of a first run's 43 s
    over 1,000,000 achievements (``bench/use_first_job.py``, #17.5), which the summary used to leave
    out. The commit has a log line of its own; inside a caller's transaction (the demo loader) the
    commit is the caller's, and the line says so."""
    started = time.monotonic()
    today = today or market_today()
    nested = transaction.get_connection().in_atomic_block
    committed: list[float] = []
    with transaction.atomic():
        transaction.on_commit(lambda: committed.append(time.monotonic()))  # first of the effects
        s = _steps(today)
        committing = time.monotonic()
    if committed:
        log.info(
            "use_first_run committed in %.2fs, then its effects after the commit in %.2fs",
            committed[0] - committing,
            time.monotonic() - committed[0],
        )
    elif nested:
        log.info("use_first_run inside the caller's transaction: not committed yet")
    s.seconds = round(time.monotonic() - started, 3)
    log.info("use_first_run done %s", s.as_dict(), extra={"summary": s.as_dict()})
    return s


def _steps(today: dt.date) -> UseFirstRunSummary:
    """The job's steps, each logged with its count and time, inside its transaction."""
    s = UseFirstRunSummary(today=today)
    job_locks()
    log.info("use_first_run start", extra={"today": str(today)})

    def step(name: str, t0: float, n: int) -> None:
        log.info("use_first_run %s: %d in %.2fs", name, n, time.monotonic() - t0)

    t0 = time.monotonic()
    converted, justified = close_converted(today), close_justified(today)
    s.closed_converted, s.closed_justified = len(converted), len(justified)
    s.listings_closed = close_listings(converted=converted, justified=justified)
    step("closed", t0, s.closed_converted + s.closed_justified)

    t0 = time.monotonic()
    step("candidates found", t0, find_overdue(today))

    t0 = time.monotonic()
    s.listings_opened = publish_candidates()
    step("listings published", t0, s.listings_opened)

    t0 = time.monotonic()
    listed = open_entries(today)
    s.listed = sum(r[1] for r in listed)
    step("listed", t0, s.listed)

    t0 = time.monotonic()
    s.listings_linked, opened_later = publish_listings()
    s.listings_opened += opened_later
    step("listings opened for entries without one", t0, opened_later)

    t0 = time.monotonic()
    marked = mark_free_license_eligible(today)
    s.free_license_marked = len(marked)
    step("free-license eligible", t0, s.free_license_marked)

    t0 = time.monotonic()
    s.holders_notified = notify_holders(listed=listed, marked=marked)
    step("holders notified", t0, s.holders_notified)

    if s.listed >= ANALYZE_AFTER:
        refresh_statistics()
    return s
