"""``accounts_organizations_related`` in PL/pgSQL, for its plan's sake.

PostgreSQL does not inline a scalar SQL function whose body has a subquery (the EXISTS here), so
the SQL version of 0004 was planned afresh on every call. A PL/pgSQL function keeps its plan for
the session: the bid engine's standing check calls it once per bid. Same rule, same signature.
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION accounts_organizations_related(a bigint, b bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN a = b OR EXISTS (
        SELECT 1 FROM accounts_organizationrelation rel
         WHERE rel.low_id = LEAST(a, b) AND rel.high_id = GREATEST(a, b));
END
$$;
"""
BACKWARD = r"""
CREATE OR REPLACE FUNCTION accounts_organizations_related(a bigint, b bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT a = b OR EXISTS (
        SELECT 1 FROM accounts_organizationrelation rel
         WHERE rel.low_id = LEAST(a, b) AND rel.high_id = GREATEST(a, b))
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_related_party_function")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
