from django.db import migrations, models

# core.sync: the register of writing transactions and the stamp every synced row gets from its
# trigger. No lock anywhere: each transaction inserts its own register row, once.
STAMP_FUNCTIONS = """
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

DROP_STAMP_FUNCTIONS = """
DROP FUNCTION IF EXISTS market_sync_row();
DROP FUNCTION IF EXISTS market_sync_stamp();
DROP SEQUENCE IF EXISTS market_sync_serial;
"""


class Migration(migrations.Migration):
    initial = True

    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="SyncTransaction",
            fields=[
                ("xid", models.BigIntegerField(primary_key=True, serialize=False)),
                ("stamped_at", models.DateTimeField()),
            ],
            options={
                "db_table": "core_sync_transaction",
                "indexes": [models.Index(fields=["stamped_at", "xid"], name="sync_transaction_stamped")],
            },
        ),
        migrations.RunSQL(STAMP_FUNCTIONS, DROP_STAMP_FUNCTIONS),
    ]
