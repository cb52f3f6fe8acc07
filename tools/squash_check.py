"""Do the squashed migrations (``<app>/migrations/*_squashed_*``) make the database that the
migrations they replace make? Run it after touching either (it is not in the test suite: it
migrates twice from nothing, ~20 s of CPU; the suite checks the cheap half, the models' state,
in tests/test_squashed_migrations.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python tools/squash_check.py [app:migration ...]

Makes two databases on DATABASE_URL's server, ``<name>_squashed`` (``migrate`` as ``dev.py run``
does: the squashes) and ``<name>_originals`` (the replaced migrations, Django's loader told not to
use the squashes), compares their catalogues (columns in order, constraints, indexes, sequences,
functions, triggers, the operator groups) and drops both. With ``app:migration`` targets, the
second is first migrated by the originals up to those, then by ``migrate`` (a database made before
the squashes that goes on with them). Prints each difference; exit status 1 when there is one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]

CATALOGUE = {
    # columns in their order (the rank among live columns: the originals dropped some)
    "columns": """
        SELECT c.relname, row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum), a.attname,
               format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid),
               a.attidentity, a.attgenerated
          FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
          LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm')""",
    "constraints": """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(c.oid)
          FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace AND n.nspname = 'public'""",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
    "sequences": """
        SELECT sequencename, data_type::text, start_value, increment_by, max_value, cycle
          FROM pg_sequences WHERE schemaname = 'public'""",
    "functions": """
        SELECT p.proname, pg_get_function_identity_arguments(p.oid), pg_get_functiondef(p.oid)
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace AND n.nspname = 'public'
         WHERE p.prokind = 'f'""",
    "triggers": "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal",
    "groups": """
        SELECT g.name, p.codename FROM auth_group g
          LEFT JOIN auth_group_permissions gp ON gp.group_id = g.id
          LEFT JOIN auth_permission p ON p.id = gp.permission_id""",
}

# The originals up to the targets (all when none), as before the squashes.
ORIGINALS = """
import sys
import django
django.setup()
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
executor = MigrationExecutor(connection)
executor.loader = MigrationLoader(connection, replace_migrations=False)
graph = executor.loader.graph
targets = [tuple(t.split(":", 1)) for t in sys.argv[1:]]
executor.migrate(targets or [n for n in graph.leaf_nodes() if not graph.nodes[n].replaces])
"""


def catalogue(url: str) -> dict[str, list[tuple[str, ...]]]:
    with psycopg.connect(url) as conn:
        return {
            kind: sorted(tuple(str(v) for v in row) for row in conn.execute(query).fetchall())
            for kind, query in CATALOGUE.items()
        }


def main() -> int:
    base = urlsplit(os.environ["DATABASE_URL"])
    name = base.path.lstrip("/") or "market"
    url = {kind: urlunsplit(base._replace(path=f"/{name}_{kind}")) for kind in ("squashed", "originals")}
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    with psycopg.connect(urlunsplit(base._replace(path="/postgres")), autocommit=True) as admin:
        for kind in url:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(f"{name}_{kind}"))
            )
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(f"{name}_{kind}")))
        try:
            manage = [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"]
            subprocess.run(manage, cwd=ROOT, env={**env, "DATABASE_URL": url["squashed"]}, check=True)
            originals = {**env, "DATABASE_URL": url["originals"]}
            subprocess.run(
                [sys.executable, "-c", ORIGINALS, *sys.argv[1:]], cwd=ROOT, env=originals, check=True
            )
            if sys.argv[1:]:
                subprocess.run(manage, cwd=ROOT, env=originals, check=True)
            squashed, by_originals = catalogue(url["squashed"]), catalogue(url["originals"])
        finally:
            for kind in url:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(f"{name}_{kind}")
                    )
                )
    differences = 0
    for kind in CATALOGUE:
        only_squashed = [r for r in squashed[kind] if r not in by_originals[kind]]
        only_originals = [r for r in by_originals[kind] if r not in squashed[kind]]
        differences += len(only_squashed) + len(only_originals)
        print(
            f"{kind:<12} {len(squashed[kind]):5}  {'same' if not (only_squashed or only_originals) else 'DIFFERENT'}"
        )
        for row in only_squashed:
            print("   squashes only: ", row)
        for row in only_originals:
            print("   originals only:", row)
    print("identical" if not differences else f"{differences} differences")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
