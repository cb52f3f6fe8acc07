"""A 成交确认书 cannot be rewritten: its number, deal, terms, digest and issue time never change,
and each side's signature is set once and never changed or cleared; no row is deleted. The
database refuses it (as it refuses changes to ledger entries), whatever code or admin tries."""

from django.db import migrations

FORWARD = r"""
CREATE FUNCTION marketplace_dealconfirmation_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'a deal confirmation is never deleted' USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.number IS DISTINCT FROM OLD.number OR NEW.deal_id IS DISTINCT FROM OLD.deal_id
       OR NEW.terms IS DISTINCT FROM OLD.terms OR NEW.digest IS DISTINCT FROM OLD.digest
       OR NEW.issued_at IS DISTINCT FROM OLD.issued_at THEN
        RAISE EXCEPTION 'a deal confirmation''s terms are fixed' USING ERRCODE = 'restrict_violation';
    END IF;
    IF (OLD.buyer_signed_at IS NOT NULL AND (NEW.buyer_signed_at IS DISTINCT FROM OLD.buyer_signed_at
            OR NEW.buyer_signed_by_id IS DISTINCT FROM OLD.buyer_signed_by_id))
       OR (OLD.seller_signed_at IS NOT NULL AND (NEW.seller_signed_at IS DISTINCT FROM OLD.seller_signed_at
            OR NEW.seller_signed_by_id IS DISTINCT FROM OLD.seller_signed_by_id)) THEN
        RAISE EXCEPTION 'a signature is given once' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER deal_confirmation_guard
    BEFORE UPDATE OR DELETE ON marketplace_dealconfirmation
    FOR EACH ROW EXECUTE FUNCTION marketplace_dealconfirmation_guard();
"""
BACKWARD = """
DROP TRIGGER deal_confirmation_guard ON marketplace_dealconfirmation;
DROP FUNCTION marketplace_dealconfirmation_guard();
"""


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0008_deal_confirmation")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
