"""What a transactional test leaves for the next one (tests/conftest.py: Django's flush as DELETE of
the tables that have rows, the migrated rows restored by bulk INSERT): exactly the migrated
template's rows, table by table, with their ids; and the flush names only tables that had rows."""

from __future__ import annotations

import psycopg
import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .factories import open_auction, registered_bidder


def _links() -> set[str]:
    """The many-to-many tables Django makes: a restore links again (``set()``), under new ids."""
    from django.apps import apps

    return {
        field.remote_field.through._meta.db_table
        for model in apps.get_models()
        for field in model._meta.local_many_to_many
        if field.remote_field.through._meta.auto_created
    }


def _digests(cursor, tables: list[str]) -> dict[str, str]:
    """A digest of each table's rows (every column but a link's id), through any DB-API cursor."""
    links = _links()
    row = {t: "to_jsonb(r) - 'id'" if t in links else "to_jsonb(r)" for t in tables}
    columns = ", ".join(
        f"(SELECT md5(coalesce(string_agg(({row[t]})::text, E'\\n' ORDER BY ({row[t]})::text), ''))"
        f' FROM "{t}" r)'
        for t in tables
    )
    cursor.execute(f"SELECT {columns}")
    return dict(zip(tables, cursor.fetchone(), strict=True))


def _template_digests(tables: list[str]) -> dict[str, str]:
    settings = connection.settings_dict
    params = {
        "dbname": settings["TEST"]["TEMPLATE"],
        "user": settings.get("USER"),
        "password": settings.get("PASSWORD"),
        "host": settings.get("HOST"),
        "port": settings.get("PORT"),
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}) as template, template.cursor() as cursor:
        return _digests(cursor, tables)


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_leaves_the_migrated_rows_and_only_those():
    tables = sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))
    template = _template_digests(tables)
    with connection.cursor() as cursor:
        assert _digests(cursor, tables) == template  # the test database began as the template

    # Rows in many tables, the append-only ledger among them, and the migrated rows changed.
    auction = open_auction(deposit="500.00")
    registered_bidder(auction)
    reviewers = Group.objects.get(name="平台审核")
    reviewers.permissions.remove(*reviewers.permissions.all()[:1])
    Group.objects.create(name="一个测试组")
    Permission.objects.filter(codename="finance").update(name="改过的名字")
    with connection.cursor() as cursor:
        written = {t for t, digest in _digests(cursor, tables).items() if digest != template[t]}
    assert {"marketplace_journal", "marketplace_ledgerentry", "auth_group", "auth_permission"} <= written
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(f'SELECT %s WHERE EXISTS (SELECT FROM "{t}")' for t in tables), tables
        )
        filled = {name for (name,) in cursor.fetchall()}

    # What this test's teardown does, then the next transactional test's setup.
    with CaptureQueriesContext(connection) as flush:
        call_command(  # as TransactionTestCase._fixture_teardown calls it
            "flush",
            verbosity=0,
            interactive=False,
            reset_sequences=False,
            allow_cascade=False,
            inhibit_post_migrate=True,
        )
    connection.creation.deserialize_db_from_string(connection._test_serialized_contents)

    with connection.cursor() as cursor:
        assert _digests(cursor, tables) == template
    statements = " ".join(q["sql"] for q in flush.captured_queries)
    assert "TRUNCATE" not in statements
    assert {t for t in tables if f'DELETE FROM "{t}"' in statements} == filled  # not the ~100 empty ones
