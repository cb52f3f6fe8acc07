"""Full-stack bid acknowledgement (#17.1): bidders through the real server, beside the engine and the SQL floor.

    python bench/bid_stack.py            # 32 bidders, 10 s per variant
    python bench/bid_stack.py --quick    # 8 bidders, 2 s per variant: a smoke run

A throwaway database (migrated like the test database, dropped at the end) and uvicorn serving
``config.asgi`` with ``--workers 2`` on a free port (``bench/_common.py``, shared with
``bid_engine.py`` and ``live_room.py``). Each variant runs on a fresh live auction with its own
registered bidders; each bidder is its own process and loops as ``bench/bid_engine.py``'s do: look
at the current price (plain SELECT, no lock), pick one to three increments above it, bid, wait for
the answer. Many attempts lose the race (below_minimum, already_leading) exactly as live bidders do;
every attempt's time counts, accepted or refused. The server is warmed with a few reads first, and
every variant's bidders bid for one second before the timed seconds (not timed).

* http: ``POST /api/v1/auctions/{id}/bids/`` with ``Authorization: Token <key>`` and a fresh
  ``Idempotency-Key``, one keep-alive connection per bidder; timed from the request to the
  response (201 or the refusal's ``{"code", ...}``).
* ws: the live room ``ws://HOST/ws/auctions/{id}/`` with ``Authorization: Token <key>``, one socket
  per bidder; ``{"type": "bid", "amount", "key"}`` timed to the ``bid.accepted`` or ``bid.rejected``
  carrying that key (the room's ``bid`` broadcasts to every bidder are read in between, as a client
  must).
* engine and raw: ``bench/bid_engine.py``'s in-process ``bid_place`` and plain-SQL transaction,
  the same run, the same bidder count: what the server adds is the difference.

The bench server must not rate-limit the bench's bidders, who bid far above a person's pace: it
runs with ``THROTTLE_USER`` and ``THROTTLE_ANON`` (DRF's throttles, still counted in Redis on every
request) and ``AUCTION_BID_RATE_PER_SECOND`` (the live room's per-bidder limit) set to 1,000,000;
a ``throttled``/``rate_limited`` answer is counted and printed (expected 0). E-mail goes to the
dummy backend in the server as in this process; the server's log goes to a temporary file (named
at the end), not among the figures. Targets (#17.1): at 32 bidders p99 <= 50 ms over
HTTP and <= 30 ms over the WebSocket.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import tempfile
import time
import uuid
from collections import Counter

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
from websockets.sync.client import connect

UNTHROTTLED = {
    "THROTTLE_USER": "1000000/min",
    "THROTTLE_ANON": "1000000/min",
    "AUCTION_BID_RATE_PER_SECOND": "1000000",
}
TARGETS = {"http": 50.0, "ws": 30.0}
WARM_SECONDS = 1.0


def _look(conn, auction_id: int):  # type: ignore[no-untyped-def]
    """The client's look at the price, as bid_engine's bidders take it."""
    return conn.execute("SELECT current_price FROM auctions_auction WHERE id = %s", (auction_id,)).fetchone()[
        0
    ]


def http_bidder(
    base: str,
    auction_id: int,
    token: str,
    seed: int,
    database: str,
    start_at: float,
    seconds: float,
    out: mp.Queue,
) -> None:
    conn = psycopg.connect(database, autocommit=True)
    rng = random.Random(seed)
    lat: list[float] = []
    answers: Counter[str] = Counter()
    with httpx.Client(base_url=base, headers={"Authorization": f"Token {token}"}, timeout=60) as client:
        while time.time() < start_at - WARM_SECONDS:
            time.sleep(0.001)
        stop = start_at + seconds
        while (now := time.time()) < stop:
            amount = bid_engine.pick(rng, _look(conn, auction_id))
            t0 = time.perf_counter()
            r = client.post(
                f"/api/v1/auctions/{auction_id}/bids/",
                json={"amount": f"{amount:.2f}"},
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            elapsed = time.perf_counter() - t0
            if now >= start_at:
                lat.append(elapsed)
                answers["accepted" if r.status_code == 201 else str(r.json().get("code", r.status_code))] += 1
    conn.close()
    out.put((lat, dict(answers)))


def ws_bidder(
    url: str,
    auction_id: int,
    token: str,
    seed: int,
    database: str,
    start_at: float,
    seconds: float,
    out: mp.Queue,
) -> None:
    conn = psycopg.connect(database, autocommit=True)
    rng = random.Random(seed)
    lat: list[float] = []
    answers: Counter[str] = Counter()
    with connect(url, additional_headers={"Authorization": f"Token {token}"}, max_size=2**22) as ws:
        ws.recv()  # the snapshot
        while time.time() < start_at - WARM_SECONDS:
            time.sleep(0.001)
        stop = start_at + seconds
        while (now := time.time()) < stop:
            amount = bid_engine.pick(rng, _look(conn, auction_id))
            key = uuid.uuid4().hex
            t0 = time.perf_counter()
            ws.send(json.dumps({"type": "bid", "amount": f"{amount:.2f}", "key": key}))
            while True:
                m = json.loads(ws.recv())
                if m.get("key") == key and m["type"] in ("bid.accepted", "bid.rejected"):
                    break
            elapsed = time.perf_counter() - t0
            if now >= start_at:
                lat.append(elapsed)
                answers["accepted" if m["type"] == "bid.accepted" else m["code"]] += 1
    conn.close()
    out.put((lat, dict(answers)))


def run_server_side(kind: str, n: int, seconds: float, port: int) -> dict:
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
    if kind == "http":
        target, where = http_bidder, f"http://127.0.0.1:{port}"
    else:
        target, where = ws_bidder, f"ws://127.0.0.1:{port}/ws/auctions/{auction_id}/"
    procs = [
        mp.Process(target=target, args=(where, auction_id, tokens[i], i, database, start_at, seconds, out))
        for i in range(n)
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=seconds + 180) for _ in procs]
    for p in procs:
        p.join()
    lat = [x for ls, _ in results for x in ls]
    answers: Counter[str] = Counter()
    for _, a in results:
        answers.update(a)
    q = percentiles(lat)
    return {
        "attempts_s": len(lat) / seconds,
        "accepted_s": answers["accepted"] / seconds,
        "p50_ms": q[49],
        "p99_ms": q[98],
        "answers": answers,
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


def measure(sizes: tuple[int, ...], seconds: float, port: int) -> None:
    print(
        f"full-stack bid acknowledgement, one hot auction per variant, {seconds:.0f} s each; "
        f"uvicorn --workers 2; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f} at start"
    )
    print(
        f"{'bidders':>7} {'variant':>28} {'attempts/s':>11} {'bids/s':>7} {'p50 ms':>7} {'p99 ms':>7}  target"
    )
    for n in sizes:
        rows = {}
        for kind in ("http", "ws", "engine", "raw"):
            if kind in ("http", "ws"):
                rows[kind] = run_server_side(kind, n, seconds, port)
            else:
                rows[kind] = bid_engine.run(kind, n, seconds, warm=WARM_SECONDS)
        names = {
            "http": "HTTP POST bids/ (uvicorn)",
            "ws": "WebSocket live room (uvicorn)",
            "engine": "bid_place in-process",
            "raw": "plain-SQL transaction",
        }
        for kind, f in rows.items():
            limit = TARGETS.get(kind)
            verdict = ""
            if limit is not None:
                met = "met" if f["p99_ms"] <= limit else "NOT met"
                verdict = f"p99 <= {limit:.0f} ms: {met}" + ("" if n == 32 else " (target is at 32 bidders)")
            print(
                f"{n:>7} {names[kind]:>28} {f['attempts_s']:>11.0f} {f['accepted_s']:>7.0f} "
                f"{f['p50_ms']:>7.1f} {f['p99_ms']:>7.1f}  {verdict}"
            )
        for kind in ("http", "ws"):
            answers = rows[kind]["answers"]
            limited = answers.get("throttled", 0) + answers.get("rate_limited", 0)
            print(
                f"{n:>7} {kind:>28} answers: "
                + ", ".join(f"{k} {v}" for k, v in answers.most_common())
                + f"; throttled/rate_limited {limited} (expected 0)"
            )
        e = rows["engine"]["p99_ms"]
        print(
            f"{n:>7} {'server adds to p99':>28} HTTP {rows['http']['p99_ms'] - e:+.1f} ms, "
            f"WebSocket {rows['ws']['p99_ms'] - e:+.1f} ms over bid_place in-process"
        )
    print(
        f"load average {os.getloadavg()[0]:.2f} at the end (a shared, loaded machine inflates every figure)"
    )


def report(sizes: tuple[int, ...], seconds: float) -> None:
    warm_auction = warm_here()
    port = free_port()
    # The server's output (Django logs each refused bid, a 422, as a warning) goes to a file.
    with tempfile.NamedTemporaryFile(prefix="bid_stack_server_", suffix=".log", delete=False) as log:
        server = start_server(port, UNTHROTTLED, log=log)
        try:
            warm_server(port, warm_auction)
            measure(sizes, seconds, port)
        finally:
            stop_server(server)
    print(f"the server's log: {log.name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="8 bidders for 2 s per variant: a smoke run")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--bidders", type=int, default=None)
    args = parser.parse_args()
    seconds = args.seconds or (2.0 if args.quick else 10.0)
    sizes = (args.bidders,) if args.bidders else ((8,) if args.quick else (32,))
    mp.set_start_method("fork")
    original = bench_database("bench_stack")
    try:
        report(sizes, seconds)
    finally:
        connections.close_all()
        time.sleep(1)
        drop_bench_database(original)


if __name__ == "__main__":
    main()
