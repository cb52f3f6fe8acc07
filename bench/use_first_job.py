"""Benchmark of the daily use-first job (先用后转) at scale, search indexing included.

    python bench/use_first_job.py            # 1,000,000 achievements, naive sample 20,000
    python bench/use_first_job.py --quick    # 20,000 achievements, naive sample 2,000

It works in its own database (``<DATABASE_URL's name>_bench``, created and migrated here, dropped
at the end unless ``--keep``). E-mail goes to Django's dummy backend (nothing printed, #17.8).
Steps, each timed:

1. Generate holders and achievements in bulk with ``INSERT ... SELECT generate_series``: a spread
   of holder kinds (universities, institutes, hospitals, state-owned and private enterprises,
   agencies), achievement kinds (about 80% applied), grant dates over the last seven years (10%
   with nothing granted yet), about 15% converted, and a few accepted justifications.
2. The naive side: a per-row ORM loop over a sample, inside a transaction rolled back afterwards
   so the job starts from the same state. For each achievement: check the rules in Python, look
   for an accepted justification and an open entry, create the entry, publish the listing through
   the single-listing service ``listing_publish_by_platform`` (which writes the listing, its two
   status-change rows AND its search vector, ``listings.search``, inline: one tokenization and one
   UPDATE per listing) and notify the holder's admins. Its time is extrapolated to the full set
   (per achievement, times the number of achievements). It is not committed, so it pays no commit
   and sends no mail: the ratio it gives is, if anything, too low.
3. The set-based side: ``conversion.services.use_first_run``, first run (lists everything
   overdue), then a rerun (nothing new to do). It indexes the same way, inline:
   ``listings_publish_bulk`` reads the texts of the achievements it is about to publish in one
   pass, 10,000 at a time; a worker thread tokenizes each batch (the same tokenizer,
   ``listings.search``) and makes its vectors (``search.vector_binary``, proven equal to
   what PostgreSQL's parser makes; left to PostgreSQL where it cannot be sure) while the
   database inserts the previous batch; each batch's INSERT writes its listings with their
   vectors, in the job's own transaction. So the first run's time includes the indexing of every
   listing it creates and nothing is left to a task. The bench prints the worker's tokenizing
   time (``_index_rows``, timed as it runs inside the job; it overlaps the inserts, on the other
   core) and checks that no listing either side published is left without a vector.

Targets (issue 17, item 5): first run including indexing < 30 s, rerun < 5 s, naive
(extrapolated, indexing inline too) >= 50x the first run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--achievements", type=int, default=None)
    parser.add_argument("--sample", type=int, default=None)
    parser.add_argument("--holders", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--skip-naive", action="store_true", help="skip the naive loop (no ratio)")
    args = parser.parse_args()
    n = args.achievements or (20_000 if args.quick else 1_000_000)
    sample = args.sample or (2_000 if args.quick else 20_000)
    holders = args.holders or (200 if args.quick else 2_000)

    import logging

    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("LOG_JSON", "false")  # the job's progress lines below are read by a person
    # The job mails the holders' admins after commit; keep them in memory, not on the console.
    # A bench's output is its figures: no console e-mail backend dumping every message (#17.8).
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    import django
    from django.conf import settings

    bench_name = settings.DATABASES["default"]["NAME"] + "_bench"
    settings.DATABASES["default"]["TEST"] = {"NAME": bench_name}
    django.setup()
    # The job's own progress log (steps, counts, times) is part of the figures.
    logging.getLogger("market.use_first").setLevel(logging.INFO)

    from django.db import connection

    print(f"database {bench_name}: creating and migrating ...", flush=True)
    t = time.monotonic()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    print(f"  ready in {time.monotonic() - t:.1f}s")
    try:
        run(n=n, sample=sample, holders=holders, naive_loop_on=not args.skip_naive)
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(bench_name, verbosity=0)


def generate(*, n: int, holders: int, today: dt.date) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email,"
            " is_staff, is_active, date_joined) VALUES ('!', false, 'bench', '', '', '', false, true, now())"
            " RETURNING id"
        )
        (user_id,) = cur.fetchone()
        # Holder kinds: 30% universities, 15% institutes, 10% hospitals, 15% state-owned,
        # 25% private enterprises, 5% agencies.
        cur.execute(
            """
            INSERT INTO accounts_organization (name, kind, credit_code, region, status,
                requires_internal_approval, phone, created_by_id, created_at, updated_at)
            SELECT '基准机构' || i,
                   CASE WHEN i %% 20 < 6 THEN 'university' WHEN i %% 20 < 9 THEN 'institute'
                        WHEN i %% 20 < 11 THEN 'hospital' WHEN i %% 20 < 14 THEN 'state_enterprise'
                        WHEN i %% 20 < 19 THEN 'enterprise' ELSE 'agency' END,
                   '9' || lpad(i::text, 17, '0'), '浙江省', 'verified', false, '', %s, now(), now()
            FROM generate_series(1, %s) i
            """,
            [user_id, holders],
        )
        # One admin per holder, so the job's notifications have someone to reach.
        cur.execute(
            """
            WITH u AS (
                INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name,
                    email, is_staff, is_active, date_joined)
                SELECT '!', false, 'bench_admin_' || o.id, '', '', 'admin' || o.id || '@bench.cn',
                       false, true, now()
                FROM accounts_organization o
                RETURNING id, username
            )
            INSERT INTO accounts_membership (user_id, organization_id, role, created_at)
            SELECT u.id, substr(u.username, 13)::bigint, 'admin', now() FROM u
            """
        )
        cur.execute("SELECT min(id), max(id) FROM accounts_organization")
        lo, hi = cur.fetchone()
        # Grants spread uniformly over the last 7 years (about 5/7 are past the 2-year deadline),
        # 10% with nothing granted; 80% applied; 15% converted; valuations from 50k to 5M yuan.
        cur.execute(
            """
            INSERT INTO listings_achievement (holder_id, title, summary, field, kind, maturity, valuation,
                fiscally_funded, funding_project_no, funding_project_ended_on, is_service_invention,
                conversion_status, conversion_method, converted_at, intended_conversion_method,
                application_status, conversion_benefit, first_granted_on, created_by_id,
                created_at, updated_at)
            SELECT %(lo)s + (hashint4(i) & 2147483647) %% (%(hi)s - %(lo)s + 1),
                   '基准成果 ' || i, '一种用于基准测试的科技成果。',
                   (ARRAY['electronics','biomedicine','new_materials','new_energy','advanced_manufacturing',
                          'agriculture'])[1 + i %% 6],
                   CASE WHEN i %% 5 = 0 THEN 'basic' ELSE 'applied' END,
                   1 + i %% 9,
                   CASE WHEN i %% 7 = 0 THEN NULL ELSE (50000 + (hashint4(i + 7) & 2147483647) %% 4950000)::numeric(14, 2) END,
                   i %% 3 = 0, '', CASE WHEN i %% 3 = 0 THEN %(today)s::date - (i %% 900) END, true,
                   CASE WHEN i %% 20 < 3 THEN 'converted' ELSE 'unconverted' END,
                   CASE WHEN i %% 20 < 3 THEN 'transfer' ELSE '' END,
                   CASE WHEN i %% 20 < 3 THEN now() END, '', '', '',
                   CASE WHEN i %% 10 = 9 THEN NULL
                        ELSE %(today)s::date - ((hashint4(i + 13) & 2147483647) %% 2557) END,
                   %(user)s, now(), now()
            FROM generate_series(1, %(n)s) i
            """,
            {"lo": lo, "hi": hi, "n": n, "today": today, "user": user_id},
        )
        # The dates conversion stores on each achievement (as its achievement_granted seam does:
        # grant + 2 and + 3 years; PostgreSQL's year arithmetic also lands 29 Feb on 28 Feb).
        cur.execute(
            "UPDATE listings_achievement SET conversion_deadline = first_granted_on + interval '2 years',"
            " free_license_date = first_granted_on + interval '3 years' WHERE first_granted_on IS NOT NULL"
        )
        # About 1% of achievements have an accepted justification (half of them still valid).
        cur.execute(
            """
            INSERT INTO conversion_justification (achievement_id, reason, attachments, valid_until, status,
                filed_by_id, decided_by_id, decided_at, decision_reason, created_at, updated_at)
            SELECT id, '中试进行中', '[]', %(today)s::date + CASE WHEN id %% 2 = 0 THEN 180 ELSE -30 END,
                   'accepted', %(user)s, %(user)s, now(), '属实', now(), now()
            FROM listings_achievement WHERE id %% 100 = 1
            """,
            {"today": today, "user": user_id},
        )
        cur.execute("ANALYZE")


def naive_loop(*, sample: int, today: dt.date) -> tuple[float, int, int]:
    """The per-row ORM version of the job over ``sample`` achievements, rolled back afterwards:
    (seconds, listings published, of which without a search vector)."""
    from django.db import transaction

    from accounts.models import Membership
    from accounts.services import notify
    from conversion.models import Justification, UseFirstEntry
    from conversion.rules import is_free_license_due, is_obliged, is_overdue
    from listings.models import Achievement, Listing, Rights
    from listings.services import listing_publish_by_platform

    class Rollback(Exception):
        pass

    published = unindexed = 0
    started = time.monotonic()
    try:
        with transaction.atomic():
            for a in Achievement.objects.select_related("holder").order_by("id")[:sample]:
                obliged = is_obliged(achievement_kind=a.kind, holder_kind=a.holder.kind)
                if not obliged or a.conversion_status == "converted":
                    continue
                if not is_overdue(a.first_granted_on, today):
                    continue
                if Justification.objects.filter(
                    achievement=a, status="accepted", valid_until__gte=today
                ).exists():
                    continue
                if UseFirstEntry.objects.filter(achievement=a, closed_on__isnull=True).exists():
                    continue
                eligible = is_free_license_due(a.first_granted_on, today)
                entry = UseFirstEntry.objects.create(
                    achievement=a,
                    holder=a.holder,
                    listed_on=today,
                    reason=f"取得知识产权之日（{a.first_granted_on}）起满2年，无正当理由未实施转化",
                    free_license_eligible=eligible,
                    free_license_eligible_on=today if eligible else None,
                )
                if not a.listings.filter(
                    status__in=["pending_internal_approval", "pending_review", "published"]
                ).exists():
                    listing = listing_publish_by_platform(
                        achievement=a,
                        mode=Listing.Mode.NEGOTIATED,
                        rights=Rights.USE_FIRST,
                        reason="先用后转",
                        asking_price=a.valuation or None,
                        notice_days=15,
                    )
                    entry.listing = listing
                    entry.save(update_fields=["listing", "updated_at"])
                    published += 1
                notify(
                    organization=a.holder,
                    roles=[Membership.Role.ADMIN],
                    kind="use_first_listed",
                    title="成果列入先用后转实施清单",
                )
            elapsed = time.monotonic() - started
            # Outside the timing: every listing the loop published has its vector (made inline).
            unindexed = Listing.objects.filter(created_by__isnull=True, search_vector__isnull=True).count()
            raise Rollback
    except Rollback:
        pass
    return elapsed, published, unindexed


class IndexTimer:
    """Times the tokenizing of the texts as the job does it: ``listings_publish_bulk`` hands each
    batch of texts to the bulk module's ``_index_rows`` in a worker thread, which tokenizes it
    and makes the vectors while the database inserts the previous batch. The real function
    runs; only its duration, the rows it did and how many of their vectors it made (the rest
    are made by ``search.VECTOR_SQL`` in the insert) are recorded. Its seconds overlap the
    inserts' (another core), so they are not a share of the first run's time."""

    def __init__(self) -> None:
        from listings.services import bulk

        self.bulk, self.original = bulk, bulk._index_rows
        self.seconds, self.rows, self.written, self.calls = 0.0, 0, 0, 0

    def __enter__(self) -> IndexTimer:
        from listings.services import bulk

        def timed(*args: object, **kwargs: object) -> bulk.Staged:
            t = time.monotonic()
            made = self.original(*args, **kwargs)  # type: ignore[arg-type]
            self.seconds += time.monotonic() - t
            self.rows += made.rows
            self.written += made.written
            self.calls += 1
            return made

        self.bulk._index_rows = timed  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        self.bulk._index_rows = self.original  # type: ignore[assignment]


def run(*, n: int, sample: int, holders: int, naive_loop_on: bool = True) -> None:
    from django.db import connection

    from conversion.models import UseFirstEntry
    from conversion.rules import market_today
    from conversion.services import use_first_run
    from listings.models import Listing, ListingStatusChange

    today = market_today()
    print(f"generating {n:,} achievements over {holders:,} holders ...", flush=True)
    t = time.monotonic()
    generate(n=n, holders=holders, today=today)
    print(f"  generated in {time.monotonic() - t:.1f}s")

    naive_full = float("nan")
    naive_unindexed = 0
    if naive_loop_on:
        print(
            f"naive per-row ORM loop, indexing inline, over a sample of {sample:,} (rolled back) ...",
            flush=True,
        )
        naive, naive_published, naive_unindexed = naive_loop(sample=sample, today=today)
        naive_full = naive / sample * n
        print(
            f"  {naive:.2f}s for {sample:,} ({naive_published:,} listings published and indexed,"
            f" {naive_unindexed} without a vector) -> {naive_full:.1f}s extrapolated to {n:,}"
        )

    print("set-based job, first run (indexing inline, in its transaction) ...", flush=True)
    connection.close()
    with IndexTimer() as index:
        t = time.monotonic()
        first = use_first_run(today=today)
        first_s = time.monotonic() - t
    print(f"  {first_s:.2f}s  {first.as_dict()}")
    print(
        f"  tokenizing {index.seconds:.2f}s in a worker thread beside the inserts: {index.rows:,} listings'"
        f" texts in {index.calls} batch(es), {index.written:,} vectors made in Python, the rest by PostgreSQL"
    )
    unindexed = Listing.objects.filter(created_by__isnull=True, search_vector__isnull=True).count()

    print("set-based job, rerun ...", flush=True)
    t = time.monotonic()
    again = use_first_run(today=today)
    rerun_s = time.monotonic() - t
    print(
        f"  {rerun_s:.2f}s  listed={again.listed} opened={again.listings_opened} marked={again.free_license_marked}"
    )

    entries = UseFirstEntry.objects.count()
    listings = Listing.objects.count()
    changes = ListingStatusChange.objects.count()
    ratio = naive_full / first_s
    print()
    print(f"achievements                       {n:>12,}")
    print(f"entries / listings / changes       {entries:,} / {listings:,} / {changes:,}")
    print(
        f"first run, indexing included       {first_s:>9.2f} s   (limit < 30 s)  {'OK' if first_s < 30 else 'OVER'}"
    )
    print(
        f"  tokenizing (worker, overlapping) {index.seconds:>9.2f} s   ({index.rows:,} listings,"
        f" {index.written:,} vectors made in Python)"
    )
    print(
        f"listings left without a vector     {unindexed + naive_unindexed:>9}     (limit 0)       "
        f"{'OK' if unindexed + naive_unindexed == 0 else 'OVER'}"
    )
    print(
        f"rerun                              {rerun_s:>9.2f} s   (limit < 5 s)   {'OK' if rerun_s < 5 else 'OVER'}"
    )
    print(f"naive loop (indexing inline), ext. {naive_full:>9.1f} s")
    verdict = "n/a (--skip-naive)" if ratio != ratio else ("OK" if ratio >= 50 else "UNDER")
    print(f"ratio naive / first run            {ratio:>9.1f} x   (limit >= 50x)  {verdict}")
    assert again.listed == 0 and again.listings_opened == 0 and again.free_license_marked == 0
    assert index.rows == first.listings_opened, "the first run must tokenize every listing it opened"


if __name__ == "__main__":
    main()
