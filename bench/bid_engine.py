"""Bid engine throughput on one hot auction, against the raw limit measured in the same run.

    python bench/bid_engine.py            # 8 and 32 bidders, 10 s each, engine then raw SQL
    python bench/bid_engine.py --quick    # 8 bidders, 2 s: a smoke run

Each bidder is its own process with its own PostgreSQL connection (no GIL between them). A bidder
loops: read the current price (no lock), pick an amount one to three increments above it, and bid.
Many attempts lose the race (below_minimum, already_leading) exactly as live bidders do.

* engine: ``auctions.services.bid_place`` with an idempotency key, the production path: parse,
  one call of the ``auction_bid_place`` database function (standing, key, lock, clock, decision,
  bid, proxies, hash chain; committed with the call), the refusal's text or the events after commit.
* raw: the same decision in plain SQL through psycopg: BEGIN; lock the auction row FOR NO KEY
  UPDATE; read clock_timestamp(); check live, end, leader, minimum; INSERT the bid; UPDATE the
  auction; COMMIT. No Django, no key, no hash, no proxies, no events: the floor of the transaction.

Both run on fresh auctions with the same bidders. Printed: attempts/s and accepted bids/s, p50/p99
latency of an attempt, and engine/raw ratios; for raw also the time from getting the auction lock
to its commit (the engine holds the lock inside one database function call, where a client cannot
time it). Targets (issue 4): engine >= 50% of raw at 8 bidders, engine p99 <= 150 ms at 32 bidders.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import statistics
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal

from _common import bench_database, drop_bench_database, dsn  # sets Django up for a bench
from django.db import connections

INC = Decimal("10.00")


def make_auction(n_bidders: int) -> tuple[int, list[int], list[int]]:
    """A live auction and ``n_bidders`` registered companies with frozen deposits: (auction, users, registrations)."""
    from tests.factories import open_auction, registered_bidder

    auction = open_auction(start_price="1000.00", increment=str(INC), ends_in=24 * 3600)
    people = [registered_bidder(auction) for _ in range(n_bidders)]
    return auction.pk, [u.pk for u, _ in people], [r.pk for _, r in people]


def pick(rng: random.Random, price: Decimal | None) -> Decimal:
    return (price if price is not None else Decimal("990.00")) + INC * rng.choice((1, 1, 2, 3))


def _paced(start_at: float, warm: float, interval: float, phase: float) -> Iterator[float]:
    """The moments a bidder bids at from ``start_at - warm``: as soon as it has its answer
    (``interval`` 0, a closed loop), or every ``interval`` seconds from its ``phase`` (a fixed rate;
    a bid whose moment passed while the last one was out goes at once)."""
    began = start_at - warm + (phase if interval else 0.0)
    k = 0
    while True:
        at = began + k * interval
        k += 1
        wait = at - time.time()
        if wait > 0:
            time.sleep(wait)
        yield time.time()


def engine_worker(
    auction_id: int,
    user_id: int,
    seconds: float,
    start_at: float,
    out: mp.Queue,
    warm: float = 0.0,
    interval: float = 0.0,
    phase: float = 0.0,
) -> None:
    from django.db import connection

    from accounts.models import User
    from auctions.services import BidRejected, bid_place

    connections.close_all()
    user = User.objects.get(pk=user_id)
    rng = random.Random(user_id)
    lat: list[float] = []
    accepted = 0
    stop = start_at + seconds
    for began in _paced(start_at, warm, interval, phase):
        if began >= stop:
            break
        with connection.cursor() as cursor:  # the client's look at the price, as raw's
            cursor.execute("SELECT current_price FROM auctions_auction WHERE id = %s", [auction_id])
            price = cursor.fetchone()[0]
        amount = pick(rng, price)
        t0 = time.perf_counter()
        try:
            bid_place(auction_id=auction_id, user=user, amount=amount, key=uuid.uuid4().hex)
            accepted += began >= start_at
        except BidRejected:
            pass
        if began >= start_at:  # the warm-up is not timed
            lat.append(time.perf_counter() - t0)
    connections.close_all()
    out.put((accepted, lat, []))


RAW_LOCK = (
    "SELECT status, ends_at, current_price, bid_count, leader_id, start_price, increment "
    "FROM auctions_auction WHERE id = %s FOR NO KEY UPDATE"
)
RAW_INSERT = (
    "INSERT INTO auctions_bid (auction_id, registration_id, seq, amount, placed_at, key, is_proxy, hash) "
    "VALUES (%s, %s, %s, %s, %s, '', false, '')"
)
RAW_UPDATE = (
    "UPDATE auctions_auction SET current_price = %s, leader_id = %s, bid_count = %s, updated_at = %s "
    "WHERE id = %s"
)


def raw_worker(
    dsn: str,
    auction_id: int,
    registration_id: int,
    seconds: float,
    start_at: float,
    out: mp.Queue,
    warm: float = 0.0,
    interval: float = 0.0,
    phase: float = 0.0,
) -> None:
    import psycopg

    conn = psycopg.connect(dsn)
    rng = random.Random(registration_id)
    lat: list[float] = []
    holds: list[float] = []
    accepted = 0
    stop = start_at + seconds
    for began in _paced(start_at, warm, interval, phase):
        if began >= stop:
            break
        with conn.cursor() as cur:
            cur.execute("SELECT current_price FROM auctions_auction WHERE id = %s", (auction_id,))
            price = cur.fetchone()[0]
            conn.commit()
            amount = pick(rng, price)
            t0 = time.perf_counter()
            cur.execute(RAW_LOCK, (auction_id,))
            status, ends_at, current, count, leader, start, inc = cur.fetchone()
            t_lock = time.perf_counter()
            cur.execute("SELECT clock_timestamp()")
            now = cur.fetchone()[0]
            minimum = start if count == 0 else current + inc
            ok = (
                status == "live"
                and now < ends_at
                and leader != registration_id
                and amount >= minimum
                and (amount - start) % inc == 0
            )
            if ok:
                cur.execute(RAW_INSERT, (auction_id, registration_id, count + 1, amount, now))
                cur.execute(RAW_UPDATE, (amount, registration_id, count + 1, now, auction_id))
                accepted += began >= start_at
            conn.commit()
            done = time.perf_counter()
            if began >= start_at:  # the warm-up is not timed
                lat.append(done - t0)
                holds.append(done - t_lock)
    conn.close()
    out.put((accepted, lat, holds))


def run(kind: str, n: int, seconds: float, warm: float = 0.0, interval: float = 0.0) -> dict[str, float]:
    """One variant on a fresh auction; with ``warm``, the bidders bid that long before the timed
    ``seconds`` (bench/bid_stack.py warms them as it warms its server's bidders); with ``interval``
    each bidder bids every ``interval`` seconds (staggered), otherwise again as soon as answered."""
    auction_id, users, registrations = make_auction(n)
    # The raw variant's auction starts live as well: the engine started it at its first bid.
    from auctions.models import Auction

    Auction.objects.filter(pk=auction_id).update(status="live")
    connections.close_all()
    out: mp.Queue = mp.Queue()
    start_at = time.time() + 1.5 + warm
    procs = []
    for i in range(n):
        if kind == "engine":
            args: tuple = (auction_id, users[i], seconds, start_at, out, warm, interval, interval * i / n)
            procs.append(mp.Process(target=engine_worker, args=args))
        else:
            args = (
                dsn(),
                auction_id,
                registrations[i],
                seconds,
                start_at,
                out,
                warm,
                interval,
                interval * i / n,
            )
            procs.append(mp.Process(target=raw_worker, args=args))
    for p in procs:
        p.start()
    results = [out.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join()
    accepted = sum(a for a, _, _ in results)
    lat = sorted(x for _, ls, _ in results for x in ls)
    holds = sorted(x for _, _, hs in results for x in hs)
    q = statistics.quantiles(lat, n=100) if len(lat) >= 100 else [lat[len(lat) // 2]] * 99
    return {
        "hold_ms": statistics.median(holds) * 1000 if holds else float("nan"),
        "attempts_s": len(lat) / seconds,
        "accepted_s": accepted / seconds,
        "p50_ms": q[49] * 1000,
        "p99_ms": q[98] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="8 bidders for 2 s: a smoke run")
    parser.add_argument("--seconds", type=float, default=None)
    args = parser.parse_args()
    seconds = args.seconds or (2.0 if args.quick else 10.0)
    sizes = (8,) if args.quick else (8, 32)
    mp.set_start_method("fork")
    original = bench_database()
    try:
        report(seconds, sizes)
    finally:
        drop_bench_database(original)


def report(seconds: float, sizes: tuple[int, ...]) -> None:
    print(f"bid engine vs raw SQL, one hot auction, {seconds:.0f} s per run, {os.cpu_count()} CPUs")
    print(
        f"{'bidders':>7} {'variant':>7} {'attempts/s':>11} {'bids/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'lock->done p50 ms':>18}"
    )
    for n in sizes:
        figures = {}
        for kind in ("engine", "raw"):
            f = run(kind, n, seconds)
            figures[kind] = f
            print(
                f"{n:>7} {kind:>7} {f['attempts_s']:>11.0f} {f['accepted_s']:>8.0f} "
                f"{f['p50_ms']:>8.1f} {f['p99_ms']:>8.1f} "
                + (f"{f['hold_ms']:>18.2f}" if f["hold_ms"] == f["hold_ms"] else f"{'(in the function)':>18}")
            )
        e, r = figures["engine"], figures["raw"]
        print(
            f"{n:>7} {'ratio':>7} {e['attempts_s'] / r['attempts_s']:>11.0%} {e['accepted_s'] / r['accepted_s']:>8.0%}"
            f"   (target at 8: >= 50%; at 32: engine p99 <= 150 ms -> {e['p99_ms']:.0f} ms)"
        )


if __name__ == "__main__":
    main()
