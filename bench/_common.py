"""What the bench scripts share: Django set up for a bench, a throwaway database, uvicorn on a free port.

Imported first by a bench script run as ``python bench/x.py`` (``bench/`` is then on ``sys.path``):
it puts the project root on the path, silences e-mail (a bench's output is its figures, #17.8) and
sets Django up.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# A bench's output is its figures: no console e-mail backend dumping every message (#17.8).
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from config.serve import listening  # noqa: E402


def bench_database(prefix: str = "bench") -> str:
    """A throwaway database made like the test database (migrated), so the factories never meet
    rows of an earlier run; ``drop_bench_database`` drops it. Returns the name it replaced."""
    original = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{prefix}_{original}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # factories' users
    return original


def drop_bench_database(original: str) -> None:
    from django.db import connections

    connections.close_all()
    connection.creation.destroy_test_db(original, verbosity=0)


def insert_select(model: Any, source_sql: str, exprs: dict[str, str], params: list[Any]) -> str:
    """An ``INSERT INTO <model's table> (...) SELECT ... FROM <source_sql>``: the columns in ``exprs``
    from their SQL (over the source's columns), every other column NULL or its Django default, so
    that columns other engineers add later keep the bench scripts working. Defaults that are not
    SQL literals are appended to ``params``."""
    columns, values = [], []
    for field in model._meta.concrete_fields:
        if getattr(field, "generated", False) or (field.primary_key and field.column not in exprs):
            continue
        columns.append(f'"{field.column}"')
        if field.column in exprs:
            values.append(exprs[field.column])
        elif field.null:
            values.append("NULL")
        elif field.get_internal_type() == "DateTimeField":
            values.append("now()")
        elif field.get_internal_type() == "DateField":
            values.append("current_date")
        else:
            values.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection=connection))
    table = model._meta.db_table
    return f'INSERT INTO "{table}" ({", ".join(columns)}) SELECT {", ".join(values)} FROM {source_sql}'


def dsn() -> str:
    """The current database as a libpq connection string (for plain psycopg clients)."""
    db = settings.DATABASES["default"]
    parts = [f"dbname={db['NAME']}", f"user={db.get('USER') or 'postgres'}"]
    if db.get("HOST"):
        parts.append(f"host={db['HOST']}")
    if db.get("PORT"):
        parts.append(f"port={db['PORT']}")
    if db.get("PASSWORD"):
        parts.append(f"password={db['PASSWORD']}")
    return " ".join(parts)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    port: int,
    extra_env: dict[str, str] | None = None,
    log: IO[bytes] | None = None,
    *,
    workers: int = 2,
    uvicorn_args: list[str] | None = None,
) -> subprocess.Popen:
    """uvicorn serving ``config.asgi`` with ``workers`` processes (2 unless told) on ``port``
    against the current (bench) database, pooled connections as the Procfile runs the web process;
    ``extra_env`` on top and ``uvicorn_args`` appended; the server's output to ``log`` if given
    (Django logs every refused request as a warning). With one worker the returned process is the
    server itself (uvicorn forks no supervisor), so its memory can be read from its pid."""
    db = connection.settings_dict
    database_url = (
        f"postgres://{quote(db.get('USER') or 'postgres', safe='')}@{quote(db.get('HOST') or '', safe='')}"
        f":{db.get('PORT') or 5432}/{db['NAME']}"
    )
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        REDIS_URL=settings.REDIS_URL,
        LOG_LEVEL="WARNING",
        LOG_JSON="false",
        DB_POOL="true",  # as the Procfile runs the web process
    )
    env.update(extra_env or {})
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "config.serve",  # uvicorn, each worker on a socket of its own, as the web role runs
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--lifespan",
            "off",
            "--log-level",
            "warning",
            "--ws-max-queue",
            "64",
            "--ws-per-message-deflate",
            "false",  # as the Procfile runs the web process
            *(uvicorn_args or []),
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=log,
    )
    deadline = time.time() + 60
    while time.time() < deadline:  # every worker listening on its own socket (config.serve)
        if listening(port) >= workers:
            return proc
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not start")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def percentiles(seconds: list[float]) -> list[float]:
    """The 99 cut points of ``seconds`` in milliseconds (index 49 is p50, 98 is p99)."""
    values = sorted(seconds)
    if len(values) < 100:
        return [values[len(values) // 2] * 1000] * 99 if values else [float("nan")] * 99
    return [q * 1000 for q in statistics.quantiles(values, n=100)]
