"""``auction_proxies_resolve`` without the tie raise: the leader never bids over its own bid
(``auctions/sql/0006_proxies_leader_never_raises_itself.sql`` says why). Backwards, 0004's file
is loaded again."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parents[1] / "sql"
FORWARD = (SQL / "0006_proxies_leader_never_raises_itself.sql").read_text(encoding="utf-8")
BACKWARD = (SQL / "0004_bid_engine.sql").read_text(encoding="utf-8")


class Migration(migrations.Migration):
    dependencies = [("auctions", "0005_bid_engine_reload")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
