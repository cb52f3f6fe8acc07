"""A transactional test's database put back as the migrations left it, touching only what it wrote.

Django resets a ``TransactionTestCase`` by truncating every model table (one TRUNCATE of ~120
tables: each gets new files, 1.5-4 s on this machine under load) and, with ``serialized_rollback``,
by saving the migrations' rows again one object at a time (~1,700 saves). Here the migrations' rows
(content types, permissions, operator groups, ...) are copied out once per test database, and a
reset empties only the tables that have rows (one query finds them), copies those rows back only
where they changed (compared by a digest), and leaves every empty table alone. What stays is what
Django's flush and restore leave: no row in any model table but the migrations' own, with the same
ids; sequences are not reset (Django's flush does not reset them either).

Rows go with DELETE (foreign keys are deferred to the commit, when everything referencing a deleted
row is gone too), except in tables whose triggers refuse a DELETE (the append-only ledger, signed
confirmations, ...): those are truncated, with every table that references them, as Django's flush
does, and no row trigger fires.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.backends.base.base import BaseDatabaseWrapper


def _q(table: str) -> str:
    quoted = table.replace('"', '""')
    return f'"{quoted}"'


@dataclass
class MigratedRows:
    """The model tables of one database, the rows the migrations put in them, and how to empty them."""

    tables: list[str]
    rows: dict[str, bytes]  # table -> its rows in COPY text format, for tables that have any
    digests: dict[str, str]  # table -> digest of its rows, as ``_digest_sql`` computes it
    truncated: dict[str, set[str]] = field(default_factory=dict)  # guarded table -> it and its referrers

    @classmethod
    def take(cls, connection: BaseDatabaseWrapper) -> MigratedRows:
        tables = sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))
        with connection.cursor() as cursor:
            present = _tables_with_rows(cursor, tables)
            rows = {}
            for table in present:
                with cursor.cursor.copy(f"COPY {_q(table)} TO STDOUT") as copy:
                    rows[table] = b"".join(bytes(chunk) for chunk in copy)
            digests = _digests(cursor, present)
            # Tables with a row trigger on DELETE (the append-only ones refuse it) and, for each,
            # every table that references it, directly or not: TRUNCATE wants them all at once.
            cursor.execute(
                "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger"
                " WHERE NOT tgisinternal AND tgtype & 8 <> 0 AND tgtype & 1 <> 0"
            )
            guarded = {name.strip('"') for (name,) in cursor.fetchall()} & set(tables)
            cursor.execute(
                "SELECT confrelid::regclass::text, conrelid::regclass::text FROM pg_constraint WHERE contype = 'f'"
            )
            referrers: dict[str, set[str]] = {}
            for referenced, referrer in cursor.fetchall():
                referrers.setdefault(referenced.strip('"'), set()).add(referrer.strip('"'))
        truncated = {}
        for table in guarded:
            closure, todo = {table}, [table]
            while todo:
                for referrer in referrers.get(todo.pop(), ()):
                    if referrer not in closure:
                        closure.add(referrer)
                        todo.append(referrer)
            truncated[table] = closure
        return cls(tables=tables, rows=rows, digests=digests, truncated=truncated)

    def restore(self, connection: BaseDatabaseWrapper) -> list[str]:
        """Empty what the test wrote and put back what it changed of the migrations' rows, in one
        transaction; returns the tables it touched."""
        from django.db import transaction

        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            present = _tables_with_rows(cursor, self.tables)
            kept = [t for t in self.rows if t in present]
            current = _digests(cursor, kept)
            changed = {t for t in self.rows if current.get(t) != self.digests[t]}
            dirty = (set(present) - set(self.rows)) | changed
            truncate: set[str] = set()
            for table in dirty & self.truncated.keys():
                truncate |= self.truncated[table]
            refill = {t for t in self.rows if t in changed or t in truncate}
            delete = (dirty | refill) - truncate
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            if truncate:
                cursor.execute(f"TRUNCATE {', '.join(_q(t) for t in sorted(truncate))}")
            for table in sorted(delete & set(present)):
                cursor.execute(f"DELETE FROM {_q(table)}")
            for table in sorted(refill):
                with cursor.cursor.copy(f"COPY {_q(table)} FROM STDIN") as copy:
                    copy.write(self.rows[table])
        return sorted(truncate | delete | refill)


def _tables_with_rows(cursor, tables: list[str]) -> list[str]:
    """The tables of ``tables`` that have a row: one statement, an empty table costs next to nothing."""
    if not tables:
        return []
    probes = " UNION ALL ".join(f"SELECT %s WHERE EXISTS (SELECT FROM {_q(table)})" for table in tables)
    cursor.execute(probes, tables)
    return [name for (name,) in cursor.fetchall()]


def _digests(cursor, tables: list[str]) -> dict[str, str]:
    """A digest of each table's rows (every column, in a fixed order); one statement."""
    if not tables:
        return {}
    columns = ", ".join(
        f"(SELECT md5(coalesce(string_agg(r::text, E'\\n' ORDER BY r::text), '')) FROM {_q(t)} r)"
        for t in tables
    )
    cursor.execute(f"SELECT {columns}")
    return dict(zip(tables, cursor.fetchone(), strict=True))


def digests(cursor, tables: list[str]) -> dict[str, str]:
    """A digest of each table's rows, through any DB-API cursor (to compare two databases)."""
    return _digests(cursor, tables)
