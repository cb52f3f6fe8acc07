"""The bid engine's decision moves into PostgreSQL functions (``auctions/sql/0004_bid_engine.sql``).

A refusal remembered under its key keeps its code and, for ``below_minimum``, the minimum; its text
is composed when it is told, so ``detail`` goes. The SQL file is this migration's: it is never
edited in place; a change is a new file loaded by a new migration.
"""

from pathlib import Path

from django.db import migrations, models

FORWARD = (Path(__file__).resolve().parents[1] / "sql" / "0004_bid_engine.sql").read_text(encoding="utf-8")
BACKWARD = """
DROP FUNCTION auction_bid_place(bigint, bigint, numeric, text, boolean);
DROP FUNCTION auction_bidder_standing(bigint, bigint);
DROP FUNCTION auction_proxies_resolve(bigint, timestamptz);
DROP FUNCTION auction_bid_append(bigint, bigint, text, numeric, timestamptz, text, boolean);
DROP FUNCTION auction_state_refusal(auctions_auction, timestamptz);
DROP FUNCTION auction_minimum_next_bid(auctions_auction);
DROP FUNCTION auction_bid_hash(text, bigint, integer, numeric, text, timestamptz);
"""


class Migration(migrations.Migration):
    dependencies = [("auctions", "0003_close_blocked"), ("accounts", "0004_related_party_function")]

    operations = [
        migrations.RemoveField(model_name="bidrefusal", name="detail"),
        migrations.AddField(
            model_name="bidrefusal",
            name="minimum",
            field=models.DecimalField(decimal_places=2, max_digits=14, null=True),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
