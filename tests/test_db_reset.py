"""The reset between transactional tests (tests/db_reset.py) leaves what Django's flush and restore
leave: the migrated template's rows, no other; and it touches only the tables the test wrote."""

from __future__ import annotations

import psycopg
import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection

from .db_reset import digests
from .factories import open_auction, registered_bidder


def _template_digests(tables: list[str]) -> dict[str, str]:
    settings = connection.settings_dict
    params = {
        "dbname": settings["TEST"]["TEMPLATE"],
        "user": settings.get("USER") or None,
        "password": settings.get("PASSWORD") or None,
        "host": settings.get("HOST") or None,
        "port": settings.get("PORT") or None,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}) as template, template.cursor() as cursor:
        return digests(cursor, tables)


@pytest.mark.django_db(transaction=True)
def test_the_reset_leaves_the_migrated_rows_and_touches_only_the_tables_written(django_db_setup):
    migrated = django_db_setup["default"]
    before = _template_digests(migrated.tables)
    with connection.cursor() as cursor:
        assert digests(cursor, migrated.tables) == before  # the test database began as the template

    # Rows in many tables, the append-only ledger among them, and the migrated rows changed.
    auction = open_auction(deposit="500.00")
    registered_bidder(auction)
    reviewers = Group.objects.get(name="平台审核")
    reviewers.permissions.remove(*reviewers.permissions.all()[:1])
    Group.objects.create(name="一个测试组")
    Permission.objects.filter(codename="finance").update(name="改过的名字")
    with connection.cursor() as cursor:
        written = [t for t, digest in digests(cursor, migrated.tables).items() if digest != before[t]]
    assert {"marketplace_journal", "marketplace_ledgerentry", "auth_group", "auth_permission"} <= set(written)

    touched = migrated.restore(connection)

    with connection.cursor() as cursor:
        assert digests(cursor, migrated.tables) == before
    assert set(written) <= set(touched)
    # Tables left empty are left alone: beyond those written, it touches only tables truncated
    # with the ledger (they reference it).
    with_the_ledger = set().union(*(migrated.truncated[t] for t in written if t in migrated.truncated))
    assert set(touched) - set(written) <= with_the_ledger
    assert len(touched) < len(migrated.tables) / 2
