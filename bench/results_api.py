"""Results API benchmark (#17.4): GET /api/v1/results/ at 10,000 and 1,000,000 published results.

    python bench/results_api.py            # 10,000 then 1,000,000 results; targets at 1,000,000: p95 < 10 ms, ratio <= 1.2
    python bench/results_api.py --quick    # smoke run: 1,000 then 20,000

Each size runs in its own process and database (``<DATABASE_URL's name>_bench_results_<size>``,
created and migrated if missing; rows are generated once and reused by later runs; a database of
an older seed is made anew). Achievements, listings and deals are bulk-inserted with INSERT ...
SELECT generate_series, real rows under the real constraints; each result is then written in its
own transaction, as ``result_publish`` writes it on payment, so the results table's trigger gives
each its own writing transaction and stamp (``core.sync``) and ``updated_since`` lands among them
as it does on a real board. Contract registration numbers have the published 16-digit shape
(``marketplace.validators``).

What is timed: the in-process path, no HTTP server. Django's test ``Client`` sends each request
through the whole Django stack (every middleware, URL routing, token authentication with a
read-only token, the DRF view, ``marketplace.selectors.results_list``, ``core.sync``'s watermark
and ``(sync_xid, id)`` cursor page, the rows' rendering) and the clock runs from the call to the
rendered JSON response (its parsing by the bench is not counted). The statements are kept by an
``execute_wrapper`` (``bench/_statements.py``: the text psycopg sent, as Django's debug cursor reads
it) and not by Django's ``CaptureQueriesContext``, whose debug cursor logs every statement: work the
server does not do. The process is warmed as the web server's is at its start (``config.warm``:
every view imported, then the objects alive frozen, so no full garbage collection walks them during
a request). The requests:

- random pages: ``updated_since`` at a random point, optionally with a ``mode`` or ``field`` filter,
  then the page its ``next`` cursor points to;
- syncs: ``updated_since`` a few hundred results before the newest, followed page by page to the end.

The two sizes run in processes of their own, timed in step (``bench/_in_step.py``): ten of the 10,000's
requests, then ten of the 1,000,000's of the same kinds, and so on, so whatever else the machine
does falls on both alike. One after the other, minutes apart, the ratio moved 0.95-1.22 over four runs, the
raw SQL's with it. Every page is one request in the figures. Connections persist between requests
(``DB_CONN_MAX_AGE=60``, as in a deployment). The raw limit replays exactly the SQL each API
request ran (captured while it ran: the token lookup, the watermark, the ``updated_since``
position, the page with its filters, second pages and every page of a sync), statement by
statement through a plain psycopg connection (as ``bench/catalogue.py`` does), and sums it per
request: what PostgreSQL costs without Django or DRF. Both figures are per request, over the same
requests; rows and statements per request and the number of empty pages are printed beside them.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from _in_step import InStep, result_line, run_in_step
from _statements import statements_kept

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIELDS = [
    "electronics",
    "biomedicine",
    "new_materials",
    "new_energy",
    "environment",
    "advanced_manufacturing",
    "agriculture",
]
MODES = ["negotiated", "fixed_price", "auction"]


def bench_database_url(base: str, size: int) -> str:
    parts = urlsplit(base)
    name = parts.path.lstrip("/") or "market"
    return urlunsplit(parts._replace(path=f"/{name}_bench_results_{size}"))


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def registration_no(concluded_at: str, key: str) -> str:
    """SQL for a 技术合同认定登记编号 of the published shape (``marketplace.validators``: 16 digits,
    the year of registration, region 3301 杭州市, office 01-99, serial 000001-999999), unique per
    ``key`` up to 99 × 999,999, registered in the year the deal was concluded."""
    return (
        f"to_char(({concluded_at}) AT TIME ZONE 'Asia/Shanghai', 'YYYY') || '3301'"
        f" || lpad((1 + mod(({key} - 1) / 999999, 99))::text, 2, '0')"
        f" || lpad((1 + mod({key} - 1, 999999))::text, 6, '0')"
    )


def grow(size: int) -> None:
    """Bring the number of published results to ``size``."""
    from _common import insert_select
    from django.db import connection, transaction

    from accounts.models import Organization, User
    from accounts.validators import credit_code_check_char
    from listings.models import Achievement, Listing
    from marketplace.models import Deal, Result

    have = Result.objects.count()
    if have >= size:
        print(f"reusing {have} results", flush=True)
        return
    started = time.perf_counter()
    user, _ = User.objects.get_or_create(username="bench_results")
    orgs = []
    for i, (name, kind) in enumerate([("浙江大学", "university"), ("杭州某智能科技有限公司", "enterprise")]):
        first17 = f"91330000MA{i + 9000000:07d}"
        org, _ = Organization.objects.get_or_create(
            credit_code=first17 + credit_code_check_char(first17),
            defaults={"name": name, "kind": kind, "status": "verified", "created_by": user},
        )
        orgs.append(org)
    holder, buyer = orgs
    n = size - have
    base = Achievement.objects.count()
    series = f"generate_series({base + 1}, {base + n}) AS g"
    fields_sql = "(ARRAY[" + ",".join(f"'{f}'" for f in FIELDS) + "])[1 + mod(g, " + str(len(FIELDS)) + ")]"
    modes_sql = "(ARRAY[" + ",".join(f"'{m}'" for m in MODES) + "])[1 + mod(g, 3)]"
    with transaction.atomic(), connection.cursor() as cursor:
        params: list[Any] = []
        sql = insert_select(
            Achievement,
            series,
            {
                "holder_id": str(holder.pk),
                "title": "'一种基于人工智能的茶叶品质检测方法（' || g || '）'",
                "summary": "'利用近红外光谱与深度学习对龙井茶进行分级。'",
                "field": fields_sql,
                "kind": "'applied'",
                "maturity": "6",
                "conversion_status": "'converted'",
                "conversion_method": "'transfer'",
                "created_by_id": str(user.pk),
            },
            params,
        )
        cursor.execute(sql, params)
        params = []
        sql = insert_select(
            Listing,
            f"listings_achievement a CROSS JOIN LATERAL (SELECT a.id AS g) s WHERE a.id > {base} AND a.holder_id = {holder.pk}",
            {
                "achievement_id": "a.id",
                "mode": "'negotiated'",
                "rights": "'transfer'",
                "status": "'closed'",
                "asking_price": "100000",
                "notice_days": "15",
                "created_by_id": str(user.pk),
            },
            params,
        )
        cursor.execute(sql, params)
        params = []
        sql = insert_select(
            Deal,
            "listings_listing l CROSS JOIN LATERAL (SELECT l.id AS g) s "
            f"WHERE l.achievement_id > {base} AND NOT EXISTS (SELECT 1 FROM marketplace_deal d WHERE d.listing_id = l.id)",
            {
                "listing_id": "l.id",
                "mode": modes_sql,
                "rights": "'transfer'",
                "price": "(10000 + mod(g * 7919, 990000))::numeric(14,2)",
                "buyer_id": str(buyer.pk),
                "seller_id": str(holder.pk),
                "status": "'settled'",
                "concluded_at": "now() - (g || ' minutes')::interval",
                "payment_due_at": "now() + interval '14 days'",
                "amount_due": "(10000 + mod(g * 7919, 990000))::numeric(14,2)",
                "applied_deposit": "0",
                "bid_count": "mod(g, 40)",
                "bidder_count": "mod(g, 7)",
                "contract_registration_no": registration_no("now() - (g || ' minutes')::interval", "g"),
            },
            params,
        )
        cursor.execute(sql, params)
    # Results as result_publish writes them: one transaction per deal, so that each result carries
    # its own writing transaction's id and stamp (``core.sync``'s trigger; ``updated_since`` maps
    # a stamp onto that register) and a sync page reads what a real board holds, not a million
    # rows of one transaction, where every ``updated_since`` lands past the last row.
    params = []
    sql = insert_select(
        Result,
        "marketplace_deal d JOIN listings_listing l ON l.id = d.listing_id "
        "JOIN listings_achievement a ON a.id = l.achievement_id WHERE d.id = deal",
        {
            "deal_id": "d.id",
            "listing_id": "l.id",
            "achievement_id": "a.id",
            "listing_title": "a.title",
            "field": "a.field",
            "mode": "d.mode",
            "rights": "d.rights",
            "price": "d.price",
            "seller": "'浙江大学'",
            "buyer": "'杭州某智能科技有限公司'",
            "concluded_at": "d.concluded_at",
            "bid_count": "d.bid_count",
            "contract_registration_no": "d.contract_registration_no",
            "published_at": "market_sync_stamp()",  # the stamp the trigger gives updated_at
        },
        params,
    )
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")  # the bench's own session: a million commits
        cursor.execute(
            "DO $bench$ DECLARE deal bigint; BEGIN"
            " FOR deal IN SELECT d.id FROM marketplace_deal d WHERE NOT EXISTS"
            " (SELECT 1 FROM marketplace_result r WHERE r.deal_id = d.id) ORDER BY d.id LOOP "
            + connection.ops.compose_sql(sql, params)
            + "; COMMIT; END LOOP; END $bench$"
        )
        cursor.execute("RESET synchronous_commit")
    with connection.cursor() as cursor:
        # As autovacuum would in time (bench/catalogue.py does the same): hint bits set, the
        # visibility map and the statistics fresh, so that the timed reads do not write them.
        cursor.execute(
            "VACUUM (ANALYZE) listings_achievement, listings_listing, marketplace_deal, marketplace_result"
        )
    print(f"inserted {n} results in {time.perf_counter() - started:.1f} s", flush=True)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def measure(
    requests: int, rng: random.Random, *, raw_url: str, step: InStep | None = None
) -> dict[str, float]:
    import psycopg
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from accounts.services import api_token_create
    from marketplace.models import Result

    user, _ = User.objects.get_or_create(username="bench_reader")
    _token, key = api_token_create(user=user, read_only=True)
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    from django.db.models import Max, Min

    span = Result.objects.aggregate(first=Min("updated_at"), last=Max("updated_at"))
    stamps = [span["first"] + (span["last"] - span["first"]) * rng.random() for _ in range(200)]
    newest = list(Result.objects.order_by("-updated_at").values_list("updated_at", flat=True)[:600])
    api_ms: list[float] = []
    sql_ms: list[float] = []
    rows: list[int] = []
    statements_run: list[int] = []
    raw = psycopg.connect(raw_url, autocommit=True)

    def get(url: str, params: dict[str, str] | None = None) -> dict:
        with statements_kept(connection) as ran:
            t0 = time.perf_counter()
            response = client.get(url, params or {})
            api_ms.append((time.perf_counter() - t0) * 1000)
        body = response.json()
        assert response.status_code == 200, body
        rows.append(len(body["results"]))
        statements_run.append(len(ran))
        t0 = time.perf_counter()
        for sql in ran:  # the same statements, straight through psycopg
            cursor = raw.execute(sql)
            if cursor.description:
                cursor.fetchall()
        sql_ms.append((time.perf_counter() - t0) * 1000)
        return body

    step = step or InStep(0, requests)
    step.ready()
    for i in range(requests):
        step.turn()
        since = rng.choice(stamps).isoformat()
        kind = i % 4
        if kind == 3:
            # A sync: from a few hundred results before the newest to the end.
            body = get("/api/v1/results/", {"updated_since": newest[rng.randint(100, 599)].isoformat()})
            while body["next"]:
                body = get(body["next"])
        else:
            params = {"updated_since": since}
            if kind == 1:
                params["mode"] = rng.choice(MODES)
            elif kind == 2:
                params["field"] = rng.choice(FIELDS)
            body = get("/api/v1/results/", params)
            if body["next"]:
                get(body["next"])
        step.done()
    raw.close()
    return {
        "requests": len(api_ms),
        "p50": statistics.median(api_ms),
        "p95": pct(api_ms, 95),
        "sql_p50": statistics.median(sql_ms),
        "sql_p95": pct(sql_ms, 95),
        "rows_mean": statistics.mean(rows),
        "empty_pages": sum(1 for n in rows if n == 0),
        "statements_mean": statistics.mean(statements_run),
    }


def stale(url: str) -> bool:
    """Whether the bench database holds results of an older seed: every result written by one
    transaction, with 14-digit registration numbers (``updated_since`` then finds nothing)."""
    import psycopg

    with psycopg.connect(url) as conn:
        if conn.execute("SELECT to_regclass('marketplace_result')").fetchone()[0] is None:
            return False
        found = conn.execute(
            "SELECT 1 FROM marketplace_result WHERE length(contract_registration_no) <> 16 LIMIT 1"
        ).fetchone()
        return found is not None


def run_size(size: int, requests: int, *, in_step: int) -> dict[str, float]:
    """Measure one size in its own database (``..._bench_results_<size>``, kept for later runs)."""
    import psycopg

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/market")
    url = bench_database_url(base, size)
    ensure_database(url)
    if stale(url):
        name = urlsplit(url).path.lstrip("/")
        print(f"{name} holds an older seed (one transaction, 14-digit numbers): made anew", flush=True)
        admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}"')
        ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # A bench's output is its figures: no console e-mail backend dumping every message (#17.8).
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # Persistent connections, as a deployment runs (DB_CONN_MAX_AGE); with the default 0 every
    # request would also pay for a new PostgreSQL connection.
    os.environ.setdefault("DB_CONN_MAX_AGE", "60")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    grow(size)
    from config.warm import freeze_after_start

    freeze_after_start()  # as the web server's process does at its start (config.asgi)
    rng = random.Random(7)  # the same draws for both sizes: their n-th requests are of one kind
    measure(10, rng, raw_url=url)  # warm the caches and the connection
    return measure(requests, rng, raw_url=url, step=InStep(in_step, requests))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)  # one size, in a child process
    parser.add_argument("--requests", type=int, default=200, help=argparse.SUPPRESS)
    parser.add_argument("--in-step", type=int, default=0, help=argparse.SUPPRESS)  # bench/_in_step.py
    args = parser.parse_args()
    if args.size:
        print(result_line(run_size(args.size, args.requests, in_step=args.in_step)), flush=True)
        return
    sizes = (1_000, 20_000) if args.quick else (10_000, 1_000_000)
    figures = run_in_step(__file__, sizes, 40 if args.quick else 200)
    for size, f in figures.items():
        print(
            f"{size:>9,} results: {f['requests']} API requests (pages of syncs and second pages included),"
            f" {f['rows_mean']:.1f} rows and {f['statements_mean']:.1f} SQL statements per request,"
            f" {f['empty_pages']} empty pages\n"
            f"    through the API   p50 {f['p50']:6.2f} ms   p95 {f['p95']:6.2f} ms\n"
            f"    raw SQL (psycopg) p50 {f['sql_p50']:6.2f} ms   p95 {f['sql_p95']:6.2f} ms"
            "   (the limit: the same statements each request ran)",
            flush=True,
        )
    small, large = (figures[s] for s in sizes)
    ratio = large["p95"] / small["p95"]
    raw_ratio = large["sql_p95"] / small["sql_p95"]
    print()
    print(f"results API at scale: {sizes[0]:,} -> {sizes[1]:,} results")
    print(
        f"  API p95     {small['p95']:6.2f} ms -> {large['p95']:6.2f} ms   ratio {ratio:.2f}"
        f"   (targets at {sizes[1]:,}: p95 < 10 ms {'met' if large['p95'] < 10 else 'MISSED'},"
        f" ratio <= 1.2 {'met' if ratio <= 1.2 else 'MISSED'})"
    )
    print(
        f"  raw SQL p95 {small['sql_p95']:6.2f} ms -> {large['sql_p95']:6.2f} ms   ratio {raw_ratio:.2f}   (the limit)"
    )
    print(
        f"  load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} CPUs"
        " (the two sizes ran in step, ten requests at a time: the same minutes for both)"
    )


if __name__ == "__main__":
    main()
