"""Catalogue benchmark (#17.3): 100,000 and 1,000,000 published listings, 200 mixed catalogue requests each.

    python bench/catalogue.py            # 100,000 and 1,000,000 listings, 200 requests each, and the p95 ratio
    python bench/catalogue.py --quick    # smoke run (2,000 and 20,000 listings, 40 requests)
    python bench/catalogue.py --size N   # one size

Runs in its own database (``<DATABASE_URL's name>_bench_catalogue_<size>``, created and migrated if
missing; the listings are generated once and reused by later runs of the same size). Each request
goes through the real code path: the DRF view, ``listings.selectors.catalogue_list``, jieba, the
keyset cursor and the serializer, timed from request to rendered JSON, in a process warmed as the
web server's is at its start (``config.warm``: every view imported, the objects alive then frozen
out of the garbage collector's walks). The raw limit is the same
SQL statements the request ran, executed again straight through psycopg: what the database alone
costs, without Django, DRF or serialization. The statements are kept while the request runs by an
``execute_wrapper`` (``bench/_statements.py``), not by Django's ``CaptureQueriesContext``, whose
debug cursor timed and logged every statement inside the timed request: work the server does not do.
Both meet the data in memory: the catalogue's tables and indexes are read once before the requests
(``prewarm``), into PostgreSQL's shared buffers where they fit, so neither times the disk nor the
copy into the buffers. At 1,000,000 they are
~2.8 GB: run it against a server whose ``shared_buffers`` holds them (4 GB; PostgreSQL's default is
128 MB), as a server serving such a catalogue would be set (``deploy/compose.yaml``); the output
says when it does not.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from _in_step import InStep, result_line, run_in_step
from _statements import statements_kept

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HOLDERS = [
    "浙江大学",
    "浙江工业大学",
    "杭州电子科技大学",
    "宁波大学",
    "浙江理工大学",
    "中国计量大学",
    "浙江农林大学",
    "温州医科大学",
    "浙江师范大学",
    "浙江工商大学",
    "浙江中医药大学",
    "浙江海洋大学",
    "浙江科技大学",
    "绍兴文理学院",
    "浙江省农业科学院",
    "浙江省医学科学院",
    "中国科学院宁波材料技术与工程研究所",
    "之江实验室",
    "西湖大学",
    "浙江省化工研究院",
]

VOCAB = {
    "electronics": (
        [
            "人工智能",
            "深度学习",
            "图像识别",
            "5G通信",
            "物联网",
            "边缘计算",
            "区块链",
            "机器视觉",
            "毫米波雷达",
        ],
        ["芯片", "传感器", "天线", "服务器", "摄像头", "电路板", "数据中心", "通信模组"],
    ),
    "biomedicine": (
        ["单克隆抗体", "基因编辑", "mRNA", "靶向递送", "中药提取", "医学影像", "生物传感", "干细胞"],
        ["疫苗", "抗肿瘤药物", "诊断试剂盒", "人工关节", "止血材料", "心脏支架", "药物制剂"],
    ),
    "aerospace": (
        ["复合材料", "惯性导航", "姿态控制", "卫星遥感", "热防护"],
        ["无人机", "小卫星", "航空发动机叶片", "飞行控制器", "机载雷达"],
    ),
    "new_materials": (
        ["石墨烯", "碳纤维", "纳米", "稀土永磁", "钙钛矿", "高熵合金", "气凝胶"],
        ["涂层", "薄膜", "陶瓷", "高分子材料", "功能纤维", "磁性材料", "复合板材"],
    ),
    "tech_services": (
        ["大数据", "知识图谱", "数字孪生", "云计算", "自然语言处理"],
        ["检测平台", "评估系统", "咨询服务", "工业软件", "数据服务"],
    ),
    "new_energy": (
        ["固态电解质", "钠离子", "光伏", "氢燃料", "储能", "余热回收", "柔性直流"],
        ["锂电池", "电池管理系统", "逆变器", "电解槽", "风电叶片", "充电桩", "热泵"],
    ),
    "environment": (
        ["膜分离", "高级氧化", "生物降解", "吸附", "催化燃烧", "微生物"],
        ["污水处理", "土壤修复", "固废资源化", "废气治理", "污泥处置", "水质监测"],
    ),
    "advanced_manufacturing": (
        ["激光", "精密", "柔性", "视觉引导", "智能", "增材制造"],
        ["工业机器人", "数控机床", "减速器", "焊接设备", "3D打印", "注塑模具", "伺服电机"],
    ),
    "agriculture": (
        ["近红外光谱", "分子标记", "生物防治", "智能灌溉", "人工智能", "无人机植保"],
        ["茶叶", "水稻", "柑橘", "杨梅", "蚕桑", "水产养殖", "食用菌", "农药残留", "种质资源"],
    ),
    "other": (["低成本", "便携式", "模块化"], ["文物保护", "体育器材", "教学装置"]),
}
ACTIONS = ["检测", "制备", "优化", "控制", "监测", "识别", "分析", "回收", "合成", "评价", "加工", "育种"]
TITLES = [
    "一种基于{a}的{b}{c}方法",
    "{a}{b}及其制备方法",
    "一种{b}{c}装置",
    "基于{a}的{b}{c}系统",
    "高效{a}{b}{c}技术",
    "{b}{c}用{a}组合物",
]
SUMMARIES = [
    "本成果针对{b}{c}效率低、成本高的问题，提出了基于{a}的新工艺，经中试验证性能提升约{n}%，已获发明专利授权。",
    "项目采用{a}技术实现{b}的快速{c}，关键指标达到国内领先水平，适合在浙江省相关产业推广应用。",
    "该技术以{a}为核心，解决了{b}{c}过程中的稳定性难题，已在{n}家企业开展示范应用。",
]
QUERIES = [
    "人工智能",
    "茶叶",
    "锂电池",
    "石墨烯",
    "检测",
    "基因编辑",
    "污水处理",
    "工业机器人",
    "茶叶 品质",
    "光伏 储能",
    "疫苗",
    "浙江大学",
    "钙钛矿 薄膜",
    "水稻 育种",
    "无人机",
    "区块链",
    "固态电解质锂电池",
    "近红外光谱检测",
    # one character and parts of words (#14.13): what a person types first
    "茶",
    "光",
    "检",
    "膜",
    "电池",
    "石墨",
    "锂电",
    "机器人",
    "钛矿",
    "茶 检测",
]


def bench_database_url(base: str, size: int) -> str:
    parts = urlsplit(base)
    name = parts.path.lstrip("/") or "market"
    return urlunsplit(parts._replace(path=f"/{name}_bench_catalogue_{size}"))


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


POOL = 50_000  # distinct generated documents (title, summary, holder, field, maturity)


def generate(size: int) -> None:
    """Bring the published listings to ``size`` (achievements, listings with their terms, search vectors).

    The documents come from a pool of ``POOL`` random ones, made in Python as a holder would write
    them and indexed by ``listings.search`` (``segment_document``, ``TEXTS_SQL`` and ``FILTERS_SQL``, as the
    services index); the rows are then inserted set-based (``INSERT ... SELECT``, one transaction
    per 100,000), each drawing its document, mode, rights, terms and publication moment at random.
    The vocabulary is small (titles repeat long before a pool's size), so the pool changes no
    query's share of matches; it makes a million rows a matter of minutes instead of an hour."""
    from _common import insert_select
    from django.db import connection, transaction

    from accounts.models import Organization, User
    from accounts.validators import credit_code_check_char
    from listings.models import Achievement, Listing
    from listings.search import FILTERS_SQL, TEXTS_SQL, segment_document

    rng = random.Random(20261121)
    existing = Listing.objects.filter(status="published").count()
    if existing >= size:
        print(f"reusing {existing} published listings")
        return
    print(f"generating {size - existing} published listings ...", flush=True)
    started = time.perf_counter()
    user, _ = User.objects.get_or_create(username="bench_holder")
    holders = []
    for i, name in enumerate(HOLDERS):
        first17 = f"12330000BENCH{i:04d}"
        org, _ = Organization.objects.get_or_create(
            credit_code=first17 + credit_code_check_char(first17),
            defaults={"name": name, "kind": "university", "status": "verified", "created_by": user},
        )
        holders.append(org)
    fields = list(VOCAB)
    pool = min(POOL, size - existing)
    buffer = io.StringIO()
    for i in range(1, pool + 1):
        field = rng.choice(fields)
        techs, objects = VOCAB[field]
        words = {
            "a": rng.choice(techs),
            "b": rng.choice(objects),
            "c": rng.choice(ACTIONS),
            "n": rng.randint(3, 60),
        }
        holder = rng.choice(holders)
        title = rng.choice(TITLES).format(**words)[:200]
        summary = rng.choice(SUMMARIES).format(**words)
        row = [i, holder.pk, field, title, summary, rng.randint(3, 9)]
        row += [segment_document(title), segment_document(summary), segment_document(holder.name)]
        buffer.write("\t".join(map(str, row)) + "\n")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_doc (i int, holder_id bigint, field text, title text, summary text,"
            " maturity int, t text, s text, h text)"
        )
        with cursor.cursor.copy("COPY bench_doc FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        cursor.execute(
            "CREATE TEMP TABLE bench_pool AS SELECT i, holder_id, field, title, summary, maturity,"
            # the texts' part of the vector; the listing's field, mode and rights follow per row
            f" {TEXTS_SQL.format(t='t', s='s', h='h')} AS v FROM bench_doc"
        )
        cursor.execute("CREATE UNIQUE INDEX ON bench_pool (i)")
    print(f"  {pool} documents made and indexed ({time.perf_counter() - started:.0f} s)", flush=True)
    batch = 100_000
    remaining = size - existing
    while remaining > 0:
        count = min(batch, remaining)
        remaining -= count
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT setseed(%s)", [((size - remaining) % 997) / 997])
            cursor.execute("SELECT coalesce(max(id), 0) FROM listings_achievement")
            a_base = cursor.fetchone()[0]
            cursor.execute("SELECT coalesce(max(id), 0) FROM listings_listing")
            l_base = cursor.fetchone()[0]
            cursor.execute(
                "CREATE TEMP TABLE bench_batch ON COMMIT DROP AS SELECT"
                f" {a_base} + g AS aid, {l_base} + g AS lid, 1 + floor(random() * {pool})::int AS i,"
                " random() AS m, (ARRAY['transfer','license_exclusive','license_sole','license_general','equity'])"
                "[1 + floor(random() * 5)::int] AS rights,"
                " now() - (1 + floor(random() * 525600)::int) * interval '1 minute' AS published,"
                " (5 + floor(random() * 496)::int) * 10000 AS price,"
                " now() + (1 + floor(random() * 2000)::int) * interval '1 hour' AS ends,"
                " (5 + floor(random() * 196)::int) * 10000 AS start_price,"
                " now() + (1 + floor(random() * 1000)::int) * interval '1 hour' AS starts"
                f" FROM generate_series(1, {count}) AS g"
            )
            params: list = []
            cursor.execute(
                insert_select(
                    Achievement,
                    "bench_batch b JOIN bench_pool p USING (i) ORDER BY b.aid",
                    {
                        "id": "b.aid",
                        "holder_id": "p.holder_id",
                        "title": "p.title",
                        "summary": "p.summary",
                        "field": "p.field",
                        "kind": "'applied'",
                        "maturity": "p.maturity",
                        "created_by_id": str(user.pk),
                    },
                    params,
                ),
                params,
            )
            mode = (
                "(CASE WHEN b.m < 0.5 THEN 'negotiated' WHEN b.m < 0.8 THEN 'fixed_price' ELSE 'auction' END)"
            )
            params = []
            cursor.execute(
                insert_select(
                    Listing,
                    "bench_batch b JOIN bench_pool p USING (i) ORDER BY b.lid",
                    {
                        "id": "b.lid",
                        "achievement_id": "b.aid",
                        "mode": mode,
                        "rights": "b.rights",
                        "status": "'published'",
                        "published_at": "b.published",
                        "submitted_at": "b.published",
                        "asking_price": "CASE WHEN b.m < 0.5 THEN b.price END",
                        "notice_days": "CASE WHEN b.m < 0.5 THEN 15 END",
                        "price": "CASE WHEN b.m >= 0.5 AND b.m < 0.8 THEN b.price END",
                        "listing_ends_at": "CASE WHEN b.m >= 0.5 AND b.m < 0.8 THEN b.ends END",
                        "start_price": "CASE WHEN b.m >= 0.8 THEN b.start_price END",
                        "increment": "CASE WHEN b.m >= 0.8 THEN 1000 END",
                        "deposit": "CASE WHEN b.m >= 0.8 THEN 10000 END",
                        "starts_at": "CASE WHEN b.m >= 0.8 THEN b.starts END",
                        "ends_at": "CASE WHEN b.m >= 0.8 THEN b.starts + interval '2 hours' END",
                        "extension_seconds": "CASE WHEN b.m >= 0.8 THEN 300 END",
                        "search_vector": "p.v || " + FILTERS_SQL.format(f="p.field", m=mode, r="b.rights"),
                    },
                    params,
                ),
                params,
            )
        print(f"  {size - remaining - existing} inserted ({time.perf_counter() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        for table in ("listings_achievement", "listings_listing"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        # as autovacuum would in time: hint bits set and statistics fresh, or the first reads of
        # every page would write it back and the planner would guess
        cursor.execute("VACUUM (ANALYZE) listings_listing")
        cursor.execute("VACUUM (ANALYZE) listings_achievement")
    print(f"generated in {time.perf_counter() - started:.0f} s")


# What a catalogue page reads: the listings, their achievements, holders and auctions, with every
# index of each.
CATALOGUE_TABLES = ("listings_listing", "listings_achievement", "accounts_organization", "auctions_auction")


def prewarm(url: str) -> str:
    """Read the catalogue's tables and their indexes once (``pg_prewarm``), as the memory of a
    database server that serves them holds them: into PostgreSQL's shared buffers when they fit
    there, else into the operating system's file cache; says which, or why neither.

    At 1,000,000 listings they are ~2.8 GB. Emptied caches made the API's requests read them from
    the disk while the raw replay that follows each request found them in memory (p95 40.6, 81.8
    and 242.6 ms in three runs, the raw SQL's 15-17 ms in all three). Read into the file cache
    only, with PostgreSQL's default 128 MB of shared buffers, each request copied most of its
    pages from the file cache into the buffers and the replay found them there: the same
    unfairness one level up (1,000,000: p95 35.8 ms against 28.6 ms with the tables in 4 GB of
    shared buffers; the 100,000's fit either way). The comparison is fair only when the buffers
    hold the catalogue; the line printed says when they do not."""
    import psycopg

    started = time.perf_counter()
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            relations = (
                " FROM pg_class c WHERE c.oid = ANY(%(t)s::regclass[])"
                " OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = ANY(%(t)s::regclass[]))"
            )
            tables = {"t": list(CATALOGUE_TABLES)}
            sizes = conn.execute(
                "SELECT coalesce(sum(pg_relation_size(c.oid)), 0),"
                " (SELECT setting::bigint * current_setting('block_size')::bigint"
                "  FROM pg_settings WHERE name = 'shared_buffers')" + relations,
                tables,
            ).fetchone()
            assert sizes is not None
            size, buffers = sizes
            # room left for what else the server keeps there (catalogs, the other tables' pages)
            mode = "buffer" if size <= 0.8 * buffers else "read"
            row = conn.execute(
                f"SELECT count(*), sum(pg_prewarm(c.oid, '{mode}'))" + relations, tables
            ).fetchone()
    except psycopg.Error as error:
        return f"not read in advance (pg_prewarm: {str(error).strip()}): first reads may come from the disk"
    assert row is not None
    read = (
        f"{row[0]} tables and indexes ({size / 2**20:,.0f} MiB) read in advance"
        f" ({time.perf_counter() - started:.1f} s, pg_prewarm)"
    )
    if mode == "buffer":
        return f"{read} into PostgreSQL's shared buffers ({buffers / 2**20:,.0f} MiB)"
    return (
        f"{read} into the file cache only: PostgreSQL's shared buffers ({buffers / 2**20:,.0f} MiB) are"
        " smaller, so each request copies its pages into them and the raw replay after it finds them"
        " there (the API's figures are then the higher for it; set shared_buffers above the tables'"
        " size, as a server serving them would have it)"
    )


def mixed_requests(count: int, rng: random.Random) -> list[dict]:
    from django.utils import timezone

    requests = []
    for _ in range(count):
        params: dict = {}
        if rng.random() < 0.5:
            params["q"] = rng.choice(QUERIES)
        if rng.random() < 0.35:
            params["mode"] = rng.choice(["negotiated", "fixed_price", "auction"])
        if rng.random() < 0.3:
            params["field"] = rng.choice(list(VOCAB))
        if rng.random() < 0.15:
            params["rights"] = rng.choice(["transfer", "license_general", "equity"])
        roll = rng.random()
        if roll < 0.1:
            params["updated_since"] = (
                timezone.now() - timezone.timedelta(days=rng.randint(1, 30))
            ).isoformat()
        elif roll < 0.4:
            params["ordering"] = rng.choice(["newest", "ending"])
        params["second_page"] = rng.random() < 0.25
        requests.append(params)
    return requests


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="2,000 and 20,000 listings, 40 requests")
    parser.add_argument("--size", type=int, default=None, help="one size only (no ratio)")
    parser.add_argument("--requests", type=int, default=None)
    parser.add_argument(
        "--in-step",
        type=int,
        default=0,
        help="(used by the two-size run, bench/_in_step.py) time N requests each time a line arrives on stdin",
    )
    args = parser.parse_args()
    count = args.requests or (40 if args.quick else 200)
    if args.size is None:
        scale(sizes=(2000, 20_000) if args.quick else (100_000, 1_000_000), count=count)
        return
    size = args.size

    base = os.environ.get("DATABASE_URL")
    if not base:
        sys.exit("Set DATABASE_URL (the benchmark makes its own database next to it).")
    url = bench_database_url(base, size)
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # A bench's output is its figures: no console e-mail backend dumping every message (#17.8).
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    os.environ.setdefault("THROTTLE_ANON", "1000000/min")
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django

    django.setup()
    import psycopg
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from rest_framework.test import APIClient

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    generate(size)
    in_memory = prewarm(url)

    from listings.search import tokenizer

    tokenizer()  # the dictionary loads once per process; not part of any request
    client = APIClient()
    client.get("/api/v1/listings/")  # warm caches and imports
    from config.warm import freeze_after_start

    freeze_after_start()  # as the web server's process does at its start (config.asgi)

    rng = random.Random(7)
    timings: list[float] = []
    raw_timings: list[float] = []
    cpu_timings: list[float] = []  # Python's own work (DRF, jieba, serializers), contention excluded
    raw = psycopg.connect(url, autocommit=True)
    results = 0
    slowest: list[tuple[float, float, dict]] = []
    step = InStep(args.in_step, count)
    step.ready()
    for params in mixed_requests(count, rng):
        step.turn()
        second = params.pop("second_page")
        if second:
            first = client.get("/api/v1/listings/", params).json()
            target = first["next"]
        else:
            target = None
        with statements_kept(connection) as statements:
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(target) if target else client.get("/api/v1/listings/", params)
            timings.append((time.perf_counter() - started) * 1000)
            cpu_timings.append((time.process_time() - cpu_started) * 1000)
        assert response.status_code == 200, response.content
        results += len(response.json()["results"])
        started = time.perf_counter()
        for sql in statements:
            raw.execute(sql).fetchall()
        raw_timings.append((time.perf_counter() - started) * 1000)
        slowest.append((timings[-1], raw_timings[-1], {**params, "page": 2 if second else 1}))
        step.done()
    raw.close()

    published = size
    print()
    print(
        f"catalogue: {published} published listings, {count} mixed requests (filters, Chinese q, orders, cursors)"
    )
    print(f"  {in_memory}")
    print(
        f"  through the API   p50 {statistics.median(timings):7.1f} ms   p95 {percentile(timings, 95):7.1f} ms   max {max(timings):7.1f} ms"
    )
    print(
        f"  raw SQL (psycopg) p50 {statistics.median(raw_timings):7.1f} ms   p95 {percentile(raw_timings, 95):7.1f} ms   max {max(raw_timings):7.1f} ms"
    )
    print(
        f"  Python CPU/request p50 {statistics.median(cpu_timings):7.1f} ms   p95 {percentile(cpu_timings, 95):7.1f} ms"
        "   (the API's own work; the rest of its wall time is the database and waiting for a core)"
    )
    print("  slowest requests (API ms, raw ms, parameters):")
    for api_ms, raw_ms, params in sorted(slowest, key=lambda row: -row[0])[:8]:
        print(f"    {api_ms:7.1f} {raw_ms:7.1f}  {params}")
    print(
        f"  {results} rows returned in total; {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print(
        result_line(
            {
                "size": size,
                "p95": percentile(timings, 95),
                "raw_p95": percentile(raw_timings, 95),
                "cpu_p50": statistics.median(cpu_timings),
                "load": list(os.getloadavg()),
            }
        ),
        flush=True,
    )


def scale(*, sizes: tuple[int, int], count: int) -> None:
    """Each size in its own process (its own database), the two timed in step, ten requests at a
    time (``bench/_in_step.py``), then the p95s side by side (#17.3)."""
    _compare(run_in_step(__file__, sizes, count), sizes)


def _compare(found: dict[int, dict], sizes: tuple[int, int]) -> None:
    small, big = (found[n] for n in sizes)
    ratio = big["p95"] / small["p95"]
    raw_ratio = big["raw_p95"] / small["raw_p95"]
    print()
    print(f"catalogue at scale: {sizes[0]:,} -> {sizes[1]:,} listings")
    print(
        f"  API p95   {small['p95']:7.1f} ms -> {big['p95']:7.1f} ms   ratio {ratio:.2f}"
        f"   (targets at {sizes[1]:,}: p95 < 50 ms {'met' if big['p95'] < 50 else 'MISSED'},"
        f" ratio <= 1.5 {'met' if ratio <= 1.5 else 'MISSED'})"
    )
    print(f"  Python CPU/request p50 {small['cpu_p50']:5.1f} ms -> {big['cpu_p50']:5.1f} ms")
    for size in sizes:
        print(f"  load average during the {size:,} run: {' '.join(f'{x:.2f}' for x in found[size]['load'])}")
    print(
        f"  raw SQL p95 {small['raw_p95']:5.1f} ms -> {big['raw_p95']:7.1f} ms   ratio {raw_ratio:.2f}   (the limit)"
    )
    print(f"  load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
