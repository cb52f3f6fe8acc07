#!/usr/bin/env python3
"""The multi-host topology of ``deploy/``, run on this machine: each host its own loopback address.

    python deploy/local.py up      # start it all, print the addresses; Ctrl-C stops it all
    python deploy/local.py down    # stop a topology left running (reads var/deploy/pids.json)

Options: ``--net 127.0.77`` (the first three octets of the hosts' addresses), ``--dir var/deploy``
(configuration files and logs), ``--no-migrate``. PostgreSQL is the one in ``DATABASE_URL`` (the
database must exist; ``up`` migrates it), reached by every role through PgBouncer. The same roles
and settings as ``deploy/compose.yaml``:

    NET.2      haproxy      :8000 in front of the web hosts (stats on :8404)
    NET.3-4    web-1, web-2 uvicorn (DB_POOL=true) :8000
    NET.5      pgbouncer    :6432, transaction mode, in front of PostgreSQL
    NET.6      redis-1      :6379, the primary at start
    NET.7      redis-2      :6379, its replica
    NET.8-10   sentinel-1..3 :26379, quorum 2, watching "market"
    NET.11-12  worker hosts 1, 2: a Celery worker (broker, cache and channel layer through Sentinel)
               and a sweeper (auctions start and close by the database clock) on each
    NET.13     beat         the one Celery beat

bench/scale.py imports ``Topology`` to start it, to kill and restart its hosts and to fail Redis
over. Processes are started in their own process groups and stopped by their ids only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
MASTER = "market"


def log(message: str) -> None:
    print(f"[deploy] {message}", flush=True)


def _wait_port(host: str, port: int, timeout: float = 30.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {host}:{port} after {timeout:.0f} s")


def _binary(name: str) -> str:
    for candidate in (shutil.which(name), f"/usr/sbin/{name}", f"/usr/bin/{name}"):
        if candidate and Path(candidate).exists():
            return candidate
    raise SystemExit(f"{name} is not installed (Debian: apt-get install -y haproxy pgbouncer redis-sentinel)")


@dataclass
class Topology:
    net: str = "127.0.77"
    directory: Path = ROOT / "var" / "deploy"
    database_url: str = field(default_factory=lambda: os.environ.get("DATABASE_URL", ""))
    web_hosts: int = 2
    workers: int = 2
    worker_concurrency: int = 2
    extra_env: dict[str, str] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    log_offsets: dict[str, int] = field(default_factory=dict)

    # --- addresses ------------------------------------------------------------------------------

    def address(self, role: str) -> str:
        last = {"haproxy": 2, "pgbouncer": 5, "redis-1": 6, "redis-2": 7, "beat": 13}
        for i in range(1, 4):
            last[f"sentinel-{i}"] = 7 + i
        for i in range(1, self.web_hosts + 1):
            last[f"web-{i}"] = 2 + i
        for i in range(1, self.workers + 1):
            last[f"worker-{i}"] = 10 + i
            last[f"sweeper-{i}"] = 10 + i  # each worker host also runs a sweeper
        return f"{self.net}.{last[role]}"

    @property
    def url(self) -> str:
        return f"http://{self.address('haproxy')}:8000"

    @property
    def sentinels(self) -> list[tuple[str, int]]:
        return [(self.address(f"sentinel-{i}"), 26379) for i in range(1, 4)]

    @property
    def pooled_database_url(self) -> str:
        """DATABASE_URL with PgBouncer in place of the server."""
        parts = urlsplit(self.database_url)
        auth = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
        return urlunsplit(parts._replace(netloc=f"{auth}{self.address('pgbouncer')}:6432"))

    def app_env(self) -> dict[str, str]:
        """What every role of the market gets (the same as deploy/compose.yaml's x-app)."""
        hosts = [self.address("haproxy")] + [self.address(f"web-{i}") for i in range(1, self.web_hosts + 1)]
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            PYTHONPATH=str(ROOT),
            DATABASE_URL=self.pooled_database_url,
            DB_TRANSACTION_POOLING="true",
            REDIS_URL=f"redis://{MASTER}/0",
            REDIS_SENTINELS=",".join(f"{h}:{p}" for h, p in self.sentinels),
            REDIS_SENTINEL_MASTER=MASTER,
            DEBUG="false",
            SECRET_KEY=os.environ.get("SECRET_KEY") or "local-topology-" + secrets.token_hex(24),
            ALLOWED_HOSTS=",".join(hosts),
            SECURE_COOKIES="false",  # plain HTTP on loopback; production ends TLS at the proxy
            TRUSTED_PROXY_COUNT="1",
            LOG_JSON="false",
            LOG_LEVEL=os.environ.get("DEPLOY_LOG_LEVEL", "WARNING"),
        )
        env.setdefault("BANK_WEBHOOK_SECRET", secrets.token_hex(16))
        env.update(self.extra_env)
        return env

    # --- processes ------------------------------------------------------------------------------

    def _spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        path = self.directory / f"{name}.log"
        self.log_offsets[name] = path.stat().st_size if path.exists() else 0
        logfile = open(path, "ab")  # noqa: SIM115 - the child keeps it
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env or dict(os.environ),
            stdout=logfile,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: a host's death takes all its processes
        )
        logfile.close()
        self.procs[name] = proc
        self._write_pids()
        return proc

    def _write_pids(self) -> None:
        pids = {name: p.pid for name, p in self.procs.items() if p.poll() is None}
        (self.directory / "pids.json").write_text(json.dumps(pids))

    def _as_service_user(self, argv: list[str]) -> list[str]:
        """PgBouncer refuses to run as root: run it as the postgres (or nobody) account."""
        if os.geteuid() != 0:
            return argv
        user = "postgres" if _user_exists("postgres") else "nobody"
        return ["setpriv", f"--reuid={user}", f"--regid={user if user == 'postgres' else 'nogroup'}",
                "--init-groups", *argv]  # fmt: skip

    def start_redis(self, name: str, replica_of: str | None = None) -> None:
        host = self.address(name)
        data = self.directory / name
        data.mkdir(exist_ok=True)
        argv = [_binary("redis-server"), "--bind", host, "--port", "6379", "--protected-mode", "no",
                "--save", "", "--appendonly", "no", "--dir", str(data), "--daemonize", "no",
                "--replica-announce-ip", host, "--bind-source-addr", host]  # fmt: skip
        if replica_of:
            argv += ["--replicaof", self.address(replica_of), "6379"]
        self._spawn(name, argv)
        _wait_port(host, 6379)

    def start_sentinel(self, i: int, primary: str = "redis-1") -> None:
        name = f"sentinel-{i}"
        host = self.address(name)
        data = self.directory / name
        data.mkdir(exist_ok=True)
        conf = data / "sentinel.conf"
        if not conf.exists():  # a restarted sentinel keeps what it learnt (it rewrites this file)
            conf.write_text(
                f"bind {host}\nport 26379\nprotected-mode no\ndaemonize no\ndir {data}\n"
                f"sentinel announce-ip {host}\nsentinel announce-port 26379\n"
                f"sentinel monitor {MASTER} {self.address(primary)} 6379 2\n"
                f"sentinel down-after-milliseconds {MASTER} 1500\n"
                f"sentinel failover-timeout {MASTER} 6000\n"
                f"sentinel parallel-syncs {MASTER} 1\n"
            )
        self._spawn(name, [_binary("redis-sentinel"), str(conf)])
        _wait_port(host, 26379)

    def start_pgbouncer(self) -> None:
        host = self.address("pgbouncer")
        data = self.directory / "pgbouncer"
        data.mkdir(exist_ok=True)
        parts = urlsplit(self.database_url)
        user = parts.username or "postgres"
        (data / "userlist.txt").write_text(f'"{user}" ""\n')
        # Transaction pooling: a server connection serves one transaction at a time for any client.
        (data / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host={parts.hostname or '127.0.0.1'} port={parts.port or 5432}\n"
            "[pgbouncer]\n"
            f"listen_addr = {host}\nlisten_port = 6432\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {data / 'userlist.txt'}\nadmin_users = {user}\n"
            "pool_mode = transaction\nmax_client_conn = 1000\ndefault_pool_size = 20\n"
            "reserve_pool_size = 5\nignore_startup_parameters = extra_float_digits,options\n"
            "server_check_delay = 10\nlog_connections = 0\nlog_disconnections = 0\n"
        )
        if os.geteuid() == 0:
            shutil.chown(data, "postgres" if _user_exists("postgres") else "nobody")
            for f in data.iterdir():
                f.chmod(0o644)
        self._spawn("pgbouncer", self._as_service_user([_binary("pgbouncer"), str(data / "pgbouncer.ini")]))
        _wait_port(host, 6432)

    def start_web(self, i: int) -> None:
        name = f"web-{i}"
        host = self.address(name)
        env = dict(self.app_env(), DB_POOL="true", DB_POOL_SIZE="8")
        argv = [sys.executable, "-m", "config.serve", "config.asgi:application", "--host", host, "--port", "8000",
                "--workers", "1", "--lifespan", "off", "--log-level", "warning", "--proxy-headers",
                "--forwarded-allow-ips", self.address("haproxy"), "--ws-max-queue", "64", "--ws-per-message-deflate", "false"]  # fmt: skip
        self._spawn(name, argv, env)
        _wait_port(host, 8000, timeout=90)

    def start_haproxy(self) -> None:
        host = self.address("haproxy")
        servers = "\n".join(
            f"    server web-{i} {self.address(f'web-{i}')}:8000 check" for i in range(1, self.web_hosts + 1)
        )
        conf = self.directory / "haproxy.cfg"
        # A web host is out after two failed probes a second apart. /healthz answering at all (200,
        # or 503 while a shared dependency is degraded, which no other host would cure) keeps it in.
        conf.write_text(
            "global\n    maxconn 4000\n\n"
            "defaults\n    mode http\n    timeout connect 1s\n    timeout client 60s\n"
            "    timeout server 30s\n    timeout tunnel 1h\n    timeout check 3s\n"
            "    option forwardfor\n    option redispatch\n    retries 2\n"
            "    retry-on conn-failure empty-response\n\n"
            f"frontend market\n    bind {host}:8000\n"
            "    http-request disable-l7-retry unless METH_GET || METH_HEAD\n"
            "    default_backend web\n\n"
            "backend web\n    balance roundrobin\n    option httpchk\n"
            f"    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host {host}\n"
            "    http-check expect rstatus ^(200|503)$\n"
            "    default-server inter 1s fall 2 rise 2 on-marked-down shutdown-sessions\n"
            f"{servers}\n\n"
            f"frontend stats\n    bind {host}:8404\n    stats enable\n    stats uri /\n"
        )
        self._spawn("haproxy", [_binary("haproxy"), "-db", "-f", str(conf)])
        _wait_port(host, 8000)

    def start_worker(self, i: int) -> None:
        name = f"worker-{i}"
        argv = [sys.executable, "-m", "celery", "-A", "config", "worker", "-n", f"{name}@{self.address(name)}",
                "--concurrency", str(self.worker_concurrency), "--loglevel", "WARNING"]  # fmt: skip
        self._spawn(name, argv, self.app_env())

    def start_sweeper(self, i: int) -> None:
        """The sweeper of worker host ``i``: starts and closes auctions by the database clock."""
        # INFO: it says when it is sweeping ("sweeper started") and how late each close was.
        env = dict(self.app_env(), LOG_LEVEL="INFO")
        self._spawn(f"sweeper-{i}", [sys.executable, "manage.py", "auctions_sweeper"], env)

    def wait_log(self, name: str, text: str, timeout: float = 240.0) -> None:
        """Until the process ``name`` has written ``text`` to its log since it was (re)started."""
        path = self.directory / f"{name}.log"
        deadline = time.time() + timeout
        while time.time() < deadline:
            with open(path, "rb") as f:
                f.seek(self.log_offsets.get(name, 0))
                if text.encode() in f.read():
                    return
            if self.procs[name].poll() is not None:
                raise RuntimeError(f"{name} exited; see {path}")
            time.sleep(0.5)
        raise RuntimeError(f"{name} did not say {text!r} within {timeout:.0f} s; see {path}")

    def wait_sweepers(self) -> None:
        """The sweepers start after Django's system checks (tens of seconds on a busy machine):
        auctions close on time only once one of them sweeps."""
        for i in range(1, self.workers + 1):
            self.wait_log(f"sweeper-{i}", "sweeper started")

    def start_beat(self) -> None:
        argv = [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel", "WARNING",
                "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler",
                "--pidfile", str(self.directory / "beat.pid")]  # fmt: skip
        (self.directory / "beat.pid").unlink(missing_ok=True)
        self._spawn("beat", argv, self.app_env())

    def migrate(self) -> None:
        env = dict(self.app_env(), DATABASE_URL=self.database_url)  # the schema change goes direct
        subprocess.check_call(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env
        )

    def start(self, *, migrate: bool = True) -> None:
        if not self.database_url:
            raise SystemExit("set DATABASE_URL to the PostgreSQL database the market uses")
        self.directory.mkdir(parents=True, exist_ok=True)
        for old in self.directory.glob("sentinel-*/sentinel.conf"):
            old.unlink()  # a fresh topology: redis-1 is the primary again
        started = time.time()
        self.start_redis("redis-1")
        self.start_redis("redis-2", replica_of="redis-1")
        for i in range(1, 4):
            self.start_sentinel(i)
        self.start_pgbouncer()
        if migrate:
            self.migrate()
        self.wait_sentinels()
        for i in range(1, self.web_hosts + 1):
            self.start_web(i)
        self.start_haproxy()
        for i in range(1, self.workers + 1):
            self.start_worker(i)
            self.start_sweeper(i)
        self.start_beat()
        self.wait_healthy()
        self.wait_sweepers()
        log(f"topology up in {time.time() - started:.1f} s: {self.url}")

    def wait_sentinels(self, timeout: float = 30.0) -> None:
        """Until every sentinel knows the primary, a replica and the two other sentinels."""
        import redis

        deadline = time.time() + timeout
        while time.time() < deadline:
            ready = 0
            for host, port in self.sentinels:
                with contextlib.suppress(redis.RedisError):
                    m = redis.Redis(host=host, port=port, socket_timeout=1).sentinel_master(MASTER)
                    ready += int(m["num-other-sentinels"] >= 2 and m["num-slaves"] >= 1)
            if ready == 3:
                return
            time.sleep(0.3)
        raise RuntimeError("the sentinels did not find each other and the replica")

    def wait_healthy(self, timeout: float = 90.0) -> None:
        deadline = time.time() + timeout
        last = ""
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        return
            except Exception as exc:  # noqa: BLE001 - keep waiting, say the last
                last = str(exc)
            time.sleep(0.5)
        raise RuntimeError(f"{self.url}/healthz did not answer 200: {last}")

    def primary(self) -> str:
        """The address the sentinels name as the primary now."""
        import redis

        for host, port in self.sentinels:
            with contextlib.suppress(redis.RedisError):
                client = redis.Redis(host=host, port=port, socket_timeout=1, decode_responses=True)
                return str(client.sentinel_get_master_addr_by_name(MASTER)[0])
        raise RuntimeError("no sentinel answers")

    def kill_primary(self) -> str:
        """The primary dies: the sentinels agree it is down (1.5 s) and promote the replica; the
        old one is started again as a replica of the new primary. Returns the old address."""
        before = self.primary()
        name = next(n for n in ("redis-1", "redis-2") if self.address(n) == before)
        self.kill(name)
        deadline = time.time() + 30
        while time.time() < deadline and self.primary() == before:
            time.sleep(0.1)
        self.restart(name)  # rejoins as a replica of the other
        return before

    def failover(self) -> str:
        """SENTINEL FAILOVER: the replica is promoted, the old primary becomes its replica."""
        import redis

        before = self.primary()
        host, port = self.sentinels[0]
        redis.Redis(host=host, port=port, socket_timeout=2).execute_command("SENTINEL", "FAILOVER", MASTER)
        return before

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """The host dies: its whole process group, at once."""
        proc = self.procs.get(name)
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=15)
        self._write_pids()

    def restart(self, name: str) -> None:
        self.kill(name, signal.SIGTERM)
        self.kill(name, signal.SIGKILL)
        if name.startswith("web-"):
            self.start_web(int(name.split("-")[1]))
        elif name.startswith("worker-"):
            self.start_worker(int(name.split("-")[1]))
        elif name.startswith("sweeper-"):
            self.start_sweeper(int(name.split("-")[1]))
        elif name == "pgbouncer":
            self.start_pgbouncer()
        elif name == "beat":
            self.start_beat()
        elif name.startswith("sentinel-"):
            self.start_sentinel(int(name.split("-")[1]))
        elif name.startswith("redis-"):
            other = "redis-2" if name == "redis-1" else "redis-1"
            self.start_redis(name, replica_of=other)
        elif name == "haproxy":
            self.start_haproxy()

    def stop(self) -> None:
        order = ["haproxy", "beat"] + [n for n in self.procs if n.startswith(("web-", "worker-", "sweeper-"))]
        order += ["pgbouncer", "sentinel-1", "sentinel-2", "sentinel-3", "redis-2", "redis-1"]
        for name in order:
            self.kill(name, signal.SIGTERM)
        for name in list(self.procs):
            self.kill(name, signal.SIGKILL)
        (self.directory / "pids.json").unlink(missing_ok=True)


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def down(directory: Path) -> None:
    """Stop the process groups a previous ``up`` recorded (only those ids)."""
    path = directory / "pids.json"
    if not path.exists():
        log("nothing recorded as running")
        return
    for name, pid in json.loads(path.read_text()).items():
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGTERM)
            log(f"stopped {name} (process group {pid})")
    path.unlink()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["up", "down"])
    parser.add_argument("--net", default="127.0.77")
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "deploy")
    parser.add_argument("--no-migrate", action="store_true")
    args = parser.parse_args()
    if args.command == "down":
        down(args.dir)
        return 0
    topology = Topology(net=args.net, directory=args.dir)

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    for signum in (signal.SIGTERM, signal.SIGINT):  # SIGINT too: a background start ignores it
        signal.signal(signum, interrupt)
    try:
        topology.start(migrate=not args.no_migrate)
        for name in topology.procs:
            log(f"{name:<11} {topology.address(name)}   log {args.dir / (name + '.log')}")
        log(f"the market: {topology.url}/   Ctrl-C stops every host")
        while True:
            time.sleep(0.5)
            dead = [name for name, proc in topology.procs.items() if proc.poll() is not None]
            if dead:
                log(f"{', '.join(dead)} exited; see the logs in {args.dir}")
                break
    except KeyboardInterrupt:
        pass
    finally:
        topology.stop()
        log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
