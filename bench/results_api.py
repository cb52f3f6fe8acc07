"""Results API benchmark: GET /api/v1/results/ at 10,000 and 1,000,000 published deals.

    python bench/results_api.py            # 10,000 then 1,000,000 results
    python bench/results_api.py --quick    # smoke run: 1,000 then 20,000

Each size runs in its own process and database (``<DATABASE_URL's name>_bench_results_<size>``,
created and migrated if missing; rows are generated once and reused by later runs). Rows are bulk-inserted
with INSERT ... SELECT generate_series: achievements, listings, deals and their results, all real
rows under the real constraints. Each request goes through the real code path (URL routing, token
authentication with a read-only token, the DRF view, ``marketplace.selectors.results_list``, the
``(updated_at, id)`` cursor and the serializer), timed from request to rendered JSON:

- random pages: ``updated_since`` at a random point, optionally with a ``mode`` or ``field`` filter,
  then the page its ``next`` cursor points to;
- syncs: ``updated_since`` a few hundred results before the newest, followed page by page to the end.

Connections persist between requests (``DB_CONN_MAX_AGE=60``, as in a deployment). The raw limit
replays exactly the SQL each API request ran (captured while it ran: the token lookup, the
watermark, the ``updated_since`` position, the page with its filters, second pages and every page
of a sync), statement by statement through the same database cursor, and sums it per request:
what PostgreSQL costs without Django or DRF. Both figures are per request, over the same requests.
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


def _insert_select(model: Any, count_sql: str, exprs: dict[str, str], params: list[Any]) -> str:
    from django.db import connection

    """An INSERT ... SELECT over ``generate_series`` for ``model``: given columns from ``exprs``
    (SQL over ``g``, the series), every other column its Django default, so that columns other
    engineers add later keep this script working."""
    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key or getattr(field, "generated", False):
            continue
        columns.append(f'"{field.column}"')
        if field.column in exprs:
            values.append(exprs[field.column])
        elif field.null:
            values.append("NULL")
        elif field.get_internal_type() == "DateTimeField":
            values.append("now()")
        elif field.get_internal_type() == "DateField":
            values.append("current_date")
        else:
            values.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection=connection))
    table = model._meta.db_table
    return f'INSERT INTO "{table}" ({", ".join(columns)}) SELECT {", ".join(values)} FROM {count_sql}'


def grow(size: int) -> None:
    """Bring the number of published results to ``size``."""
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
        sql = _insert_select(
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
        sql = _insert_select(
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
        sql = _insert_select(
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
            },
            params,
        )
        cursor.execute(sql, params)
        # Results as result_publish writes them: strictly increasing, unique updated_at.
        cursor.execute("SELECT coalesce(max(updated_at), now() - interval '3 years') FROM marketplace_result")
        start_at = cursor.fetchone()[0]
        params = []
        sql = _insert_select(
            Result,
            "(SELECT d.*, row_number() OVER (ORDER BY d.id) AS g FROM marketplace_deal d "
            "WHERE NOT EXISTS (SELECT 1 FROM marketplace_result r WHERE r.deal_id = d.id)) d "
            "JOIN listings_listing l ON l.id = d.listing_id JOIN listings_achievement a ON a.id = l.achievement_id",
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
                "contract_registration_no": "'3301' || lpad(d.id::text, 10, '0')",
                "published_at": f"'{start_at.isoformat()}'::timestamptz + (g || ' milliseconds')::interval",
                "updated_at": f"'{start_at.isoformat()}'::timestamptz + (g || ' milliseconds')::interval",
            },
            params,
        )
        cursor.execute(sql, params)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE listings_achievement, listings_listing, marketplace_deal, marketplace_result")
    print(f"inserted {n} results in {time.perf_counter() - started:.1f} s", flush=True)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def measure(requests: int, rng: random.Random) -> dict[str, float]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

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

    def get(url: str, params: dict[str, str] | None = None) -> dict:
        with CaptureQueriesContext(connection) as ran:
            t0 = time.perf_counter()
            response = client.get(url, params or {})
            body = response.json()
            api_ms.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, body
        statements = [q["sql"] for q in ran.captured_queries]
        with connection.cursor() as cursor:
            t0 = time.perf_counter()
            for sql in statements:  # the same statements, straight through the cursor
                cursor.execute(sql)
                if cursor.description:
                    cursor.fetchall()
            sql_ms.append((time.perf_counter() - t0) * 1000)
        return body

    for i in range(requests):
        since = rng.choice(stamps).isoformat()
        kind = i % 4
        if kind == 3:
            # A sync: from a few hundred results before the newest to the end.
            body = get("/api/v1/results/", {"updated_since": newest[rng.randint(100, 599)].isoformat()})
            while body["next"]:
                body = get(body["next"])
            continue
        params = {"updated_since": since}
        if kind == 1:
            params["mode"] = rng.choice(MODES)
        elif kind == 2:
            params["field"] = rng.choice(FIELDS)
        body = get("/api/v1/results/", params)
        if body["next"]:
            get(body["next"])
    return {
        "requests": len(api_ms),
        "p50": statistics.median(api_ms),
        "p95": pct(api_ms, 95),
        "sql_p50": statistics.median(sql_ms),
        "sql_p95": pct(sql_ms, 95),
    }


def run_size(size: int, requests: int) -> dict[str, float]:
    """Measure one size in its own database (``..._bench_results_<size>``, kept for later runs)."""
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/market")
    url = bench_database_url(base, size)
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
    rng = random.Random(size)
    measure(10, rng)  # warm the caches and the connection
    return measure(requests, rng)


def main() -> None:
    import json
    import subprocess

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)  # one size, in a child process
    parser.add_argument("--requests", type=int, default=200, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.size:
        print(json.dumps(run_size(args.size, args.requests)))
        return
    sizes = (1_000, 20_000) if args.quick else (10_000, 1_000_000)
    requests = 40 if args.quick else 200
    figures = {}
    for size in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--size", str(size), "--requests", str(requests)],
            check=True,
            capture_output=True,
            text=True,
        )
        sys.stderr.write(out.stderr)
        lines = out.stdout.strip().splitlines()
        for line in lines[:-1]:
            print(line, flush=True)
        figures[size] = f = json.loads(lines[-1])
        print(
            f"{size:>9,} results: {f['requests']} requests  p50 {f['p50']:.1f} ms  p95 {f['p95']:.1f} ms   "
            f"(raw SQL limit: p50 {f['sql_p50']:.2f} ms  p95 {f['sql_p95']:.2f} ms)",
            flush=True,
        )
    small, large = (figures[s] for s in sizes)
    print(f"p95 ratio {sizes[1]:,} / {sizes[0]:,}: {large['p95'] / small['p95']:.2f}  (target <= 1.5)")
    print(f"p95 at {sizes[1]:,}: {large['p95']:.1f} ms  (target < 30 ms)")


if __name__ == "__main__":
    main()
