"""The related-party rule as a SQL function, so that queries of any app (the bid engine's among
them, inside its own functions) state it by name: ``accounts.selectors.related_sql`` calls it.

``accounts_organizations_related(a, b)``: the same organization, or a declared relation between the
two (stored once per pair, low id first). A one-expression SQL function: PostgreSQL inlines it into
the calling query, so the relation's unique index serves it there as before.
"""

from django.db import migrations

FORWARD = r"""
CREATE FUNCTION accounts_organizations_related(a bigint, b bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT a = b OR EXISTS (
        SELECT 1 FROM accounts_organizationrelation rel
         WHERE rel.low_id = LEAST(a, b) AND rel.high_id = GREATEST(a, b))
$$;
"""
BACKWARD = "DROP FUNCTION accounts_organizations_related(bigint, bigint);"


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_notification")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
