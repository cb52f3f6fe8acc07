"""The live room under a burst: real uvicorn (2 worker processes), many WebSocket watchers, one auction.

    python bench/live_room.py            # 1,000 watchers, 200 bids/s for 10 s
    python bench/live_room.py --quick    # 100 watchers, 100 bids/s for 3 s: a smoke run

A throwaway database (migrated like the test database) gets one live auction with two bidders.
uvicorn serves ``config.asgi`` with ``--workers 2`` on a free port. Watcher processes (asyncio +
``websockets``) connect the watchers, each doing what API.md asks of a client: apply the snapshot,
apply each ``bid`` whose seq is one more than the last, treat a later snapshot as the new state,
reconnect on a gap.

The burst is written by two writer processes calling ``bid_place`` itself (the production path:
standing, key, lock, decision, hash chain, durable commit, events after commit), each with two
bidders of its own, at half the target rate of accepted bids each.

Printed: bids written and the rate reached; delivery latency p50/p99 (a watcher receiving a message
whose newest bid was committed at t: receive time - t, same host clock); the time from the last
bid's commit until every watcher holds the final price; watchers on a wrong price at the end
(target 0); gaps seen and resyncs. Target: every watcher converges within 1 s of the last bid.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import statistics
import time
import uuid
from datetime import datetime

from _common import (  # sets Django up for a bench
    bench_database,
    drop_bench_database,
    free_port,
    start_server,
    stop_server,
)
from django.db import connections


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


# --- watchers -----------------------------------------------------------------------------------


async def _watch(url: str, origin: str, until: float, out: dict) -> None:
    import websockets

    seq, price = -1, None
    latencies: list[float] = []
    gaps = 0
    while time.time() < until:
        try:
            async with websockets.connect(url, additional_headers={"Origin": origin}, max_size=2**22) as ws:
                while time.time() < until:
                    try:
                        raw = await asyncio.wait_for(ws.recv(), timeout=max(0.05, until - time.time()))
                    except TimeoutError:
                        break
                    now = time.time()
                    m = json.loads(raw)
                    kind = m["type"]
                    if kind == "snapshot":
                        seq, price = m["auction"]["bid_count"], m["auction"]["current_price"]
                        if m["bids"]:
                            latencies.append(now - _epoch(m["bids"][-1]["placed_at"]))
                    elif kind == "bid":
                        if m["seq"] <= seq:
                            continue
                        if m["seq"] != seq + 1:
                            gaps += 1
                            break  # reconnect: the snapshot on connect is the resync
                        seq, price = m["seq"], m["amount"]
                        latencies.append(now - _epoch(m["placed_at"]))
                    else:
                        continue
                    if out.get("seq") != seq:
                        out["changed_at"] = now  # the moment it took the state it ends on
                    out["seq"], out["price"] = seq, price
        except (OSError, websockets.WebSocketException):
            await asyncio.sleep(0.2)
    out.update(latencies=latencies, gaps=gaps)


def watcher_process(url: str, origin: str, count: int, until: float, ready: mp.Event, out: mp.Queue) -> None:
    async def main() -> None:
        states = [{} for _ in range(count)]
        tasks = []
        for i in range(count):
            tasks.append(asyncio.create_task(_watch(url, origin, until, states[i])))
            if i % 50 == 49:
                await asyncio.sleep(0.2)  # connect in waves
        ready.set()
        await asyncio.gather(*tasks)
        out.put(
            [
                {
                    "seq": s.get("seq"),
                    "price": s.get("price"),
                    "latencies": s.get("latencies", []),
                    "gaps": s.get("gaps", 0),
                    "changed_at": s.get("changed_at"),
                }
                for s in states
            ]
        )

    asyncio.run(main())


# --- writers ------------------------------------------------------------------------------------


def writer_process(
    auction_id: int, user_ids: list[int], rate: float, start_at: float, seconds: float, out: mp.Queue
) -> None:
    """Bids through ``bid_place`` itself, as a bidding client would, at ``rate`` accepted bids/s:
    look at the price, bid the next minimum for one of its own bidders that is not leading. A bid
    refused because the other writer was faster is retried at once; only accepted bids count."""
    from accounts.models import User
    from auctions.models import Auction, Registration
    from auctions.services import BidRejected, bid_place

    connections.close_all()
    users = list(User.objects.filter(pk__in=user_ids))
    registration_of = {
        u.pk: Registration.objects.get(auction_id=auction_id, organization__memberships__user=u).pk
        for u in users
    }
    written = 0
    interval = 1.0 / rate
    next_at = start_at
    while time.time() < start_at:
        time.sleep(0.001)
    stop = start_at + seconds
    while time.time() < stop:
        state = Auction.objects.values("leader_id", "current_price", "increment", "start_price").get(
            pk=auction_id
        )
        user = next(u for u in users if registration_of[u.pk] != state["leader_id"])
        price = state["current_price"]
        amount = state["start_price"] if price is None else price + state["increment"]
        try:
            bid_place(auction_id=auction_id, user=user, amount=amount, key=uuid.uuid4().hex)
        except BidRejected:
            continue  # the other writer was faster: look again
        written += 1
        next_at += interval
        delay = next_at - time.time()
        if delay > 0:
            time.sleep(delay)
    connections.close_all()
    out.put(written)


# --- one bidder's round trip ------------------------------------------------------------------


def round_trips(port: int, origin: str, count: int) -> tuple[list[float], list[float]]:
    """One bidder, on a quiet auction of its own, bids ``count`` times and waits for each answer:
    over the WebSocket (``bid`` -> ``bid.accepted``, through the server's pooled connections) and,
    as the floor, ``bid_place`` called in this process on a warm connection. Eight bidders take
    turns, one bid every 40 ms, within the room's per-bidder rate limit. Returns both lists of
    seconds."""
    import websockets

    from accounts.services import api_token_create
    from auctions.services import bid_place
    from tests.factories import open_auction, registered_bidder

    socket_auction = open_auction(start_price="1000.00", increment="10.00", ends_in=24 * 3600, started=True)
    direct_auction = open_auction(start_price="1000.00", increment="10.00", ends_in=24 * 3600, started=True)
    socket_bidders = [registered_bidder(socket_auction)[0] for _ in range(8)]
    tokens = [api_token_create(user=u)[1] for u in socket_bidders]
    direct_bidders = [registered_bidder(direct_auction)[0] for _ in range(8)]

    async def over_the_socket() -> list[float]:
        url = f"ws://127.0.0.1:{port}/ws/auctions/{socket_auction.pk}/"
        clients = [
            await websockets.connect(url, additional_headers={"Authorization": f"Token {t}"}) for t in tokens
        ]
        for ws in clients:
            await ws.recv()  # the snapshot
        times = []
        for i in range(count):
            ws = clients[i % len(clients)]
            await asyncio.sleep(0.04)
            t0 = time.perf_counter()
            await ws.send(json.dumps({"type": "bid", "amount": f"{1000 + 10 * i}.00", "key": f"rt-{i}"}))
            while True:
                m = json.loads(await ws.recv())
                if m["type"] in ("bid.accepted", "bid.rejected"):
                    assert m["type"] == "bid.accepted", m
                    break
            times.append(time.perf_counter() - t0)
        for ws in clients:
            await ws.close()
        return times

    socket_times = asyncio.run(over_the_socket())
    direct_times = []
    for i in range(count):
        t0 = time.perf_counter()
        bid_place(
            auction_id=direct_auction.pk,
            user=direct_bidders[i % len(direct_bidders)],
            amount=f"{1000 + 10 * i}.00",
            key=f"rt-{i}",
        )
        direct_times.append(time.perf_counter() - t0)
    connections.close_all()
    return socket_times, direct_times


def _p(values: list[float], q: int) -> float:
    return statistics.quantiles(sorted(values), n=100)[q - 1] * 1000


# --- the run ------------------------------------------------------------------------------------


def run(watchers: int, rate: float, seconds: float) -> None:
    from auctions.models import Auction, Bid
    from tests.factories import open_auction, registered_bidder

    auction = open_auction(start_price="100000.00", increment="100.00", ends_in=24 * 3600)
    users = [registered_bidder(auction)[0].pk for _ in range(4)]
    Auction.objects.filter(pk=auction.pk).update(status="live")
    connections.close_all()

    port = free_port()
    server = start_server(port)
    try:
        url, origin = f"ws://127.0.0.1:{port}/ws/auctions/{auction.pk}/", f"http://127.0.0.1:{port}"
        by_socket, direct = round_trips(port, origin, 100)
        print(
            f"bidders taking turns on a quiet auction: bid -> bid.accepted over the socket p50 {_p(by_socket, 50):.1f} ms "
            f"p99 {_p(by_socket, 99):.1f} ms; bid_place in-process (the floor) p50 {_p(direct, 50):.1f} ms "
            f"p99 {_p(direct, 99):.1f} ms"
        )
        procs_n = 4 if watchers >= 200 else 1
        connect_time = watchers / 50 * 0.2 / procs_n + 10
        burst_start = time.time() + connect_time
        settle = 4.0
        until = burst_start + seconds + settle
        out: mp.Queue = mp.Queue()
        readies = []
        wprocs = []
        for i in range(procs_n):
            ready = mp.Event()
            readies.append(ready)
            n = watchers // procs_n + (1 if i < watchers % procs_n else 0)
            p = mp.Process(target=watcher_process, args=(url, origin, n, until, ready, out))
            p.start()
            wprocs.append(p)
        for r in readies:
            r.wait(timeout=connect_time + 30)
        written_q: mp.Queue = mp.Queue()
        writers = [
            mp.Process(
                target=writer_process,
                args=(
                    auction.pk,
                    users[2 * i : 2 * i + 2],
                    rate / 2,
                    burst_start + i * 0.5 / rate,
                    seconds,
                    written_q,
                ),
            )
            for i in range(2)
        ]
        for w in writers:
            w.start()
        written = sum(written_q.get(timeout=seconds + 120) for _ in writers)
        for w in writers:
            w.join()
        results = [x for _ in wprocs for x in out.get(timeout=seconds + settle + 120)]
        for p in wprocs:
            p.join()
        final = Auction.objects.get(pk=auction.pk)
        last = Bid.objects.filter(auction=auction).order_by("-seq").first()
        assert last is not None
        last_at = last.placed_at.timestamp()
        final_price = f"{final.current_price:.2f}"
        lat = sorted(x for r in results for x in r["latencies"])
        q = statistics.quantiles(lat, n=100)
        wrong = sum(1 for r in results if r["price"] != final_price or r["seq"] != final.bid_count)
        converge = [
            r["changed_at"] - last_at
            for r in results
            if r["seq"] == final.bid_count and r["changed_at"] is not None
        ]
        print(f"live room: {watchers} watchers on uvicorn --workers 2, {os.cpu_count()} CPUs (shared)")
        print(
            f"  bids written        {written} in {seconds:.0f} s = {written / seconds:.0f}/s (target {rate:.0f}/s)"
        )
        print(
            f"  messages received   {len(lat)} ({len(lat) / max(1, watchers) / seconds:.1f} per watcher per s)"
        )
        print(f"  delivery latency    p50 {q[49] * 1000:.0f} ms   p99 {q[98] * 1000:.0f} ms")
        if converge and len(converge) == len(results):
            print(
                f"  converged           all {len(converge)} on {final_price} (seq {final.bid_count}): "
                f"{max(converge) * 1000:.0f} ms after the last bid (p50 {statistics.median(converge) * 1000:.0f} ms)"
                f"   target <= 1000 ms"
            )
        else:
            print(f"  converged           {len(converge)} of {len(results)} reached the final seq")
        never = sum(1 for r in results if r["seq"] is None)
        print(
            f"  on a wrong price    {wrong} (never connected: {never})   gaps seen, then resynced: {sum(r['gaps'] for r in results)}"
        )
    finally:
        stop_server(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 watchers, 100 bids/s for 3 s")
    parser.add_argument("--watchers", type=int, default=None)
    args = parser.parse_args()
    watchers = args.watchers or (100 if args.quick else 1000)
    rate, seconds = (100.0, 3.0) if args.quick else (200.0, 10.0)
    mp.set_start_method("fork")
    original = bench_database("bench_live")
    try:
        run(watchers, rate, seconds)
    finally:
        connections.close_all()
        time.sleep(1)
        drop_bench_database(original)


if __name__ == "__main__":
    main()
