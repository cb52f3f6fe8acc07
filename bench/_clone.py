"""A fresh clone of this checkout's HEAD, as a person reads the README on a new machine: no
``DATABASE_URL`` / ``REDIS_URL`` (so ``dev.py`` starts its private servers under the clone's
``var/``) and no virtualenv of ours. Used by the benches that time the README's own commands
(``first_start.py``, ``test_command.py``); needs only Python and git, no Django."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def fresh_clone(prefix: str) -> tuple[Path, Path, dict[str, str]]:
    """A new temporary directory, the clone in it (``<dir>/clone``) and the environment to run
    the clone's commands in. The caller removes the directory."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    clone = work / "clone"
    subprocess.check_call(["git", "clone", "-q", str(ROOT), str(clone)])
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "VIRTUAL_ENV")}
    return work, clone, env


def readme_command(clone: Path, env: dict[str, str], command: str, **popen: Any) -> subprocess.Popen[str]:
    """``python3 dev.py <command>`` started in the clone, its output and errors as text lines on
    its ``stdout``; ``popen`` adds to what ``subprocess.Popen`` is given."""
    return subprocess.Popen(
        [sys.executable, "dev.py", command],
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        **popen,
    )
