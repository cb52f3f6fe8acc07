"""The ledger's rules in the database: balanced journals, append-only rows.

- ``ledger_entry_balanced`` / ``ledger_journal_has_entries``: deferred constraint triggers that, at
  commit (or at ``SET CONSTRAINTS ... IMMEDIATE``, which ``journal_post`` issues), refuse a journal
  whose entries do not sum to zero or number fewer than two.
- ``*_append_only``: journals and entries refuse UPDATE and DELETE. Corrections are reversing
  journals. (TRUNCATE, used only by test teardown, is not a row operation.)
"""

from django.db import migrations

FORWARD = r"""
CREATE FUNCTION marketplace_journal_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    jid bigint;
    total numeric;
    n integer;
BEGIN
    IF TG_TABLE_NAME = 'marketplace_journal' THEN
        jid := NEW.id;
    ELSE
        jid := NEW.journal_id;
    END IF;
    SELECT coalesce(sum(amount), 0), count(*) INTO total, n
      FROM marketplace_ledgerentry WHERE journal_id = jid;
    IF n < 2 OR total <> 0 THEN
        RAISE EXCEPTION 'journal % is unbalanced: % entries summing to %', jid, n, total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER ledger_entry_balanced
    AFTER INSERT ON marketplace_ledgerentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION marketplace_journal_check_balanced();

CREATE CONSTRAINT TRIGGER ledger_journal_has_entries
    AFTER INSERT ON marketplace_journal
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION marketplace_journal_check_balanced();

CREATE FUNCTION marketplace_ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: % on % refused (post a reversing journal)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER ledger_entry_append_only
    BEFORE UPDATE OR DELETE ON marketplace_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION marketplace_ledger_refuse_change();

CREATE TRIGGER ledger_journal_append_only
    BEFORE UPDATE OR DELETE ON marketplace_journal
    FOR EACH ROW EXECUTE FUNCTION marketplace_ledger_refuse_change();
"""

BACKWARD = r"""
DROP TRIGGER ledger_journal_append_only ON marketplace_journal;
DROP TRIGGER ledger_entry_append_only ON marketplace_ledgerentry;
DROP FUNCTION marketplace_ledger_refuse_change();
DROP TRIGGER ledger_journal_has_entries ON marketplace_journal;
DROP TRIGGER ledger_entry_balanced ON marketplace_ledgerentry;
DROP FUNCTION marketplace_journal_check_balanced();
"""


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
