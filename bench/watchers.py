"""#17.2: 10,000 watchers on one auction across 4 server processes, a burst of 100 bids/s for 10 s.

    python bench/watchers.py                   # 10,000 watchers, 100 bids/s for 10 s
    python bench/watchers.py --watchers 2000   # fewer
    python bench/watchers.py --quick           # 400 watchers, 100 bids/s for 3 s: a smoke run

A throwaway database (migrated like the test database) gets one live auction with four registered
bidders. Four uvicorn processes (``--workers 1`` each, on four ports, as four web hosts would be)
serve ``config.asgi``; the watchers' connections are dealt round-robin over the four ports, so each
process holds a quarter of them.

Watchers run in ``--client-procs`` processes (4 by default) of asyncio on uvloop, with a minimal
WebSocket client written on ``asyncio.Protocol`` (handshake, frames, pong, permessage-deflate when
the server takes it, as a browser offers it): a client library's per-message cost, times 10,000
sockets on the same two cores, would be measured as the server's. Each watcher does what API.md asks
of a client (a snapshot is the state; a ``bid`` whose seq is one more than the last moves it; a gap
reconnects, the snapshot on connect being the resync), reading only a frame's type and ``seq``
as it arrives and keeping the frame that last moved its state, which is parsed in full at the end.
Each process raises its open-files limit to the hard limit (``resource.setrlimit``).

The burst is written as ``live_room.py`` writes it, by four writer processes calling ``bid_place``
itself (the production path: standing, key, lock, decision, hash chain, durable commit, news after
commit), each with two bidders of its own, at a quarter of the rate of accepted bids each. (Bids sent over four
sockets at once overtake each other: most would be refused ``below_minimum``; ``bid_stack.py`` times
the socket's acknowledgement.)

Printed: how many sockets were held (and, below the target, why not: the errors the clients met and
the limits), bids accepted and the rate reached, frames received per watcher, the time from the last
bid's commit (``placed_at``, the same host clock) until each watcher last took a new state, p50 and
max, watchers on a wrong price at the end (target 0), the servers' memory per watcher (the four
processes' RSS after the watchers joined, less before, over the watchers), the servers' and the
clients' CPU seconds during the burst, and the load average. Target: every watcher on the final
state within 1 s of the last bid.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import multiprocessing as mp
import os
import re
import resource
import statistics
import time
import zlib
from pathlib import Path

from _common import (  # sets Django up for a bench
    bench_database,
    drop_bench_database,
    free_port,
    start_server,
    stop_server,
)
from django.db import connections
from live_room import writer_process  # bid_place at a rate of accepted bids, as live_room.py bids

SERVERS = 4
SEQ = re.compile(rb'"seq": (\d+)')
WRITERS = 4  # bid_place takes tens of ms on a busy machine: two writers alone fell short of 100/s
SETTLE = 3.0  # seconds the watchers stay after the last bid


def _raise_nofile() -> tuple[int, int]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- a minimal WebSocket client ------------------------------------------------------------------


class Watch(asyncio.Protocol):
    """One watcher's socket: the handshake, then frames; the state as API.md says."""

    def __init__(self, host: str, port: int, path: str, state: dict, lost: asyncio.Future) -> None:
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\nSec-WebSocket-Version: 13\r\n"
            f"Origin: http://{host}:{port}\r\n"
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
        ).encode()
        self.state = state
        self.lost = lost
        self.buf = b""
        self.open = False
        self.inflate: zlib._Decompress | None = None
        self.transport: asyncio.Transport | None = None
        self.opened: asyncio.Future = asyncio.get_running_loop().create_future()

    def connection_made(self, transport) -> None:  # type: ignore[no-untyped-def]
        self.transport = transport
        transport.write(self.request)

    def connection_lost(self, exc) -> None:  # type: ignore[no-untyped-def]
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("closed during the handshake"))
        if not self.lost.done():
            self.lost.set_result(None)

    def data_received(self, data: bytes) -> None:
        buf = self.buf + data
        if not self.open:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                self.buf = buf
                return
            head, buf = buf[:end].decode("latin-1"), buf[end + 4 :]
            if not head.startswith("HTTP/1.1 101"):
                self.opened.set_exception(ConnectionError(head.split("\r\n", 1)[0]))
                self.transport.close()  # type: ignore[union-attr]
                return
            if "permessage-deflate" in head.lower():
                self.inflate = zlib.decompressobj(wbits=-15)
            self.open = True
            self.opened.set_result(None)
        now = time.time()
        while len(buf) >= 2:
            b0, n = buf[0], buf[1] & 0x7F
            at = 2
            if n == 126:
                if len(buf) < 4:
                    break
                n, at = int.from_bytes(buf[2:4], "big"), 4
            elif n == 127:
                if len(buf) < 10:
                    break
                n, at = int.from_bytes(buf[2:10], "big"), 10
            if len(buf) < at + n:
                break
            payload, buf = buf[at : at + n], buf[at + n :]
            opcode = b0 & 0x0F
            if opcode == 0x9:  # ping: a masked pong with the same payload
                mask = os.urandom(4)
                masked = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
                self.transport.write(bytes([0x8A, 0x80 | len(payload)]) + mask + masked)  # type: ignore[union-attr]
            elif opcode == 0x1:  # the server sends whole messages, unfragmented
                if b0 & 0x40 and self.inflate is not None:
                    payload = self.inflate.decompress(payload + b"\x00\x00\xff\xff")
                self.on_text(payload, now)
            elif opcode == 0x8:
                self.transport.close()  # type: ignore[union-attr]
                break
        self.buf = buf

    def on_text(self, text: bytes, now: float) -> None:
        state = self.state
        state["frames"] += 1
        if text.startswith(b'{"type": "snapshot"'):
            seq = int(SEQ.search(text).group(1))  # type: ignore[union-attr]
        elif text.startswith(b'{"type": "bid"'):
            seq = int(SEQ.search(text).group(1))  # type: ignore[union-attr]
            if seq <= state["seq"]:
                return
            if seq != state["seq"] + 1:
                state["gaps"] += 1
                self.transport.close()  # type: ignore[union-attr]  # the resync is the next snapshot
                return
        else:
            return
        if seq != state["seq"]:
            state["changed_at"] = now
        state["seq"], state["frame"] = seq, text


async def _watch(
    host: str, port: int, path: str, state: dict, stop: asyncio.Future, gate: asyncio.Semaphore
) -> None:
    loop = asyncio.get_running_loop()
    while not stop.done():
        lost: asyncio.Future = loop.create_future()
        try:
            async with gate:
                _, proto = await asyncio.wait_for(
                    loop.create_connection(
                        lambda lost=lost: Watch(host, port, path, state, lost), host, port
                    ),
                    30,
                )
                await asyncio.wait_for(proto.opened, 30)
        except (OSError, TimeoutError, ConnectionError) as exc:
            key = f"{exc.__class__.__name__}: {getattr(exc, 'strerror', None) or exc}"
            state["errors"][key] = state["errors"].get(key, 0) + 1
            await asyncio.sleep(1.0)
            continue
        state["connects"] += 1
        await asyncio.wait([lost, stop], return_when=asyncio.FIRST_COMPLETED)
        if stop.done():
            proto.transport.close()
            return


def watcher_process(
    ports: list[int], path: str, first: int, count: int, stop_event, ready, out: mp.Queue
) -> None:
    import uvloop

    limit = _raise_nofile()

    async def main() -> None:
        gate = asyncio.Semaphore(100)  # handshakes in flight per process
        loop = asyncio.get_running_loop()
        stop = loop.create_future()

        async def stopper() -> None:
            while not stop_event.is_set():
                await asyncio.sleep(0.1)
            stop.set_result(None)

        stopping = asyncio.create_task(stopper())
        states = [
            {
                "seq": -1,
                "frames": 0,
                "gaps": 0,
                "connects": 0,
                "changed_at": None,
                "frame": None,
                "errors": {},
            }
            for _ in range(count)
        ]
        tasks = [
            asyncio.create_task(_watch("127.0.0.1", ports[(first + i) % len(ports)], path, s, stop, gate))
            for i, s in enumerate(states)
        ]
        while sum(1 for s in states if s["connects"] or s["errors"]) < count:
            await asyncio.sleep(0.2)
        ready.set()
        t0 = resource.getrusage(resource.RUSAGE_SELF)
        await asyncio.gather(*tasks)
        await stopping
        t1 = resource.getrusage(resource.RUSAGE_SELF)
        out.put(
            {
                "limit": limit,
                "cpu": (t1.ru_utime + t1.ru_stime) - (t0.ru_utime + t0.ru_stime),
                "rss_kib": t1.ru_maxrss,
                "states": [{k: v for k, v in s.items()} for s in states],
            }
        )

    uvloop.run(main())


# --- the run ------------------------------------------------------------------------------------


def run(watchers: int, rate: float, seconds: float, client_procs: int, flush: str | None) -> None:
    from auctions.models import Auction, Bid
    from tests.factories import open_auction, registered_bidder

    limit = _raise_nofile()  # inherited by the servers
    auction = open_auction(start_price="100000.00", increment="100.00", ends_in=24 * 3600)
    user_ids = [registered_bidder(auction)[0].pk for _ in range(2 * WRITERS)]
    Auction.objects.filter(pk=auction.pk).update(status="live")
    connections.close_all()
    path = f"/ws/auctions/{auction.pk}/"

    env: dict[str, str] = {}
    if flush:
        env["AUCTION_ROOM_FLUSH_SECONDS"] = flush
    ports = [free_port() for _ in range(SERVERS)]
    servers = []
    try:
        for port in ports:
            servers.append(start_server(port, env, workers=1))
        pids = [s.pid for s in servers]
        # One watcher per server first, so each process has its room (and its imports) before the
        # baseline of memory is read.
        ctx = mp.get_context("fork")
        warm_stop, warm_ready, warm_out = ctx.Event(), ctx.Event(), ctx.Queue()
        warm = ctx.Process(
            target=watcher_process, args=(ports, path, 0, SERVERS, warm_stop, warm_ready, warm_out)
        )
        warm.start()
        warm_ready.wait(timeout=120)
        time.sleep(1.0)
        warm_stop.set()
        warm_out.get(timeout=30)
        warm.join()
        time.sleep(1.0)
        rss_before = sum(_rss_kib(p) for p in pids)

        stop = ctx.Event()
        out: mp.Queue = ctx.Queue()
        readies, procs = [], []
        first = 0
        for i in range(client_procs):
            n = watchers // client_procs + (1 if i < watchers % client_procs else 0)
            ready = ctx.Event()
            p = ctx.Process(target=watcher_process, args=(ports, path, first, n, stop, ready, out))
            p.start()
            first += n
            readies.append(ready)
            procs.append(p)
        t_connect = time.time()
        for r in readies:
            r.wait(timeout=900)
        connected_in = time.time() - t_connect
        time.sleep(2.0)  # joins settle (each join sends its snapshot)
        rss_after = sum(_rss_kib(p) for p in pids)
        cpu_before = [_cpu_seconds(p) for p in pids]
        load_before = _loadavg()
        burst_start_at = time.time()
        written_q: mp.Queue = ctx.Queue()
        writers = [
            ctx.Process(
                target=writer_process,
                args=(
                    auction.pk,
                    user_ids[2 * i : 2 * i + 2],
                    rate / WRITERS,
                    burst_start_at + i / rate,
                    seconds,
                    written_q,
                ),
            )
            for i in range(WRITERS)
        ]
        for w in writers:
            w.start()
        written = sum(written_q.get(timeout=seconds + 300) for _ in writers)
        for w in writers:
            w.join()
        burst_for = time.time() - burst_start_at
        time.sleep(SETTLE)  # the last bid's news reaches everyone (the target is 1 s)
        cpu_burst = [_cpu_seconds(p) - c for p, c in zip(pids, cpu_before, strict=True)]
        load_after = _loadavg()
        stop.set()
        results = [out.get(timeout=300) for _ in procs]
        for p in procs:
            p.join()
    finally:
        for s in servers:
            stop_server(s)

    final = Auction.objects.get(pk=auction.pk)
    last = Bid.objects.filter(auction=auction).order_by("-seq").first()
    assert last is not None
    last_at = last.placed_at.timestamp()
    final_price = f"{final.current_price:.2f}"
    states = [s for r in results for s in r["states"]]
    held = sum(1 for s in states if s["connects"])
    wrong, converge = 0, []
    for s in states:
        if s["frame"] is None:
            wrong += 1
            continue
        m = json.loads(s["frame"])
        seq, price = (
            (m["auction"]["bid_count"], m["auction"]["current_price"])
            if m["type"] == "snapshot"
            else (m["seq"], m["amount"])
        )
        if (seq, price) != (final.bid_count, final_price):
            wrong += 1
        else:
            converge.append(s["changed_at"] - last_at)
    errors: dict[str, int] = {}
    for s in states:
        for k, v in s["errors"].items():
            errors[k] = errors.get(k, 0) + v
    frames = sum(s["frames"] for s in states)
    client_cpu = sum(r["cpu"] for r in results)
    client_rss = sum(r["rss_kib"] for r in results)
    ports_range = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()

    print(
        f"live room at scale: {watchers} watchers asked, one auction, {SERVERS} uvicorn processes "
        f"(--workers 1 each, round-robin over {SERVERS} ports), {os.cpu_count()} CPUs (shared)"
    )
    print(
        f"  load average        before the burst {load_before}, after {load_after}   (the machine is shared)"
    )
    print(
        f"  client side         {client_procs} processes (asyncio + uvloop, a minimal client), open files "
        f"{limit[0]} per process (hard {limit[1]}), ephemeral ports {ports_range[0]}-{ports_range[1]}, "
        f"somaxconn {Path('/proc/sys/net/core/somaxconn').read_text().strip()}"
    )
    if held >= watchers:
        print(f"  sockets held        {held} of {watchers}, connected in {connected_in:.1f} s")
    else:
        why = (
            ", ".join(f"{k} x{v}" for k, v in sorted(errors.items(), key=lambda kv: -kv[1]))
            or "no error seen"
        )
        print(f"  sockets held        {held} of {watchers} (the largest count held); why not more: {why}")
    print(
        f"  bids                {written} in {burst_for:.1f} s = {written / burst_for:.0f}/s "
        f"(target {rate:.0f}/s for {seconds:.0f} s), by bid_place in {WRITERS} writer processes"
    )
    print(
        f"  frames received     {frames} = {frames / max(1, held) / (burst_for + SETTLE):.2f} per watcher per s "
        f"(not every bid: the room sends the latest state)"
    )
    if converge:
        print(
            f"  converged           {len(converge)} of {len(states)} on {final_price} (seq {final.bid_count}): "
            f"p50 {statistics.median(converge) * 1000:.0f} ms, max {max(converge) * 1000:.0f} ms after the "
            f"last bid   target <= 1000 ms"
        )
    print(
        f"  on a wrong price    {wrong} (never connected: {len(states) - held})   gaps seen, then resynced: "
        f"{sum(s['gaps'] for s in states)}   reconnects: {sum(max(0, s['connects'] - 1) for s in states)}"
    )
    print(
        f"  server memory       {(rss_after - rss_before) / max(1, held):.1f} KiB per watcher "
        f"(RSS of the {SERVERS} processes {rss_before / 1024:.0f} MiB -> {rss_after / 1024:.0f} MiB)"
    )
    print(
        f"  CPU in the burst    servers {sum(cpu_burst):.1f} s ({', '.join(f'{c:.1f}' for c in cpu_burst)}), "
        f"watcher clients {client_cpu:.1f} s over {burst_for:.1f} s wall "
        f"(client max RSS {client_rss / 1024:.0f} MiB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="400 watchers, 100 bids/s for 3 s")
    parser.add_argument("--watchers", type=int, default=None)
    parser.add_argument("--client-procs", type=int, default=4)
    parser.add_argument("--flush", default=None, help="AUCTION_ROOM_FLUSH_SECONDS for the servers")
    args = parser.parse_args()
    watchers = args.watchers or (400 if args.quick else 10_000)
    rate, seconds = (100.0, 3.0) if args.quick else (100.0, 10.0)
    mp.set_start_method("fork")
    original = bench_database("bench_watchers")
    try:
        run(watchers, rate, seconds, args.client_procs, args.flush)
    finally:
        connections.close_all()
        time.sleep(1)
        drop_bench_database(original)


if __name__ == "__main__":
    main()
