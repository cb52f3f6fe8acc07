"""``auction_bidder_standing`` refuses a registration whose organization is tied to the holder
through its people (``auctions/sql/0007_standing_tied_people.sql``). Backwards, 0004's standing."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parents[1] / "sql"
FORWARD = (SQL / "0007_standing_tied_people.sql").read_text(encoding="utf-8")
BACKWARD = r"""
CREATE OR REPLACE FUNCTION auction_bidder_standing(p_auction bigint, p_user bigint)
RETURNS TABLE (registration_id bigint, bidder_no text, refusal text)
LANGUAGE sql STABLE AS $$
    SELECT r.id, r.bidder_no::text, CASE
            WHEN o.status <> 'verified' THEN 'organization_not_verified'
            WHEN p.deposit_status IS DISTINCT FROM 'frozen' THEN 'deposit_not_frozen'
            WHEN accounts_organizations_related(a.holder_id, r.organization_id) THEN 'related_party'
        END
      FROM auctions_registration r
      JOIN accounts_membership m ON m.organization_id = r.organization_id AND m.user_id = p_user
      JOIN accounts_organization o ON o.id = r.organization_id
      JOIN auctions_auction a ON a.id = r.auction_id
      LEFT JOIN marketplace_payable p ON p.id = r.payment_id
     WHERE r.auction_id = p_auction
     ORDER BY r.id
     LIMIT 1
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("auctions", "0006_proxies_leader_never_raises_itself"),
        ("accounts", "0008_tied_to_holder_functions"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
