"""The market on several hosts under a realistic load, with faults injected, driven by locust.

    python bench/scale.py            # ~2.5 min of load, 5 hot auctions, 50 users
    python bench/scale.py --quick    # ~45 s of load, 4 hot auctions, 36 users: a smoke run

Needs ``DATABASE_URL`` (a PostgreSQL server it may create and drop a database on) and Debian's
haproxy, pgbouncer, redis-server and redis-sentinel. It makes a throwaway database, starts the
topology of ``deploy/local.py`` on loopback addresses (HAProxy -> 2 uvicorn web hosts; PgBouncer in
transaction mode -> PostgreSQL; Redis primary + replica + 3 sentinels; 2 Celery workers + 1 beat)
and sends traffic only there. A locust run (a child process: locust patches the standard library
with gevent) plays:

- visitors browsing the catalogue (API and page), results (API and page) and auctions;
- bidders in the hot auctions, half over HTTP (``POST .../bids/`` with ``Idempotency-Key``, retried
  with the same key when the answer is lost), half over the live room's WebSocket (``bid`` with a
  ``key``, resent with the same key on a new socket when the answer is lost);
- watchers in the rooms (anonymous WebSockets applying snapshots and ``bid``/``closed`` events);
- API clients syncing results with ``updated_since`` and cursor pages.

While it runs the script kills a web host (and restarts it), fails the Redis primary over to the
replica (``SENTINEL FAILOVER``), kills a worker host (its Celery worker and its sweeper; and
restarts them) and restarts PgBouncer.
Each hot auction's end falls just after one of the faults. The auctions' extension window is set to
5 s on their rows (listings accept >= 60 s) so that they close inside the run; bidders stop 7 s
before the end, so the end does not move.

Printed: requests/s by kind with p50/p95/p99; errors by kind in each fault's window; then the
checks, each with its target: acknowledged bids missing from the database (0), bids in the
database never acknowledged (0), duplicated keys (0), ``seq`` gaps (0), deals per sold auction (1),
close later than ``ends_at`` (<= 2 s), watchers not on the final state (0), ledger journals not
summing to zero (0).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


# =============================================================================================
# The load: a locust child process (gevent). Nothing of Django is imported here.
# =============================================================================================


def locust_child(plan_path: str) -> None:
    import itertools
    import random
    import uuid

    import gevent
    import websocket  # websocket-client: blocking, cooperative under gevent's patches
    from locust import FastHttpUser, User, between, events, task
    from locust.env import Environment

    plan = json.loads(Path(plan_path).read_text())
    base = plan["url"]
    ws_base = base.replace("http://", "ws://")
    records: list[tuple[float, str, float, str]] = []  # (time, kind, ms, error or "")
    bids: list[dict] = []
    watchers: dict[int, dict] = {}

    @events.request.add_listener
    def _record(request_type, name, response_time, response_length, exception, **kwargs):  # noqa: ANN001
        error = ""
        if exception is not None:
            error = str(exception)[:60] if "HTTP" in str(exception)[:5] else type(exception).__name__
        records.append((time.time(), name, response_time, error))

    def fire(env: Environment, kind: str, started: float, exception: Exception | None) -> None:
        env.events.request.fire(
            request_type="WS",
            name=kind,
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=exception,
            context={},
        )

    class Failure(Exception):
        pass

    def http_error(resp) -> str:  # noqa: ANN001
        if resp.status_code == 0 or resp.status_code is None:
            return type(resp.error).__name__ if getattr(resp, "error", None) else "no_response"
        try:
            code = resp.json().get("code", "")
        except Exception:  # noqa: BLE001
            code = "not_json"
        return f"HTTP {resp.status_code} {code}"

    auctions = plan["auctions"]

    class Visitor(FastHttpUser):
        fixed_count = plan["users"]["visitors"]
        wait_time = between(1, 3)

        def get(self, path: str, kind: str) -> None:
            with self.client.get(path, name=kind, catch_response=True) as resp:
                if resp.status_code != 200:
                    resp.failure(http_error(resp))

        @task(3)
        def catalogue(self) -> None:
            q = random.choice(["", "?q=传感器", "?mode=auction", "?field=new_materials", "?q=材料"])
            self.get(f"/api/v1/listings/{q}", "catalogue api")

        @task(1)
        def catalogue_page(self) -> None:
            self.get("/catalogue/", "catalogue page")

        @task(2)
        def results(self) -> None:
            self.get(random.choice(["/api/v1/results/", "/api/v1/results/?mode=auction"]), "results api")

        @task(1)
        def results_page(self) -> None:
            self.get("/results/", "results page")

        @task(2)
        def auction(self) -> None:
            self.get(f"/api/v1/auctions/{random.choice(auctions)['id']}/", "auction api")

    class Syncer(FastHttpUser):
        """An API client keeping a copy of the results: updated_since, then the cursor pages."""

        fixed_count = plan["users"]["syncers"]
        wait_time = between(2, 4)
        numbers = itertools.count()

        def on_start(self) -> None:
            self.token = plan["sync_tokens"][next(self.numbers) % len(plan["sync_tokens"])]
            self.since = "2000-01-01T00:00:00+00:00"

        @task
        def sync(self) -> None:
            path = f"/api/v1/results/?updated_since={self.since.replace('+', '%2B')}"
            for _page in range(5):
                with self.client.get(
                    path,
                    name="sync results",
                    headers={"Authorization": f"Token {self.token}"},
                    catch_response=True,
                ) as resp:
                    if resp.status_code != 200:
                        resp.failure(http_error(resp))
                        return
                    body = resp.json()
                for row in body["results"]:
                    self.since = max(self.since, row["updated_at"])
                if not body.get("next"):
                    return
                path = body["next"].split("://", 1)[-1].split("/", 1)[-1]
                path = "/" + path

    bidder_slots = {"http": itertools.count(), "ws": itertools.count()}

    def bidder_of(via: str) -> tuple[dict, dict]:
        mine = [(a, b) for a in auctions for b in a["bidders"] if b["via"] == via]
        return mine[next(bidder_slots[via]) % len(mine)]

    def record_bid(auction: dict, key: str, amount: str, via: str, outcome: str, seq=None, code="") -> None:  # noqa: ANN001
        bids.append(
            {
                "auction": auction["id"],
                "key": key,
                "amount": amount,
                "via": via,
                "outcome": outcome,
                "seq": seq,
                "code": code,
                "t": time.time(),
            }  # fmt: skip
        )

    class HttpBidder(FastHttpUser):
        fixed_count = plan["users"]["http_bidders"]
        wait_time = between(0.5, 1.5)

        def on_start(self) -> None:
            self.auction, self.me = bidder_of("http")
            self.headers = {"Authorization": f"Token {self.me['token']}"}

        @task
        def bid(self) -> None:
            if time.time() >= self.auction["stop_at"]:
                gevent.sleep(1)
                return
            with self.client.get(
                f"/api/v1/auctions/{self.auction['id']}/", name="auction api", catch_response=True
            ) as r:
                if r.status_code != 200:
                    r.failure(http_error(r))
                    return
                state = r.json()
            if (
                state["status"] not in ("live", "scheduled")
                or state["leader_bidder_no"] == self.me["bidder_no"]
            ):
                return
            amount = (
                float(state["start_price"])
                if state["current_price"] is None
                else float(state["current_price"]) + float(state["increment"])
            )
            amount_text = f"{amount:.2f}"
            key = uuid.uuid4().hex
            headers = dict(self.headers, **{"Idempotency-Key": key})
            deadline = time.time() + 15
            while True:  # the same key until an answer: a lost answer is asked again, never re-bid
                with self.client.post(
                    f"/api/v1/auctions/{self.auction['id']}/bids/",
                    json={"amount": amount_text},
                    headers=headers,
                    name="bid http",
                    catch_response=True,
                ) as resp:
                    status = resp.status_code or 0
                    if status == 201:
                        record_bid(self.auction, key, amount_text, "http", "accepted", resp.json()["seq"])
                        return
                    if 400 <= status < 500 and status != 429:
                        code = resp.json().get("code", "") if resp.text else ""
                        # A refusal is an answer, not an error of the system under test.
                        resp.success()
                        record_bid(self.auction, key, amount_text, "http", "rejected", code=code)
                        return
                    resp.failure(http_error(resp))
                if time.time() > deadline:
                    record_bid(self.auction, key, amount_text, "http", "unknown")
                    return
                gevent.sleep(0.5)

    class WsBidder(User):
        fixed_count = plan["users"]["ws_bidders"]
        wait_time = between(0.5, 1.5)

        def on_start(self) -> None:
            self.auction, self.me = bidder_of("ws")
            self.ws = None
            self.state: dict = {}

        def connect(self) -> None:
            started = time.perf_counter()
            try:
                self.ws = websocket.create_connection(
                    f"{ws_base}/ws/auctions/{self.auction['id']}/",
                    header=[f"Authorization: Token {self.me['token']}"],
                    timeout=5,
                )
                self.apply(json.loads(self.ws.recv()))
                fire(self.environment, "ws connect", started, None)
            except Exception as exc:
                self.ws = None
                fire(self.environment, "ws connect", started, exc)
                raise

        def apply(self, m: dict) -> None:
            if m.get("type") == "snapshot":
                a = m["auction"]
                self.state = {"price": a["current_price"], "start": a["start_price"], "inc": a["increment"],
                              "leader": a["leader_bidder_no"], "status": a["status"]}  # fmt: skip
            elif m.get("type") == "bid":
                self.state.update(price=m["amount"], leader=m["bidder_no"])
            elif m.get("type") == "closed":
                self.state["status"] = m["status"]

        def drain(self, seconds: float) -> None:
            assert self.ws is not None
            self.ws.settimeout(seconds)
            try:
                while True:
                    self.apply(json.loads(self.ws.recv()))
                    self.ws.settimeout(0.01)
            except websocket.WebSocketTimeoutException:
                pass
            finally:
                self.ws.settimeout(5)

        @task
        def bid(self) -> None:
            if time.time() >= self.auction["stop_at"]:
                if self.ws is not None:
                    self.ws.close()
                    self.ws = None
                gevent.sleep(1)
                return
            try:
                if self.ws is None:
                    self.connect()
                self.drain(0.05)
            except Exception:  # noqa: BLE001 - counted as a ws connect error; try again later
                self.ws = None
                gevent.sleep(0.5)
                return
            s = self.state
            if s.get("status") not in ("live", "scheduled") or s.get("leader") == self.me["bidder_no"]:
                return
            amount = float(s["start"]) if s["price"] is None else float(s["price"]) + float(s["inc"])
            amount_text = f"{amount:.2f}"
            key = uuid.uuid4().hex
            deadline = time.time() + 15
            while True:  # the same key on every socket until an answer comes
                started = time.perf_counter()
                try:
                    if self.ws is None:
                        self.connect()
                    assert self.ws is not None
                    self.ws.send(json.dumps({"type": "bid", "amount": amount_text, "key": key}))
                    while True:
                        m = json.loads(self.ws.recv())
                        if m.get("type") in ("bid.accepted", "bid.rejected") and m.get("key") == key:
                            break
                        self.apply(m)
                    fire(self.environment, "bid ws", started, None)
                    if m["type"] == "bid.accepted":
                        record_bid(self.auction, key, amount_text, "ws", "accepted", m["seq"])
                    else:
                        record_bid(self.auction, key, amount_text, "ws", "rejected", code=m.get("code", ""))
                    return
                except Exception as exc:  # noqa: BLE001
                    if self.ws is not None:
                        fire(self.environment, "bid ws", started, exc)
                    try:
                        if self.ws is not None:
                            self.ws.close()
                    except Exception:  # noqa: BLE001, S110
                        pass
                    self.ws = None
                if time.time() > deadline:
                    record_bid(self.auction, key, amount_text, "ws", "unknown")
                    return
                gevent.sleep(0.5)

    watcher_numbers = itertools.count()

    class Watcher(User):
        """A spectator: applies the snapshot, each next ``bid``, ``closed``; reconnects on a gap."""

        fixed_count = plan["users"]["watchers"]
        wait_time = between(0.1, 0.2)

        def on_start(self) -> None:
            self.number = next(watcher_numbers)
            self.auction = auctions[self.number % len(auctions)]
            watchers[self.number] = {"auction": self.auction["id"], "seq": None, "status": None, "gaps": 0}

        @task
        def watch(self) -> None:
            state = watchers[self.number]
            started = time.perf_counter()
            try:
                ws = websocket.create_connection(
                    f"{ws_base}/ws/auctions/{self.auction['id']}/", origin=base, timeout=5
                )
                fire(self.environment, "ws watch", started, None)
            except Exception as exc:  # noqa: BLE001
                fire(self.environment, "ws watch", started, exc)
                gevent.sleep(0.5)
                return
            try:
                ws.settimeout(30)
                while True:
                    m = json.loads(ws.recv())
                    if m["type"] == "snapshot":
                        state.update(seq=m["auction"]["bid_count"], status=m["auction"]["status"])
                    elif m["type"] == "bid":
                        if m["seq"] <= (state["seq"] or 0):
                            continue
                        if m["seq"] != (state["seq"] or 0) + 1:
                            state["gaps"] += 1
                            return  # reconnect: the new snapshot is the resync
                        state["seq"] = m["seq"]
                    elif m["type"] == "closed":
                        state["status"] = m["status"]
            except Exception:  # noqa: BLE001 - a dropped socket: reconnect
                return
            finally:
                with contextlib.suppress(Exception):
                    ws.close()

    env = Environment(user_classes=[Visitor, Syncer, HttpBidder, WsBidder, Watcher], events=events, host=base)
    runner = env.create_local_runner()
    total = sum(plan["users"].values())
    while time.time() < plan["t0"]:
        gevent.sleep(0.05)
    runner.start(total, spawn_rate=20)
    gevent.sleep(max(0, plan["t0"] + plan["duration"] - time.time()))
    # Watchers stay until every hot auction is final (a late close shows as late, not as a watcher
    # that left too early), then 3 s more to take the last event.
    import urllib.request

    deadline = time.time() + 25
    while time.time() < deadline:
        try:
            states = [
                json.loads(urllib.request.urlopen(f"{base}/api/v1/auctions/{a['id']}/", timeout=5).read())[
                    "status"
                ]
                for a in auctions
            ]
        except Exception:  # noqa: BLE001
            states = ["?"]
        if all(status in ("sold", "unsold", "cancelled") for status in states):
            break
        gevent.sleep(0.5)
    gevent.sleep(3)
    runner.quit()
    Path(plan["out"]).write_text(json.dumps({"records": records, "bids": bids, "watchers": watchers}))


# =============================================================================================
# The run: database, topology, faults, figures, checks (plain Python with Django).
# =============================================================================================

QUICK = {
    "duration": 45,
    "users": {"visitors": 6, "syncers": 2, "http_bidders": 8, "ws_bidders": 8, "watchers": 12},
    "faults": [
        ("kill web host web-2", 8.0),
        ("Redis failover", 16.0),
        ("kill worker host 1", 23.0),
        ("restart PgBouncer", 30.0),
    ],  # fmt: skip
    "restart_after": 6.0,
    "ends": [19.0, 26.0, 32.0, 37.0],
    "window": 6.0,
}
FULL = {
    "duration": 150,
    "users": {"visitors": 10, "syncers": 3, "http_bidders": 10, "ws_bidders": 10, "watchers": 20},
    "faults": [
        ("kill web host web-2", 30.0),
        ("Redis failover", 60.0),
        ("kill worker host 1", 90.0),
        ("restart PgBouncer", 118.0),
    ],  # fmt: skip
    "restart_after": 15.0,
    "ends": [50.0, 64.0, 95.0, 122.0, 140.0],
    "window": 10.0,
}
EXTENSION_SECONDS = 5
STOP_BEFORE_END = EXTENSION_SECONDS + 2


def _pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="~45 s of load: a smoke run")
    parser.add_argument("--net", default="127.0.78", help="the hosts' loopback addresses: NET.2 .. NET.13")
    parser.add_argument(
        "--redis-fault",
        choices=["failover", "kill"],
        default="failover",
        help="SENTINEL FAILOVER (default), or kill the primary and let the sentinels notice",
    )
    parser.add_argument("--locust-child", help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the database and var/scale for a look")
    args = parser.parse_args()
    if args.locust_child:
        locust_child(args.locust_child)
        return 0
    return run(QUICK if args.quick else FULL, args.net, args.keep, args.redis_fault)


def run(profile: dict, net: str, keep: bool, redis_fault: str) -> int:
    from deploy.local import Topology

    direct = os.environ.get("DATABASE_URL", "")
    if not direct.startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL server this benchmark may create a database on")
    topology = Topology(
        net=net,
        directory=ROOT / "var" / "scale",
        extra_env={"EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"},
    )
    # This process writes the set-up (and enqueues the auctions' tasks) through the same Redis.
    os.environ.update(
        REDIS_SENTINELS=",".join(f"{h}:{p}" for h, p in topology.sentinels),
        REDIS_SENTINEL_MASTER="market",
        REDIS_URL="redis://market/0",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    os.environ.setdefault("BANK_WEBHOOK_SECRET", "bench-scale-secret")
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"  # mail is not measured
    import django

    # Redis first (the settings' embedded fallback must not start), then Django.
    topology.directory.mkdir(parents=True, exist_ok=True)
    for old in topology.directory.glob("sentinel-*/sentinel.conf"):
        old.unlink()
    topology.start_redis("redis-1")
    topology.start_redis("redis-2", replica_of="redis-1")
    for i in range(1, 4):
        topology.start_sentinel(i)
    topology.wait_sentinels()
    django.setup()
    from django.conf import settings
    from django.db import connection, connections

    original = connection.settings_dict["NAME"]
    name = f"bench_scale_{original}"
    connection.settings_dict.setdefault("TEST", {})["NAME"] = name
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    started = time.time()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    print(f"[scale] database {name} migrated in {time.time() - started:.0f} s", flush=True)
    parts = urlsplit(direct)
    topology.database_url = urlunsplit(parts._replace(path=f"/{name}"))
    rc = 1
    try:
        seed = seed_market(profile)
        connections.close_all()
        # The rest of the topology, now that its database exists.
        topology.start_pgbouncer()
        for i in range(1, topology.web_hosts + 1):
            topology.start_web(i)
        topology.start_haproxy()
        for i in range(1, topology.workers + 1):
            topology.start_worker(i)
            topology.start_sweeper(i)
        topology.start_beat()
        topology.wait_healthy()
        topology.wait_sweepers()
        rc = drive(profile, topology, seed, redis_fault)
    finally:
        topology.stop()
        connections.close_all()
        if not keep:
            time.sleep(1)
            connection.creation.destroy_test_db(original, verbosity=0)
    return rc


def seed_market(profile: dict) -> dict:
    """Listings and results to browse, the hot auctions and their bidders with API tokens."""
    sys.path.insert(0, str(ROOT / "bench"))
    import catalogue
    import results_api

    from accounts.services import api_token_create
    from tests.factories import OrganizationFactory, member_of, open_auction, registered_bidder

    started = time.time()
    catalogue.generate(3000)
    results_api.grow(3000)
    users = profile["users"]
    n = len(profile["ends"])
    auctions = []
    for _ in range(n):
        auction = open_auction(
            start_price="100000.00",
            increment="1000.00",
            deposit="5000.00",
            ends_in=3600,
            extension_seconds=60,
        )
        auctions.append({"id": auction.pk, "bidders": []})
    for via, count in (("http", users["http_bidders"]), ("ws", users["ws_bidders"])):
        for j in range(count):
            a = auctions[j % n]
            from auctions.models import Auction

            user, registration = registered_bidder(Auction.objects.get(pk=a["id"]))
            a["bidders"].append(
                {"via": via, "token": api_token_create(user=user)[1], "bidder_no": registration.bidder_no}
            )
    sync_tokens = [
        api_token_create(user=member_of(OrganizationFactory()))[1] for _ in range(users["syncers"])
    ]
    print(f"[scale] market seeded in {time.time() - started:.0f} s: 3,000 listings, 3,000 results, "
          f"{n} hot auctions, {users['http_bidders'] + users['ws_bidders']} bidders", flush=True)  # fmt: skip
    return {"auctions": auctions, "sync_tokens": sync_tokens}


def drive(profile: dict, topology, seed: dict, redis_fault: str) -> int:  # noqa: ANN001
    from datetime import UTC, datetime, timedelta

    from django.db import connections, transaction

    from auctions.models import Auction
    from auctions.services import auction_start
    from core.effects import enqueue
    from listings.models import Listing

    t0 = time.time() + 8  # the auctions start now; the load in 8 s
    for a, end in zip(seed["auctions"], profile["ends"], strict=True):
        ends_at = datetime.fromtimestamp(t0 + end, tz=UTC)
        a["ends_at"], a["stop_at"] = t0 + end, t0 + end - STOP_BEFORE_END
        auction = Auction.objects.get(pk=a["id"])
        times = {"starts_at": ends_at - timedelta(hours=1), "ends_at": ends_at}
        Listing.objects.filter(pk=auction.listing_id).update(**times)
        Auction.objects.filter(pk=a["id"]).update(
            scheduled_ends_at=ends_at, extension_seconds=EXTENSION_SECONDS, **times
        )
        with transaction.atomic():
            auction_start(auction_id=a["id"])
            # The close at the new end, as auction_open schedules it for the listed one.
            enqueue("auctions.close", a["id"], eta=ends_at)
    connections.close_all()
    out = Path(tempfile.mkdtemp(prefix="scale-")) / "load.json"
    plan = {"url": topology.url, "t0": t0, "duration": profile["duration"], "users": profile["users"],
            "auctions": seed["auctions"], "sync_tokens": seed["sync_tokens"], "out": str(out)}  # fmt: skip
    plan_path = out.with_name("plan.json")
    plan_path.write_text(json.dumps(plan))
    child = subprocess.Popen([sys.executable, __file__, "--locust-child", str(plan_path)], cwd=ROOT)
    load_before = os.getloadavg()
    print(f"[scale] load for {profile['duration']} s against {topology.url} (locust, "
          f"{sum(profile['users'].values())} users); faults at "
          + ", ".join(f"{name} +{at:.0f}s" for name, at in profile["faults"]), flush=True)  # fmt: skip
    faults: list[dict] = []
    pending_restarts: list[tuple[float, str]] = []
    restarts: list[threading.Thread] = []
    for name, at in profile["faults"]:
        while time.time() < t0 + at:
            for due, host in list(pending_restarts):
                if time.time() >= due:  # the host comes back while the next fault goes on
                    restarts.append(threading.Thread(target=topology.restart, args=(host,)))
                    restarts[-1].start()
                    pending_restarts.remove((due, host))
            time.sleep(0.1)
        began = time.time()
        fault = {"name": name, "at": began - t0}
        if name.startswith("kill web host"):
            topology.kill("web-2")
            pending_restarts.append((began + profile["restart_after"], "web-2"))
        elif name == "Redis failover" and redis_fault == "kill":
            fault["name"] = "Redis primary killed"
            fault["from"] = topology.kill_primary()
            fault["to"] = topology.primary()
            fault["took"] = time.time() - began
        elif name == "Redis failover":
            fault["from"] = topology.failover()
            deadline = time.time() + 15
            while time.time() < deadline and topology.primary() == fault["from"]:
                time.sleep(0.1)
            fault["to"] = topology.primary()
            fault["took"] = time.time() - began
        elif name == "kill worker host 1":  # its Celery worker and its sweeper die at once
            topology.kill("worker-1")
            topology.kill("sweeper-1")
            pending_restarts += [(began + profile["restart_after"], "worker-1"),
                                 (began + profile["restart_after"], "sweeper-1")]  # fmt: skip
        elif name == "restart PgBouncer":
            topology.restart("pgbouncer")
            fault["took"] = time.time() - began
        faults.append(fault)
    for due, host in sorted(pending_restarts):
        time.sleep(max(0, due - time.time()))
        topology.restart(host)
    for thread in restarts:
        thread.join()
    child.wait(timeout=profile["duration"] + 120)
    load_after = os.getloadavg()
    if child.returncode != 0 or not out.exists():
        print(f"[scale] the locust run failed ({child.returncode})")
        return 1
    data = json.loads(out.read_text())
    report_load(profile, data, faults, t0)
    failures = report_checks(seed, data)
    print(f"\nload average (1, 5, 15 min) at the start {load_before[0]:.2f} {load_before[1]:.2f} "
          f"{load_before[2]:.2f}, at the end {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}; "
          f"{os.cpu_count()} CPUs shared with other work")  # fmt: skip
    print("topology: haproxy " + topology.address("haproxy") + " -> web-1 " + topology.address("web-1")
          + ", web-2 " + topology.address("web-2") + " (uvicorn); pgbouncer " + topology.address("pgbouncer")
          + " (transaction) -> PostgreSQL; redis " + topology.address("redis-1") + " + "
          + topology.address("redis-2") + ", sentinels " + ", ".join(h for h, _ in topology.sentinels)
          + "; worker hosts (Celery worker + sweeper) " + topology.address("worker-1") + ", "
          + topology.address("worker-2")
          + "; beat " + topology.address("beat"))  # fmt: skip
    return 1 if failures else 0


def report_load(profile: dict, data: dict, faults: list[dict], t0: float) -> None:
    duration = profile["duration"]
    records = [r for r in data["records"] if r[0] < t0 + duration]  # not the wait for the last close
    by_kind: dict[str, list] = defaultdict(list)
    for t, kind, ms, error in records:
        by_kind[kind].append((t, ms, error))
    print(f"\n{'kind':<16}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for kind in sorted(by_kind):
        rows = by_kind[kind]
        ok = sorted(ms for _t, ms, e in rows if not e)
        errors = sum(1 for *_x, e in rows if e)
        print(f"{kind:<16}{len(rows):>9}{len(rows) / duration:>8.1f}{_pct(ok, 50):>9.0f}{_pct(ok, 95):>9.0f}"
              f"{_pct(ok, 99):>9.0f}{errors:>8}")  # fmt: skip
    print(f"{'all':<16}{len(records):>9}{len(records) / duration:>8.1f}")
    window = profile["window"]
    print(f"\nerrors in each fault's window ({window:.0f} s from the fault):")
    inside = 0
    for fault in faults:
        start = t0 + fault["at"]
        rows = [r for r in records if start <= r[0] < start + window]
        errs = Counter((kind, error) for _t, kind, _ms, error in rows if error)
        inside += len(rows)
        extra = ""
        if "to" in fault:
            extra = f" (primary {fault['from']} -> {fault['to']} in {fault['took']:.1f} s)"
        elif "took" in fault:
            extra = f" (back in {fault['took']:.1f} s)"
        total = sum(errs.values())
        print(f"  +{fault['at']:5.1f}s {fault['name']}{extra}: {total} errors of {len(rows)} requests")
        for (kind, error), n in errs.most_common(8):
            print(f"      {n:5}  {kind}: {error}")
    spans = [(t0 + f["at"], t0 + f["at"] + window) for f in faults]
    outside = [r for r in records if not any(a <= r[0] < b for a, b in spans)]
    errs = Counter((kind, error) for _t, kind, _ms, error in outside if error)
    print(f"  outside the windows: {sum(errs.values())} errors of {len(outside)} requests"
          + "".join(f"\n      {n:5}  {k}: {e}" for (k, e), n in errs.most_common(5)))  # fmt: skip


def report_checks(seed: dict, data: dict) -> int:
    """The invariants after the run, each against its target; returns the number that failed."""
    from django.db import connection
    from django.db.models import Sum

    from auctions.models import Auction, AuctionStatusChange, Bid
    from marketplace.models import Deal, LedgerEntry

    ids = [a["id"] for a in seed["auctions"]]
    deadline = time.time() + 20  # a close that has not happened yet is waited for (and shows as late)
    while (
        time.time() < deadline
        and Auction.objects.filter(pk__in=ids, status__in=["live", "scheduled"]).exists()
    ):
        time.sleep(0.5)
    connection.close()
    attempts = data["bids"]
    acked = {(b["auction"], b["key"]): b["seq"] for b in attempts if b["outcome"] == "accepted"}
    outcome_of = {(b["auction"], b["key"]): b["outcome"] for b in attempts}
    stored: dict[tuple[int, str], list[int]] = defaultdict(list)
    for auction_id, key, seq in Bid.objects.filter(auction_id__in=ids).values_list(
        "auction_id", "key", "seq"
    ):
        stored[(auction_id, key)].append(seq)
    lost = [k for k, seq in acked.items() if stored.get(k) != [seq]]
    duplicated = [k for k, seqs in stored.items() if len(seqs) > 1]
    unacked = [k for k in stored if k not in acked]
    unacked_kinds = Counter(outcome_of.get(k, "never sent") for k in unacked)
    gaps = 0
    for a in Auction.objects.filter(pk__in=ids):
        seqs = sorted(s for (aid, _k), ss in stored.items() if aid == a.pk for s in ss)
        gaps += int(seqs != list(range(1, a.bid_count + 1)))
    outcomes = Counter((b["via"], b["outcome"]) for b in attempts)
    failed = 0

    def check(label: str, value: object, ok: bool, target: str) -> None:
        nonlocal failed
        failed += int(not ok)
        print(f"  {'ok ' if ok else 'FAIL'} {label:<52} {value!s:<18} target {target}")

    print("\nbids: " + ", ".join(f"{via} {outcome} {n}" for (via, outcome), n in sorted(outcomes.items())))
    print("checks after the run:")
    check("acknowledged bids missing from the database", len(lost), not lost, "0")
    check(
        "bids in the database never acknowledged",
        f"{len(unacked)} {dict(unacked_kinds) or ''}",
        not unacked,
        "0",
    )
    check("bid keys stored twice", len(duplicated), not duplicated, "0")
    check("auctions whose seq is not 1..bid_count", gaps, gaps == 0, "0")
    closes = []
    deals_wrong = 0
    for a in Auction.objects.filter(pk__in=ids).select_related("listing"):
        change = AuctionStatusChange.objects.filter(auction=a, to_status__in=["sold", "unsold"]).first()
        closes.append((a.pk, a.status, (change.created_at - a.ends_at).total_seconds() if change else None))
        deals = Deal.objects.filter(listing=a.listing_id).count()
        deals_wrong += int(
            deals != (1 if a.status == "sold" else 0) or (a.status == "sold" and a.deal_id is None)
        )
    sold = sum(1 for _p, s, _l in closes if s == "sold")
    check(f"sold auctions without exactly one deal (of {sold} sold)", deals_wrong, deals_wrong == 0, "0")
    late = [lag for _p, _s, lag in closes if lag is not None]
    unclosed = sum(1 for *_x, lag in closes if lag is None)
    worst = max(late) if late else float("nan")
    check("closes later than ends_at + 2 s (worst lag)",
          f"{sum(1 for x in late if x > 2) + unclosed} ({worst:.2f} s)",
          unclosed == 0 and all(x <= 2 for x in late), "0, <= 2 s")  # fmt: skip
    print("      lags: " + ", ".join(f"#{p} {s} {lag:.2f}s" if lag is not None else f"#{p} {s} not closed"
                                     for p, s, lag in closes))  # fmt: skip
    final = {a.pk: (a.bid_count, a.status) for a in Auction.objects.filter(pk__in=ids)}
    watchers = data["watchers"].values()
    wrong = [w for w in watchers if (w["seq"], w["status"]) != final[w["auction"]]]
    check(f"watchers not on the final seq and status (of {len(watchers)})", len(wrong), not wrong, "0")
    if wrong:
        print("      e.g. " + ", ".join(f"{w['auction']}: {w['seq']}/{w['status']} vs {final[w['auction']]}"
                                       for w in wrong[:4]))  # fmt: skip
    unbalanced = LedgerEntry.objects.values("journal").annotate(total=Sum("amount")).exclude(total=0).count()
    journals = LedgerEntry.objects.values("journal").distinct().count()
    check(f"ledger journals not summing to zero (of {journals})", unbalanced, unbalanced == 0, "0")
    return failed


if __name__ == "__main__":
    sys.exit(main())
