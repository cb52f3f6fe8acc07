from django.db import migrations, models

# core.sync: each register row also records a horizon, a transaction id below which no transaction
# that stamps in a LATER millisecond can be, so that ``updated_since`` at any moment finds its
# position from the register row stamped just before it (core.sync.sync_since) instead of reading
# every row before it. market_sync_stamp() of migration 0001 is replaced here, not edited in place.

STAMP_WITH_HORIZON = """
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

# migration 0001's body, for going back
STAMP_WITHOUT_HORIZON = """
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

# The rows stamped before this migration get a horizon that holds by what the register shows: the
# smallest id stamped in a later millisecond, or this migration's own snapshot xmin if smaller (a
# transaction not committed yet has an id at least that). One statement, whatever the size.
BACKFILL = """
UPDATE core_sync_transaction t
SET horizon = least(b.later, pg_snapshot_xmin(pg_current_snapshot())::text::bigint)
FROM (SELECT xid, min(xid) OVER (ORDER BY date_trunc('milliseconds', stamped_at) DESC
                                 GROUPS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS later
      FROM core_sync_transaction) b
WHERE t.xid = b.xid
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0001_sync")]

    operations = [
        # Nullable: a transaction that stamped with 0001's function while this migration ran
        # inserts no horizon; sync_since passes over such a row (any row before the moment will do).
        migrations.AddField(
            model_name="synctransaction",
            name="horizon",
            field=models.BigIntegerField(null=True),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.RunSQL(STAMP_WITH_HORIZON, STAMP_WITHOUT_HORIZON),
    ]
