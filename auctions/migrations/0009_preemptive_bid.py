"""``auction_bid_place`` with the pre-emption holder's equal bid (``auctions/sql/0009_preemptive_bid.sql``
says why). Backwards, 0004's ``auction_bid_place`` again (the other functions of that file are
replaced by later migrations and are not touched here)."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parents[1] / "sql"
FORWARD = (SQL / "0009_preemptive_bid.sql").read_text(encoding="utf-8")
_V4 = (SQL / "0004_bid_engine.sql").read_text(encoding="utf-8")
BACKWARD = _V4[_V4.index("CREATE OR REPLACE FUNCTION auction_bid_place(") :]


class Migration(migrations.Migration):
    dependencies = [("auctions", "0008_fair_trades")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
