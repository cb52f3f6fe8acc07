"""``python3 dev.py run`` starts the Procfile's roles and starts again one that dies (issue #13:
honcho, used before, stopped everything instead, and nothing restarted a dead worker)."""

from __future__ import annotations

import io
import os
import signal
import sys
import threading
from pathlib import Path

import dev

from .conftest import wait_for


def test_the_launcher_starts_a_dead_role_again(tmp_path: Path):
    procfile = tmp_path / "Procfile"
    sleeper = f"{sys.executable} -c \"import os, time; print('up', os.getpid(), flush=True); time.sleep(60)\""
    procfile.write_text(f"# two roles\nworker: {sleeper}\nsweeper: {sleeper}\n")
    out = io.StringIO()
    supervisor = dev.Supervisor(procfile, env=dict(os.environ), cwd=tmp_path, out=out)
    supervisor.RESTART_DELAY = 0.2
    runner = threading.Thread(target=supervisor.run)
    runner.start()
    try:
        assert wait_for(lambda: out.getvalue().count(" up ") == 2, 15), out.getvalue()
        first = supervisor.procs["worker"].pid
        os.kill(first, signal.SIGKILL)  # the worker dies
        assert wait_for(
            lambda: supervisor.procs["worker"].pid != first and out.getvalue().count(" up ") == 3, 15
        )
        assert "exited with -9; starting it again" in out.getvalue()
        assert supervisor.restarts == {"worker": 1, "sweeper": 0}
    finally:
        supervisor.stop()
        runner.join(20)
    assert all(proc.poll() is not None for proc in supervisor.procs.values())


def test_the_first_role_starts_alone_until_it_is_ready(tmp_path: Path):
    """``dev.py run`` starts ``web`` first and the other roles once it listens: the first page is
    not made to wait for the CPU the others spend starting (#17.6)."""
    procfile = tmp_path / "Procfile"
    web = f"{sys.executable} -c \"import pathlib, time; time.sleep(1); pathlib.Path('ready').touch(); time.sleep(60)\""
    worker = f"{sys.executable} -c \"import pathlib, time; print('ready before me:', pathlib.Path('ready').exists(), flush=True); time.sleep(60)\""
    procfile.write_text(f"worker: {worker}\nweb: {web}\n")
    out = io.StringIO()
    supervisor = dev.Supervisor(
        procfile, env=dict(os.environ), cwd=tmp_path, out=out, first="web", ready=(tmp_path / "ready").exists
    )
    runner = threading.Thread(target=supervisor.run)
    runner.start()
    try:
        assert wait_for(lambda: "ready before me:" in out.getvalue(), 15), out.getvalue()
        assert "ready before me: True" in out.getvalue()
    finally:
        supervisor.stop()
        runner.join(20)
    assert all(proc.poll() is not None for proc in supervisor.procs.values())
