"""core.sync: ``market_sync_stamped(sync_xid, updated_at)``, whether a synced row already holds what
``market_sync_row()`` would write into it (this transaction's id and stamp). The synced tables'
triggers test it in their WHEN clause (listings 0014, conversion 0006), so a set-based statement
that stamps its rows itself (``core.sync.SYNC_STAMPED_SQL``) pays no plpgsql call per row. A SQL
function of one expression: PostgreSQL inlines it into the WHEN clause (VOLATILE, as what it calls).
The setting is the one ``market_sync_stamp()`` caches the transaction's stamp in; read before it is
set (no synced write yet) it is NULL and the row is not taken as stamped."""

from django.db import migrations

STAMPED = """
CREATE OR REPLACE FUNCTION market_sync_stamped(xid bigint, stamp timestamptz) RETURNS boolean
LANGUAGE sql VOLATILE AS $$
    SELECT xid = pg_current_xact_id()::text::bigint
       AND current_setting('market.sync_stamp', true) = xid::text || '@' || stamp::text
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0002_sync_horizon")]

    operations = [
        migrations.RunSQL(STAMPED, "DROP FUNCTION IF EXISTS market_sync_stamped(bigint, timestamptz)")
    ]
