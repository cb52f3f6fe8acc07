"""The README's test command on a fresh clone (#17.7): ``python3 dev.py test``, target < 150 s.

    python3 bench/test_command.py

Clones this checkout's HEAD into a temporary directory and runs there exactly the README's
command, with ``DATABASE_URL`` / ``REDIS_URL`` unset (the private PostgreSQL and Redis start under
the clone's ``var/``). The venv comes from uv's cache as this machine has it (the install is
printed apart: ``bench/first_start.py`` measures it). Prints the wall time, pytest's own summary
line, and the CPU the run used: every process of the command's tree (pytest's workers, the
servers and Celery workers they start, the browsers, ruff, mypy), read when they are reaped, and
the private PostgreSQL's (its postmaster with every backend it reaped, polled from ``/proc``).
The raw limit beside the target, measured in the same run: that CPU divided by this machine's
cores, the wall time under which no way of spreading these tests over the cores can finish. It
is a lower bound: a process that leaves the tree before it ends (a daemonized redis-server,
processes Chromium re-parents) is not counted; process accounting (``acct``) on one run found
~60 s more than this bench reports.
Needs only Python 3.11 and git, as the command itself.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from _clone import fresh_clone, readme_command  # bench/ is on the path of a bench run as a script

TARGET_S = 150.0
TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: str) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the process's name, or None if it is gone."""
    try:
        return (Path("/proc") / pid / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def postgres_cpu(pgdata: Path) -> float | None:
    """CPU seconds of the PostgreSQL serving ``pgdata`` so far: its postmaster's own, the backends
    it has reaped (its children's times) and those still running."""
    postmaster = None
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if args and args[0].endswith(b"postgres") and str(pgdata).encode() in args:
            postmaster = cmdline.parent.name
            break
    fields = _stat(postmaster) if postmaster else None
    if fields is None:
        return None
    # utime, stime, cutime, cstime: fields 14-17 of proc(5), 12-15 after the name; ppid is 4 (2)
    ticks = sum(int(x) for x in fields[11:15])
    for stat in Path("/proc").glob("[0-9]*/stat"):
        child = _stat(stat.parent.name)
        if child is not None and child[1] == postmaster:
            ticks += int(child[11]) + int(child[12])
    return ticks / TICK


def main() -> int:
    work, clone, env = fresh_clone("test-command-")
    head = subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], cwd=clone, text=True).strip()
    load_before = os.getloadavg()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = readme_command(clone, env, "test")
    lines: list[str] = []
    pytest_started = 0.0  # seconds after the launch, when dev.py starts pytest
    pg_seen: list[float] = []
    done = threading.Event()

    def read() -> None:
        nonlocal pytest_started
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip())
            if "[dev] pytest (" in line and not pytest_started:
                pytest_started = time.monotonic() - started

    def poll_postgres() -> None:
        while not done.wait(0.5):
            cpu = postgres_cpu(clone / "var" / "pgdata")
            if cpu is not None:
                pg_seen.append(cpu)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    threading.Thread(target=poll_postgres, daemon=True).start()
    code = proc.wait()
    total = time.monotonic() - started
    done.set()
    reader.join(timeout=5)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    shutil.rmtree(work, ignore_errors=True)

    summary = next((line for line in reversed(lines) if re.search(r"\d+ (passed|failed)", line)), "")
    checks = [line for line in lines if line.startswith("[dev] ") and line.endswith(("passed", ")"))]
    if code:
        # pytest's report of what failed (from its FAILURES or ERRORS section on), else the end
        start = next(
            (i for i, line in enumerate(lines) if re.match(r"=+ (FAILURES|ERRORS) =+$", line)),
            max(len(lines) - 60, 0),
        )
        print("\n".join(lines[start:]))
    tree_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    pg_cpu = max(pg_seen, default=0.0)
    cores = os.cpu_count() or 1
    floor = (tree_cpu + pg_cpu) / cores
    print(f"README test command on a fresh clone of {head}: exit {code}")
    print(f"  pytest: {summary.strip('= ')}")
    for line in checks[-3:]:
        print(f"  {line}")
    print(f"  wall {total:6.1f} s in all, {total - pytest_started:6.1f} s from pytest's start")
    print(
        f"  CPU  {tree_cpu + pg_cpu:6.1f} s: {tree_cpu:6.1f} s the command's processes"
        f" (tests, servers, browsers, checks), {pg_cpu:6.1f} s its PostgreSQL"
    )
    print(
        f"  raw limit: that CPU over {cores} cores = {floor:6.1f} s (at least), under which no spreading"
        f" of these tests finishes; target < {TARGET_S:.0f} s: {'met' if total < TARGET_S else 'MISSED'}"
    )
    load_after = os.getloadavg()
    print(
        f"  load average before {' '.join(f'{x:.2f}' for x in load_before)},"
        f" after {' '.join(f'{x:.2f}' for x in load_after)}"
    )
    return code


if __name__ == "__main__":
    sys.exit(main())
