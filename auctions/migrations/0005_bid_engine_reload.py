"""Load ``auctions/sql/0004_bid_engine.sql`` again.

That file was corrected after migration 0004 had landed on main (commit 2ed6a3e: a retried key
gets its first outcome before any refusal of the bidder's standing; a tie at the minimum raises
the leading proxy to the tied ceiling). A database migrated in between has 0004 applied with the
earlier functions; this brings it up to the file (every statement in it is CREATE OR REPLACE, so
on a fresh database it changes nothing). From here on the file is frozen: a change to the engine
is a new file loaded by a new migration.
"""

from pathlib import Path

from django.db import migrations

FORWARD = (Path(__file__).resolve().parents[1] / "sql" / "0004_bid_engine.sql").read_text(encoding="utf-8")


class Migration(migrations.Migration):
    dependencies = [("auctions", "0004_bid_engine_in_the_database")]

    operations = [migrations.RunSQL(FORWARD, migrations.RunSQL.noop)]
