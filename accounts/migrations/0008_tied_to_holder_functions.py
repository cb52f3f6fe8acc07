"""Who may never trade on a holder's lots (API.md, Accounts 1.1; #12 shill bidding).

``accounts_person_tied_to(user, holder)``: the person is a member (any role) of the holder or of
an organization related to it. ``accounts_organization_tied_to(org, holder)``: the organization is
the holder or related to it, or any of its members is such a person. Registration refuses both;
the bid engine's standing refuses a registration whose organization is tied, so a company that
later gains such a member is suspended at once (``related_party``). Only accepted memberships
count: an invitation gives nothing until the person accepts it.
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION accounts_person_tied_to(p_user bigint, p_holder bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN EXISTS (
        SELECT 1 FROM accounts_membership m
         WHERE m.user_id = p_user AND accounts_organizations_related(m.organization_id, p_holder));
END
$$;

CREATE OR REPLACE FUNCTION accounts_organization_tied_to(p_org bigint, p_holder bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN accounts_organizations_related(p_org, p_holder) OR EXISTS (
        SELECT 1 FROM accounts_membership mine
          JOIN accounts_membership theirs ON theirs.user_id = mine.user_id
         WHERE mine.organization_id = p_org
           AND theirs.organization_id <> p_org
           AND accounts_organizations_related(theirs.organization_id, p_holder));
END
$$;
"""
BACKWARD = r"""
DROP FUNCTION IF EXISTS accounts_organization_tied_to(bigint, bigint);
DROP FUNCTION IF EXISTS accounts_person_tied_to(bigint, bigint);
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_invitations")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
