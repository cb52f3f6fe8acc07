"""core: the migrations 0001_sync … 0002_sync_horizon in one, for a fresh database (Django uses
it where none of them has been applied, and takes it as applied where all have). The final state
of their models, created at once (core.migration_operations.CreateModels), then every SQL step
that makes a function, trigger or data the schema needs, in their order. Left out: the steps
that only rework existing rows (a fresh database has none)."""

from django.db import migrations, models

import core.migration_operations

SQL_0001_1 = """
CREATE SEQUENCE IF NOT EXISTS market_sync_serial;

CREATE OR REPLACE FUNCTION market_sync_stamp() RETURNS timestamptz LANGUAGE plpgsql AS $$
DECLARE
    x bigint := pg_current_xact_id()::text::bigint;
    cached text := current_setting('market.sync_stamp', true);
    stamp timestamptz;
BEGIN
    IF cached LIKE x::text || '@%' THEN
        RETURN substr(cached, length(x::text) + 2)::timestamptz;
    END IF;
    -- The millisecond, and in the microseconds a serial of writing transactions: no two
    -- transactions share a stamp unless a thousand of them start writing within one millisecond.
    stamp := date_trunc('milliseconds', clock_timestamp())
             + (nextval('market_sync_serial') % 1000) * interval '1 microsecond';
    INSERT INTO core_sync_transaction (xid, stamped_at) VALUES (x, stamp);
    -- Transaction-local (and undone with a rolled-back savepoint, as the insert is).
    PERFORM set_config('market.sync_stamp', x::text || '@' || stamp::text, true);
    RETURN stamp;
END
$$;

CREATE OR REPLACE FUNCTION market_sync_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := market_sync_stamp();
    NEW.sync_xid := pg_current_xact_id()::text::bigint;
    RETURN NEW;
END
$$;
"""

SQL_0001_1_BACK = """
DROP FUNCTION IF EXISTS market_sync_row();
DROP FUNCTION IF EXISTS market_sync_stamp();
DROP SEQUENCE IF EXISTS market_sync_serial;
"""

SQL_0002_2 = """
CREATE OR REPLACE FUNCTION market_sync_stamp() RETURNS timestamptz LANGUAGE plpgsql AS $$
DECLARE
    x bigint := pg_current_xact_id()::text::bigint;
    cached text := current_setting('market.sync_stamp', true);
    oldest bigint;
    stamp timestamptz;
BEGIN
    IF cached LIKE x::text || '@%' THEN
        RETURN substr(cached, length(x::text) + 2)::timestamptz;
    END IF;
    -- Read BEFORE the clock: every transaction below the snapshot's xmin had ended by then, so a
    -- transaction that stamps in a later millisecond (it was still running, or not yet begun) has
    -- an id at least this.
    oldest := pg_snapshot_xmin(pg_current_snapshot())::text::bigint;
    -- The millisecond, and in the microseconds a serial of writing transactions: no two
    -- transactions share a stamp unless a thousand of them start writing within one millisecond.
    stamp := date_trunc('milliseconds', clock_timestamp())
             + (nextval('market_sync_serial') % 1000) * interval '1 microsecond';
    INSERT INTO core_sync_transaction (xid, stamped_at, horizon) VALUES (x, stamp, oldest);
    -- Transaction-local (and undone with a rolled-back savepoint, as the insert is).
    PERFORM set_config('market.sync_stamp', x::text || '@' || stamp::text, true);
    RETURN stamp;
END
$$;
"""

SQL_0002_2_BACK = """
CREATE OR REPLACE FUNCTION market_sync_stamp() RETURNS timestamptz LANGUAGE plpgsql AS $$
DECLARE
    x bigint := pg_current_xact_id()::text::bigint;
    cached text := current_setting('market.sync_stamp', true);
    stamp timestamptz;
BEGIN
    IF cached LIKE x::text || '@%' THEN
        RETURN substr(cached, length(x::text) + 2)::timestamptz;
    END IF;
    stamp := date_trunc('milliseconds', clock_timestamp())
             + (nextval('market_sync_serial') % 1000) * interval '1 microsecond';
    INSERT INTO core_sync_transaction (xid, stamped_at) VALUES (x, stamp);
    PERFORM set_config('market.sync_stamp', x::text || '@' || stamp::text, true);
    RETURN stamp;
END
$$;
"""


class Migration(migrations.Migration):
    replaces = [("core", "0001_sync"), ("core", "0002_sync_horizon")]

    initial = True

    dependencies = []

    operations = [
        core.migration_operations.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="SyncTransaction",
                    fields=[
                        ("xid", models.BigIntegerField(primary_key=True, serialize=False)),
                        ("stamped_at", models.DateTimeField()),
                        ("horizon", models.BigIntegerField(null=True)),
                    ],
                    options={
                        "db_table": "core_sync_transaction",
                        "indexes": [
                            models.Index(fields=["stamped_at", "xid"], name="sync_transaction_stamped")
                        ],
                        "constraints": [],
                    },
                )
            ],
        ),
        # from 0001_sync
        migrations.RunSQL(SQL_0001_1, SQL_0001_1_BACK),
        # from 0002_sync_horizon
        migrations.RunSQL(SQL_0002_2, SQL_0002_2_BACK),
    ]
