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
cores, the wall time under which no way of spreading these tests over the cores can finish.

Where that CPU went is printed beside it, by kind of process: ``/proc`` is read every half second
and each process of the command's tree (or of its PostgreSQL) is counted by what it runs --
pytest's workers (the tests' own code, the schema fuzz's requests among them), the browsers
(Chromium and Playwright's driver), the servers, Celery workers and ``manage.py`` runs the tests
start, the checks (ruff, mypy, lint-imports), PostgreSQL. A process's CPU is the last reading
before it ended, so the half second before each end is not seen, nor a process shorter than that;
but a process that left the tree before it ended (such as Chromium's) is seen here
and not in what the tree's processes counted of their children when they were reaped. Both
totals are printed; the raw limit takes the larger, so it stays a lower bound.
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


KINDS = (
    ("pytest's workers (the tests' own code, the schema fuzz's requests among them)", "workers"),
    ("browsers (Chromium, Playwright's driver)", "browsers"),
    ("servers, Celery workers, manage.py runs and the like the tests start", "servers"),
    ("checks (ruff, mypy, lint-imports)", "checks"),
    ("dev.py, pytest's controller, the private Redis", "launcher"),
)


def _kind(args: list[bytes], parent_kind: str) -> str:
    """What a process of the command's tree is, by its command line, else by its parent."""
    line = b" ".join(args)
    if parent_kind == "browsers" or b"chrom" in line or b"playwright" in line:
        return "browsers"
    if any(name in line for name in (b"mypy", b"ruff", b"lint-imports")):
        return "checks"
    if b"sys.stdin.readline()" in line:  # how execnet starts pytest-xdist's workers
        return "workers"
    if parent_kind in ("workers", "servers"):  # started by a test, or by what a test started
        return "servers"
    return "launcher"


class ProcessCPU:
    """The CPU of the processes of the command's tree and of its PostgreSQL, by kind, from
    ``/proc`` (``poll``, every half second): each process's own CPU at its last reading."""

    def __init__(self, root: int, pgdata: Path):
        self.root = root
        self.pgdata = str(pgdata).encode()
        self.kinds: dict[str, str] = {str(root): "launcher"}  # pid -> kind, once seen in the tree
        self.foreign: set[str] = set()  # pids read once and found to be neither
        self.cpu: dict[str, float] = {}  # pid -> its own CPU seconds at the last reading
        self.postgres = 0.0  # the most PostgreSQL has counted: its postmaster, reaped and live backends

    def poll(self) -> None:
        stats = {}
        for entry in Path("/proc").glob("[0-9]*"):
            if int(entry.name) >= self.root and entry.name not in self.foreign:
                fields = _stat(entry.name)
                if fields is not None:
                    stats[entry.name] = fields
        postmaster = None
        for pid, fields in sorted(stats.items(), key=lambda item: int(item[0])):  # parents first
            parent = fields[1]
            if pid not in self.kinds:
                try:
                    args = (Path("/proc") / pid / "cmdline").read_bytes().split(b"\0")
                except OSError:
                    continue
                if args and args[0].endswith(b"postgres") and self.pgdata in args:
                    self.kinds[pid] = "postgres"  # the postmaster (pg_ctl's child, adopted by init)
                elif parent in self.kinds:
                    self.kinds[pid] = (
                        "postgres" if self.kinds[parent] == "postgres" else _kind(args, self.kinds[parent])
                    )
                else:
                    self.foreign.add(pid)
                    continue
            self.cpu[pid] = (int(fields[11]) + int(fields[12])) / TICK  # utime + stime
            if self.kinds[pid] == "postgres" and self.kinds.get(parent) != "postgres":
                postmaster = pid
        if postmaster is not None:  # its own and its reaped backends' (cutime + cstime), and the live ones
            fields = stats[postmaster]
            reaped = (int(fields[13]) + int(fields[14])) / TICK
            live = sum(self.cpu[pid] for pid in stats if self.kinds.get(pid) == "postgres")
            self.postgres = max(self.postgres, reaped + live)

    def by_kind(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for pid, cpu in self.cpu.items():
            totals[self.kinds[pid]] = totals.get(self.kinds[pid], 0.0) + cpu
        return totals


def main() -> int:
    work, clone, env = fresh_clone("test-command-")
    head = subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], cwd=clone, text=True).strip()
    load_before = os.getloadavg()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = readme_command(clone, env, "test")
    lines: list[str] = []
    pytest_started = 0.0  # seconds after the launch, when dev.py starts pytest
    processes = ProcessCPU(proc.pid, clone / "var" / "pgdata")
    done = threading.Event()

    def read() -> None:
        nonlocal pytest_started
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip())
            if "[dev] pytest (" in line and not pytest_started:
                pytest_started = time.monotonic() - started

    def poll() -> None:
        while not done.wait(0.5):
            processes.poll()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    code = proc.wait()
    total = time.monotonic() - started
    done.set()
    poller.join()
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
    pg_cpu = processes.postgres
    kinds = processes.by_kind()
    seen = sum(kinds.get(kind, 0.0) for _label, kind in KINDS)
    cpu = max(tree_cpu, seen) + pg_cpu
    cores = os.cpu_count() or 1
    floor = cpu / cores
    print(f"README test command on a fresh clone of {head}: exit {code}")
    print(f"  pytest: {summary.strip('= ')}")
    for line in checks[-3:]:
        print(f"  {line}")
    print(f"  wall {total:6.1f} s in all, {total - pytest_started:6.1f} s from pytest's start")
    print(
        f"  CPU  {cpu:6.1f} s: {max(tree_cpu, seen):6.1f} s the command's processes (tests, servers, browsers,"
        f" checks), {pg_cpu:6.1f} s its PostgreSQL"
    )
    print("  where it went, by kind of process (read from /proc every 0.5 s):")
    for label, kind in KINDS:
        print(f"    {kinds.get(kind, 0.0):6.1f} s  {label}")
    print(f"    {pg_cpu:6.1f} s  PostgreSQL")
    print(
        f"  the command's processes as their parents counted them when they ended: {tree_cpu:6.1f} s;"
        f" as /proc showed them: {seen:6.1f} s. "
        + (
            "/proc saw more: processes that left the tree before they ended (such as Chromium's) are not in the first."
            if seen > tree_cpu
            else "/proc saw less: it misses each process's last half second and processes shorter than that."
        )
    )
    print(
        f"  raw limit: the larger CPU over {cores} cores = {floor:6.1f} s (at least), under which no spreading"
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
