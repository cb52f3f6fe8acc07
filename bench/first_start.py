"""Fresh clone to first page (#17.6): ``python3 dev.py run`` on a fresh clone, target < 45 s
including the install.

    python3 bench/first_start.py           # uv's download cache as this machine has it
    python3 bench/first_start.py --cold    # an empty uv cache: every wheel fetched from the index

Clones this checkout's HEAD into a temporary directory and runs there exactly the README's
command, ``python3 dev.py run``, with ``DATABASE_URL`` / ``REDIS_URL`` unset (so the private
PostgreSQL and Redis start under the clone's ``var/``) and a free ``PORT``. The clock runs from
the launch until ``GET /`` answers 200 with the home page (polled every 0.1 s); then the system is
stopped (SIGINT, as Ctrl-C) and the clone removed. Prints the total beside its parts, read from
dev.py's own lines as they appear: the install (venv, uv, the runtime dependencies), the embedded
servers, migrate + demo data + static files, and the web role's start. The raw limit beside it,
measured in the same run: ``python3 -c "import django"`` in the new venv, and the install alone
(``uv pip install`` into a second fresh venv, same cache, offline first as dev.py does), the
floor no launcher can go under.
Needs only Python 3.11 and git (no Django set-up here: the bench is the clone's first user).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from _clone import fresh_clone, readme_command  # bench/ is on the path of a bench run as a script

TARGET_S = 45.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def first_page(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
            return response.status == 200 and "浙江拍" in response.read().decode("utf-8", "replace")
    except OSError:
        return False


def stop(proc: subprocess.Popen) -> None:
    """Ctrl-C to the launcher's whole process group, as a person would; SIGKILL after 30 s."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cold", action="store_true", help="an empty uv cache")
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()

    work, clone, env = fresh_clone("first-start-")
    port = free_port()
    env["PORT"] = str(port)
    if args.cold:
        env["UV_CACHE_DIR"] = str(work / "uv-cache")
    marks: dict[str, float] = {}
    log_lines: list[str] = []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = readme_command(clone, env, "run", start_new_session=True)

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            now = time.monotonic() - started
            log_lines.append(f"{now:6.1f}s {line.rstrip()}")
            for key, needle in (
                ("installed", "[dev] installed"),
                ("servers", "[dev] embedded servers started"),
                ("set-up", "[dev] starting web"),
                ("web", "Uvicorn running"),
            ):
                if needle in line and key not in marks:
                    marks[key] = now

    threading.Thread(target=read, daemon=True).start()
    total = None
    try:
        while time.monotonic() - started < args.timeout and proc.poll() is None:
            if first_page(port):
                total = time.monotonic() - started
                break
            time.sleep(0.1)
    finally:
        stop(proc)
    # CPU of the launcher and what it started and waited for (not the embedded PostgreSQL, which
    # runs detached), from the launch to the end of Ctrl-C: on a loaded machine the wall clock
    # says more about the neighbours than about the start.
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = used.ru_utime + used.ru_stime - before.ru_utime - before.ru_stime

    # The raw limit, same run, same cache: a bare venv and the install alone.
    raw_venv = work / "raw-venv"
    t0 = time.monotonic()
    subprocess.check_call([sys.executable, "-m", "venv", "--without-pip", str(raw_venv)])
    uv = clone / ".venv" / "bin" / "uv"
    if not uv.exists():  # dev.py used one on PATH
        uv = Path(shutil.which("uv") or uv)
    raw_install = None
    if uv.exists():
        # as dev.py installs: from uv's cache alone first, the package index for what it lacks
        t1 = time.monotonic()
        command = [str(uv), "pip", "install", "-q", "-p", str(raw_venv / "bin" / "python"), "-e", str(clone)]
        if subprocess.call([*command, "--offline"], env=env, stderr=subprocess.DEVNULL) != 0:
            subprocess.call(command, env=env)
        raw_install = time.monotonic() - t1
    t2 = time.monotonic()
    subprocess.call([str(raw_venv / "bin" / "python"), "-c", "import django, rest_framework, channels"])
    raw_import = time.monotonic() - t2
    _ = t0

    if total is None:
        print("\n".join(log_lines[-40:]))
        print(f"NO first page within {args.timeout:.0f} s (dev.py exit code {proc.returncode})")
        shutil.rmtree(work, ignore_errors=True)
        return 1
    print(
        f"fresh clone to first page: {total:.1f} s  (target < {TARGET_S:.0f} s: {'met' if total < TARGET_S else 'NOT met'})"
    )
    previous = 0.0
    for key, label in (
        ("installed", "venv + uv + runtime dependencies"),
        ("servers", "embedded PostgreSQL and Redis"),
        ("set-up", "migrate, demo data, static files"),
        ("web", "web role up"),
    ):
        if key in marks:
            print(f"  {label:<36} at {marks[key]:6.1f} s  (+{marks[key] - previous:5.1f} s)")
            previous = marks[key]
    print(f"  {'first page answered':<36} at {total:6.1f} s  (+{total - previous:5.1f} s)")
    if raw_install is not None:
        print(
            f"raw limit, same run: the install alone into a bare venv {raw_install:.1f} s; import django {raw_import:.1f} s"
        )
    print(f"CPU of dev.py and its processes (launch to Ctrl-C, PostgreSQL's not included): {cpu:.1f} s")
    print(f"uv cache: {'empty (--cold)' if args.cold else 'as this machine has it'}")
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
