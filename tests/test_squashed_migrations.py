"""The squashed migrations (``<app>/migrations/0001_squashed_*``) make what the migrations they
replace make: the same models in Django's state, and in PostgreSQL the same tables, columns in the
same order, constraints, indexes, sequences, functions, triggers and operator groups. A fresh
database (``dev.py run``, the tests' template) is made by the squashes; every database made before
them keeps the originals' rows in ``django_migrations`` and goes on from there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.writer import MigrationWriter
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]


# What each squash replaces, state by state: the squash node, the last replaced node.
def _squashes(loader: MigrationLoader) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    return [(key, tuple(m.replaces[-1])) for key, m in loader.disk_migrations.items() if m.replaces]


def test_there_are_squashes():
    assert len(_squashes(MigrationLoader(None, ignore_no_migrations=True))) >= 10


def _as_written(model_state) -> tuple[dict[str, str], str, str, str]:
    """A model's state as a migration would write it (fields compared as ModelState's ``==`` does
    compares their nested fields, an ArrayField's base field, by identity)."""
    return (
        {name: MigrationWriter.serialize(field)[0] for name, field in model_state.fields.items()},
        MigrationWriter.serialize(model_state.options)[0],
        MigrationWriter.serialize(model_state.bases)[0],
        MigrationWriter.serialize(model_state.managers)[0],
    )


def test_each_squash_leaves_the_state_its_migrations_leave():
    """Django's state of the app's models after the squash equals the state after the last
    migration it replaces: each model's fields, options, bases and managers as written."""
    loader = MigrationLoader(None, ignore_no_migrations=True, replace_migrations=False)
    for squash, last in _squashes(loader):
        app = squash[0]
        by_squash = loader.project_state(nodes=squash, at_end=True)
        by_originals = loader.project_state(nodes=last, at_end=True)
        mine = {k: v for k, v in by_squash.models.items() if k[0] == app}
        theirs = {k: v for k, v in by_originals.models.items() if k[0] == app}
        assert sorted(mine) == sorted(theirs), squash
        for key, model_state in theirs.items():
            assert _as_written(mine[key]) == _as_written(model_state), (squash, key)


SCHEMA_QUERIES = {
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


def _schema(cursor) -> dict[str, list[tuple]]:
    found = {}
    for name, query in SCHEMA_QUERIES.items():
        cursor.execute(query)
        found[name] = sorted(tuple(str(v) for v in row) for row in cursor.fetchall())
    return found


# The originals, applied one by one as before the squashes (Django's loader told not to use them).
MIGRATE_ORIGINALS = """
import django
django.setup()
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.writer import MigrationWriter
executor = MigrationExecutor(connection)
executor.loader = MigrationLoader(connection, replace_migrations=False)
graph = executor.loader.graph
executor.migrate([n for n in graph.leaf_nodes() if not graph.nodes[n].replaces])
"""


@pytest.mark.django_db
def test_a_database_made_by_the_squashes_is_the_one_made_by_the_originals():
    """This test's database was made by the squashes (the template, tests/conftest.py); another is
    made here by the migrations they replace, and the two catalogues are compared."""
    base = settings.DATABASES["default"]
    name = f"{connection.settings_dict['NAME']}_originals"[:63]
    auth = quote(base.get("USER") or "", safe="") + (
        ":" + quote(base["PASSWORD"], safe="") if base.get("PASSWORD") else ""
    )
    server = f"postgres://{auth}@{quote(base.get('HOST') or '', safe='')}{':' + str(base['PORT']) if base.get('PORT') else ''}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            subprocess.run(
                [sys.executable, "-c", MIGRATE_ORIGINALS],
                cwd=ROOT,
                env={**os.environ, "DATABASE_URL": f"{server}/{quote(name, safe='')}"},
                check=True,
                capture_output=True,
            )
            with psycopg.connect(f"{server}/{quote(name, safe='')}") as originals:
                by_originals = _schema(originals.cursor())
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    with connection.cursor() as cursor:
        by_squashes = _schema(cursor)
    for kind in SCHEMA_QUERIES:
        assert by_squashes[kind] == by_originals[kind], kind
    assert ("平台审核", "moderate") in by_squashes["groups"]
