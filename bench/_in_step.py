"""Two sizes of one bench timed in step, for a ratio that compares like with like (#17.3, #17.4).

Each size runs in a process of its own (its own database, its own Django), started by
``run_in_step`` as ``<script> --size N --requests C --in-step K``. Both make and warm their data,
say ``READY``, then time their requests in turns of K: the first size's K requests, then the
second's K, and so on, so that whatever else the machine does meanwhile falls on both alike. Timed
one size after the other, the catalogue's 100,000 p95 alone moved 17-23 ms between runs minutes
apart (this machine's speed drifts), and the ratio with it; the results API's ratio moved 0.95-1.22
over four runs. In turns of ten the results API's ratio stayed within 0.97-1.09 over four runs
while its p50 moved 5.6-8.0 ms, both sizes together.

Turns of ten, not of one: a process that slept while the other took its turn meets its next
request with the core's caches full of the other's work. One request at a time, the results API's
p50 was 7.2 ms against 5.1-5.2 ms run alone, minutes apart; ten at a time, 5.6 ms in the same
minutes: only a turn's first request pays for the switch. The catalogue's Python CPU per request
(its p50 at 100,000) was 11.7 ms one at a time and 6.9 ms ten at a time, ten minutes apart.

The size's side: ``InStep`` (``ready``, then ``turn`` before each timed request and ``done``
after it), and a last line ``RESULT <json>`` with its figures. Everything else it prints before
``READY`` or after its last request is passed on, size by size, once both have finished. No side
effect at import.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass


@dataclass
class InStep:
    """A size's process: with ``per_turn`` (0: not in step), waits for its turn (a line on stdin)
    before each ``per_turn`` requests, and says DONE after them."""

    per_turn: int
    count: int
    _made: int = 0

    def ready(self) -> None:
        if self.per_turn:
            print("READY", flush=True)

    def turn(self) -> None:
        if self.per_turn and self._made % self.per_turn == 0 and not sys.stdin.readline():
            sys.exit("the two-size run stopped")  # the end of the input: the driver is gone

    def done(self) -> None:
        self._made += 1
        if self.per_turn and (self._made % self.per_turn == 0 or self._made == self.count):
            print("DONE", flush=True)


def result_line(figures: dict) -> str:
    return "RESULT " + json.dumps(figures)


def run_in_step(script: str, sizes: tuple[int, int], count: int, per_turn: int = 10) -> dict[int, dict]:
    """Run ``script`` for each size, ``count`` requests each, ``per_turn`` at a time, in step; each
    size's RESULT figures."""
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                script,
                "--size",
                str(size),
                "--requests",
                str(count),
                "--in-step",
                str(per_turn),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for size in sizes
    ]
    try:
        return _drive(procs, sizes, -(-count // per_turn))
    finally:
        for proc in procs:  # a failed run leaves no size's process behind
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def _drive(procs: list[subprocess.Popen[str]], sizes: tuple[int, int], turns: int) -> dict[int, dict]:
    setup: list[list[str]] = [[] for _ in procs]
    for proc, lines in zip(procs, setup, strict=True):  # both make and warm their data first
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip() == "READY":
                break
            lines.append(line.rstrip("\n"))
        else:
            sys.exit("a size's process ended before it was ready:\n" + "\n".join(lines))
    for _ in range(turns):
        for proc in procs:
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write("\n")
            proc.stdin.flush()
            if proc.stdout.readline().strip() != "DONE":
                sys.exit("a size's process stopped in the middle of the run")
    found: dict[int, dict] = {}
    for size, proc, lines in zip(sizes, procs, setup, strict=True):
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.close()
        out = proc.stdout.read()  # not communicate(): it reads the pipe past what readline buffered
        if proc.wait():
            sys.exit(f"the {size:,} run failed ({proc.returncode})")
        for line in [*lines, *out.splitlines()]:
            if line.startswith("RESULT "):
                found[size] = json.loads(line[len("RESULT ") :])
            else:
                print(line, flush=True)
    return found
