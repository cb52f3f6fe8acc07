"""Full-stack bid acknowledgement (#17.1): bidders through the real server, beside the engine and the SQL floor.

    python bench/bid_stack.py                    # 32 bidders, 10 s per variant, both pacings below
    python bench/bid_stack.py --quick            # 8 bidders, 2 s per variant: a smoke run
    python bench/bid_stack.py --interval 0.5     # another fixed rate (seconds between one bidder's bids)
    python bench/bid_stack.py --no-closed-loop   # the target's block only

A throwaway database (migrated like the test database, dropped at the end) and uvicorn serving
``config.asgi`` with ``--workers 2`` on a free port (``bench/_common.py``, shared with
``bid_engine.py`` and ``live_room.py``). Each variant runs on a fresh live auction with its own
registered bidders. A bidder loops as ``bench/bid_engine.py``'s do: look at the current price (plain
SELECT, no lock, not timed), pick one to three increments above it, bid, wait for the answer. Many
attempts lose the race (below_minimum, already_leading) exactly as live bidders do; every attempt's
time counts, accepted or refused, from sending the bid to its answer.

How the bidders pace themselves (two blocks are printed, each with all four variants):

* **Fixed rate (the target's block)**: each bidder bids every ``--interval`` seconds (default 0.2 s:
  5 a second, the live room's per-bidder limit ``AUCTION_BID_RATE_PER_SECOND``, the most the market
  lets a bidder send), the bidders staggered evenly over the interval: 32 bidders offer 160 attempts
  a second whatever the server's pace (an open loop). A bid whose moment comes while the bidder's
  last one is still out goes as soon as it is answered and is counted as late (printed): a server
  that falls behind shows there as well as in p99.
* **Closed loop (capacity, no target)**: each bidder bids again as soon as it has its answer, as
  this bench did before. Then every bidder always has a bid out, and by Little's law p50 is about
  bidders / throughput: it measures how many bids a second the stack carries on this machine, not
  how long one bid waits at a given load.

The server variants' bidders are tasks of **one** asyncio load-generator process on uvloop (one
keep-alive HTTP connection or one socket per bidder), forked before the timed seconds: a process per
bidder (32 interpreters waking at once on 2 cores) took the CPU the server needed. HTTP goes through
a minimal HTTP/1.1 client (``_KeepAlive``: the request's fixed part built once), not httpx, whose
CPU per request was a third of the server's on the same cores. The in-process variants'
bidders are processes (the engine runs in them), paced the same way.

* http: ``POST /api/v1/auctions/{id}/bids/`` with ``Authorization: Token <key>`` and a fresh
  ``Idempotency-Key``; timed from the request to the response (201 or the refusal's ``{"code", ...}``).
* ws: the live room ``ws://HOST/ws/auctions/{id}/`` with ``Authorization: Token <key>``;
  ``{"type": "bid", "amount", "key"}`` timed to the ``bid.accepted`` or ``bid.rejected`` carrying
  that key (the room's ``bid`` broadcasts to every bidder are read in between, as a client must).
* engine and raw: ``bench/bid_engine.py``'s in-process ``bid_place`` and plain-SQL transaction,
  the same run, the same bidder count and pacing: what the server adds is the difference.

For each server variant the CPU spent in its timed seconds is printed per attempt: the server's
workers, the PostgreSQL backends of the bench database (the server's pool and the bidders' price
looks), the load generator; and how busy the whole machine was (everyone's work, from
``/proc/stat``). On two cores the server's latency is its CPU plus its wait for a CPU: these say
which.

The server is warmed with a few reads first, and every variant's bidders bid for one second before
the timed seconds (not timed). The bench server must not rate-limit the bench's bidders: it runs
with ``THROTTLE_USER`` and ``THROTTLE_ANON`` (DRF's throttles, still counted in Redis on every
request) and ``AUCTION_BID_RATE_PER_SECOND`` (the live room's per-bidder limit) set to 1,000,000;
a ``throttled``/``rate_limited`` answer is counted and printed (expected 0). E-mail goes to the
dummy backend in the server as in this process; the server's log goes to a temporary file (named
at the end), not among the figures. Targets (#17.1): at 32 bidders p99 <= 50 ms over HTTP and
<= 30 ms over the WebSocket, at the fixed rate. The machine's load average is printed at the start,
before each block and at the end: the host is shared, and others' work inflates every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing as mp
import os
import random
import resource
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import bid_engine
import httpx
import psycopg
from _common import (  # sets Django up for a bench
    bench_database,
    drop_bench_database,
    dsn,
    free_port,
    percentiles,
    start_server,
    stop_server,
)
from django.db import connections
from websockets.asyncio.client import connect

logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request: a bench's output is its figures
UNTHROTTLED = {
    "THROTTLE_USER": "1000000/min",
    "THROTTLE_ANON": "1000000/min",
    "AUCTION_BID_RATE_PER_SECOND": "1000000",
}
TARGETS = {"http": 50.0, "ws": 30.0}
RATE_PER_BIDDER = 5.0  # settings.MARKET["AUCTION_BID_RATE_PER_SECOND"]'s default: the most a bidder may send
WARM_SECONDS = 1.0


async def _look(conn: psycopg.AsyncConnection, auction_id: int) -> Decimal | None:
    """The client's look at the price, as bid_engine's bidders take it."""
    cur = await conn.execute("SELECT current_price FROM auctions_auction WHERE id = %s", (auction_id,))
    row = await cur.fetchone()
    assert row is not None
    return row[0]


class _Tally:
    def __init__(self) -> None:
        self.lat: list[float] = []
        self.answers: Counter[str] = Counter()
        self.late = 0


async def _paced(
    start_at: float, stop: float, interval: float, phase: float, tally: _Tally
) -> AsyncIterator[float]:
    """A bidder's moments (as ``bid_engine._paced``): closed loop with ``interval`` 0, otherwise every
    ``interval`` s from ``phase``; a moment that passed while the last bid was out goes at once and
    counts as late."""
    began = start_at - WARM_SECONDS + (phase if interval else 0.0)
    k = 0
    while True:
        at = began + k * interval
        k += 1
        wait = at - time.time()
        if wait > 0:
            await asyncio.sleep(wait)
        elif interval and -wait > interval / 2 and time.time() >= start_at:
            tally.late += 1
        now = time.time()
        if now >= stop:
            return
        yield now


class _KeepAlive:
    """A minimal HTTP/1.1 keep-alive client: one connection, one request at a time, the request's
    fixed part built once. httpx's AsyncClient spent 1.1 ms of CPU per bid on the same two cores as
    the server (this one 0.2 ms; the server's workers 3.6 ms): the bench measured its own client
    as the server's time."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port = host, port
        self.fixed = (
            f"Host: {host}:{port}\r\nAuthorization: Token {token}\r\n"
            "Content-Type: application/json\r\nAccept: application/json\r\n"
        ).encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> _KeepAlive:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.writer is not None
        self.writer.close()

    async def post(self, path: str, body: bytes, headers: bytes = b"") -> tuple[int, bytes]:
        assert self.reader is not None and self.writer is not None
        self.writer.write(
            b"POST "
            + path.encode()
            + b" HTTP/1.1\r\n"
            + self.fixed
            + headers
            + b"Content-Length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body
        )
        head = (await self.reader.readuntil(b"\r\n\r\n")).lower()
        status = int(head[9:12])
        at = head.find(b"\r\ncontent-length:")
        if at >= 0:
            return status, await self.reader.readexactly(int(head[at + 17 : head.index(b"\r\n", at + 2)]))
        assert b"\r\ntransfer-encoding: chunked" in head, head
        chunks = []
        while size := int((await self.reader.readuntil(b"\r\n"))[:-2].split(b";")[0], 16):
            chunks.append((await self.reader.readexactly(size + 2))[:-2])
        await self.reader.readuntil(b"\r\n")
        return status, b"".join(chunks)


async def _http_bidder(
    base: str,
    auction_id: int,
    token: str,
    seed: int,
    database: str,
    start_at: float,
    seconds: float,
    interval: float,
    phase: float,
    tally: _Tally,
) -> None:
    rng = random.Random(seed)
    host, port = base.removeprefix("http://").split(":")
    path = f"/api/v1/auctions/{auction_id}/bids/"
    async with (
        await psycopg.AsyncConnection.connect(database, autocommit=True) as conn,
        _KeepAlive(host, int(port), token) as client,
    ):
        async for now in _paced(start_at, start_at + seconds, interval, phase, tally):
            amount = bid_engine.pick(rng, await _look(conn, auction_id))
            body = b'{"amount": "%s"}' % f"{amount:.2f}".encode()
            key = b"Idempotency-Key: " + uuid.uuid4().hex.encode() + b"\r\n"
            t0 = time.perf_counter()
            status, answer = await client.post(path, body, key)
            elapsed = time.perf_counter() - t0
            if now >= start_at:
                tally.lat.append(elapsed)
                tally.answers[
                    "accepted" if status == 201 else str(json.loads(answer).get("code", status))
                ] += 1


async def _ws_bidder(
    url: str,
    auction_id: int,
    token: str,
    seed: int,
    database: str,
    start_at: float,
    seconds: float,
    interval: float,
    phase: float,
    tally: _Tally,
) -> None:
    rng = random.Random(seed)
    async with (
        await psycopg.AsyncConnection.connect(database, autocommit=True) as conn,
        connect(url, additional_headers={"Authorization": f"Token {token}"}, max_size=2**22) as ws,
    ):
        await ws.recv()  # the snapshot
        async for now in _paced(start_at, start_at + seconds, interval, phase, tally):
            amount = bid_engine.pick(rng, await _look(conn, auction_id))
            key = uuid.uuid4().hex
            t0 = time.perf_counter()
            await ws.send(json.dumps({"type": "bid", "amount": f"{amount:.2f}", "key": key}))
            while True:  # the room's broadcasts come in between, as a client must read them
                m = json.loads(await ws.recv())
                if m.get("key") == key and m["type"] in ("bid.accepted", "bid.rejected"):
                    break
            elapsed = time.perf_counter() - t0
            if now >= start_at:
                tally.lat.append(elapsed)
                tally.answers["accepted" if m["type"] == "bid.accepted" else m["code"]] += 1


def _cpu_seconds(pid: int) -> float:
    """A process's user + system CPU seconds so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    """The server's worker processes (uvicorn's supervisor forks them)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _machine_jiffies() -> tuple[int, int]:
    """(busy, total) CPU time of the whole machine, every process of everyone included."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


async def _account(start_at: float, stop: float, server_pids: list[int], database: str, done: dict) -> None:
    """Who spent the CPU during the timed seconds: the server's workers, the PostgreSQL backends of
    the bench database (the server's pool and the bidders' price looks), this load generator, and
    the machine as a whole (others' work included)."""
    async with await psycopg.AsyncConnection.connect(database, autocommit=True) as conn:
        await asyncio.sleep(max(0.0, start_at - time.time()))
        cur = await conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        backends = [pid for (pid,) in await cur.fetchall()]

        def snap() -> tuple[float, float, float, tuple[int, int]]:
            me = resource.getrusage(resource.RUSAGE_SELF)
            return (
                sum(_cpu_seconds(p) for p in server_pids),
                sum(_cpu_seconds(p) for p in backends),
                me.ru_utime + me.ru_stime,
                _machine_jiffies(),
            )

        before, t0 = snap(), time.time()
        await asyncio.sleep(max(0.0, stop - time.time()))
        after, wall = snap(), time.time() - t0
    busy = (after[3][0] - before[3][0]) / max(1, after[3][1] - before[3][1])
    done.update(
        server=after[0] - before[0],
        postgres=after[1] - before[1],
        client=after[2] - before[2],
        machine_busy=busy,
        wall=wall,
    )


def load_generator(
    kind: str,
    where: str,
    auction_id: int,
    tokens: list[str],
    database: str,
    start_at: float,
    seconds: float,
    interval: float,
    server_pids: list[int],
    out: mp.Queue,
) -> None:
    """Every bidder of a server variant, as tasks of one asyncio process on uvloop: a process per
    bidder (32 interpreters waking on 2 cores) took the CPU the server needed."""
    import uvloop

    bidder = _http_bidder if kind == "http" else _ws_bidder
    tally = _Tally()
    cpu: dict = {}
    n = len(tokens)

    async def everyone() -> None:
        await asyncio.gather(
            _account(start_at, start_at + seconds, server_pids, database, cpu),
            *(
                bidder(
                    where,
                    auction_id,
                    tokens[i],
                    i,
                    database,
                    start_at,
                    seconds,
                    interval,
                    interval * i / n,
                    tally,
                )
                for i in range(n)
            ),
        )

    uvloop.run(everyone())
    out.put((tally.lat, dict(tally.answers), tally.late, cpu))


def run_server_side(kind: str, n: int, seconds: float, server: int, port: int, interval: float) -> dict:
    from accounts.models import User
    from accounts.services import api_token_create
    from auctions.models import Auction

    auction_id, users, _ = bid_engine.make_auction(n)
    Auction.objects.filter(pk=auction_id).update(status="live")  # as bid_engine's auctions start
    tokens = [api_token_create(user=u)[1] for u in User.objects.filter(pk__in=users)]
    database = dsn()
    connections.close_all()
    out: mp.Queue = mp.Queue()
    start_at = time.time() + 2.0 + WARM_SECONDS
    where = (
        f"http://127.0.0.1:{port}" if kind == "http" else f"ws://127.0.0.1:{port}/ws/auctions/{auction_id}/"
    )
    proc = mp.Process(
        target=load_generator,
        args=(kind, where, auction_id, tokens, database, start_at, seconds, interval, _children(server), out),
    )
    proc.start()
    lat, answers_seen, late, cpu = out.get(timeout=seconds + 180)
    proc.join()
    answers: Counter[str] = Counter(answers_seen)
    q = percentiles(lat)
    return {
        "attempts_s": len(lat) / seconds,
        "accepted_s": answers["accepted"] / seconds,
        "p50_ms": q[49],
        "p99_ms": q[98],
        "answers": answers,
        "late": late,
        "cpu": cpu,
        "lat": lat,
    }


def warm_server(port: int, auction_id: int) -> None:
    """A fresh worker spends its first requests loading views and opening its pool: some
    unauthenticated reads over several connections (uvicorn hands them to both workers), untimed."""
    for _ in range(8):
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            for _ in range(5):
                client.get(f"/api/v1/auctions/{auction_id}/bids/")


def warm_here() -> int:
    """One bid in this process before any bidder is forked: the first ``bid_place`` of a process
    imports and builds what it lazily needs (half a second of CPU here), which forked bidders would
    otherwise each pay at once, inside the timed window of a short run."""
    from accounts.models import User
    from auctions.models import Auction
    from auctions.services import bid_place

    auction_id, users, _ = bid_engine.make_auction(1)
    Auction.objects.filter(pk=auction_id).update(status="live")
    bid_place(auction_id=auction_id, user=User.objects.get(pk=users[0]), amount="1000.00", key="warm")
    return auction_id


NAMES = {
    "http": "HTTP POST bids/ (uvicorn)",
    "ws": "WebSocket live room (uvicorn)",
    "engine": "bid_place in-process",
    "raw": "plain-SQL transaction",
}


def measure_block(n: int, seconds: float, server: int, port: int, interval: float) -> None:
    """The four variants with one pacing: ``interval`` s between a bidder's bids, or 0: a closed loop."""
    paced = (
        f"each bidder every {interval * 1000:.0f} ms ({n / interval:.0f} attempts/s offered)"
        if interval
        else ("closed loop (each bidder bids again as soon as answered): capacity, not the target's load")
    )
    print(f"{n} bidders, {paced}; load average {os.getloadavg()[0]:.2f}")
    print(
        f"{'bidders':>7} {'variant':>29} {'attempts/s':>11} {'bids/s':>7} {'p50 ms':>7} {'p99 ms':>7}  target"
    )
    rows = {}
    for kind in ("http", "ws", "engine", "raw"):
        if kind in ("http", "ws"):
            rows[kind] = run_server_side(kind, n, seconds, server, port, interval)
        else:
            rows[kind] = bid_engine.run(kind, n, seconds, warm=WARM_SECONDS, interval=interval)
    for kind, f in rows.items():
        limit = TARGETS.get(kind)
        verdict = ""
        if limit is not None and interval:
            met = "met" if f["p99_ms"] <= limit else "NOT met"
            verdict = f"p99 <= {limit:.0f} ms: {met}" + ("" if n == 32 else " (target is at 32 bidders)")
        elif limit is not None:
            verdict = f"(target p99 <= {limit:.0f} ms is at the fixed rate above)"
        print(
            f"{n:>7} {NAMES[kind]:>29} {f['attempts_s']:>11.0f} {f['accepted_s']:>7.0f} "
            f"{f['p50_ms']:>7.1f} {f['p99_ms']:>7.1f}  {verdict}"
        )
    for kind in ("http", "ws"):
        answers = rows[kind]["answers"]
        limited = answers.get("throttled", 0) + answers.get("rate_limited", 0)
        print(
            f"{n:>7} {kind:>29} answers: "
            + ", ".join(f"{k} {v}" for k, v in answers.most_common())
            + f"; throttled/rate_limited {limited} (expected 0)"
            + (f"; bids sent late (the bidder's last still out) {rows[kind]['late']}" if interval else "")
        )
    for kind in ("http", "ws"):
        f = rows[kind]
        cpu, count = f["cpu"], max(1, len(f["lat"]))
        print(
            f"{n:>7} {kind:>29} CPU per attempt: server {cpu['server'] / count * 1000:.2f} ms, "
            f"PostgreSQL {cpu['postgres'] / count * 1000:.2f} ms, load generator "
            f"{cpu['client'] / count * 1000:.2f} ms; server {cpu['server'] / cpu['wall']:.2f} CPUs busy, "
            f"the machine {cpu['machine_busy'] * 100:.0f}% of {os.cpu_count()} CPUs (everyone's work)"
        )
    e = rows["engine"]["p99_ms"]
    print(
        f"{n:>7} {'server adds to p99':>29} HTTP {rows['http']['p99_ms'] - e:+.1f} ms, "
        f"WebSocket {rows['ws']['p99_ms'] - e:+.1f} ms over bid_place in-process"
    )


def measure(
    sizes: tuple[int, ...], seconds: float, server: int, port: int, interval: float, closed: bool
) -> None:
    print(
        f"full-stack bid acknowledgement, one hot auction per variant, {seconds:.0f} s each; "
        f"uvicorn --workers 2 (python -m config.serve: each worker on a socket of its own); {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f} at start"
    )
    for n in sizes:
        measure_block(n, seconds, server, port, interval)
        if closed:
            measure_block(n, seconds, server, port, 0.0)
    print(
        f"load average {os.getloadavg()[0]:.2f} at the end (a shared, loaded machine inflates every figure)"
    )


def report(sizes: tuple[int, ...], seconds: float, interval: float, closed: bool) -> None:
    warm_auction = warm_here()
    port = free_port()
    # The server's output (Django logs each refused bid, a 422, as a warning) goes to a file.
    with tempfile.NamedTemporaryFile(prefix="bid_stack_server_", suffix=".log", delete=False) as log:
        server = start_server(port, UNTHROTTLED, log=log)
        try:
            warm_server(port, warm_auction)
            measure(sizes, seconds, server.pid, port, interval, closed)
        finally:
            stop_server(server)
    print(f"the server's log: {log.name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="8 bidders for 2 s per variant: a smoke run")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--bidders", type=int, default=None)
    parser.add_argument(
        "--interval",
        type=float,
        default=1 / RATE_PER_BIDDER,
        help="seconds between one bidder's bids (default: the live room's per-bidder limit, 5 a second)",
    )
    parser.add_argument("--no-closed-loop", action="store_true", help="skip the closed-loop (capacity) block")
    args = parser.parse_args()
    seconds = args.seconds or (2.0 if args.quick else 10.0)
    sizes = (args.bidders,) if args.bidders else ((8,) if args.quick else (32,))
    mp.set_start_method("fork")
    original = bench_database("bench_stack")
    try:
        report(sizes, seconds, args.interval, not args.no_closed_loop)
    finally:
        connections.close_all()
        time.sleep(1)
        drop_bench_database(original)


if __name__ == "__main__":
    main()
