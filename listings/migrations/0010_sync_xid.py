from django.db import migrations, models

# core.sync: listings record (use-first entries: conversion 0004) their writing transaction's id (and stamp)
# through a trigger; no more sync lock, so the per-statement tick sequence goes too.


def backfill(table: str) -> str:
    """Rows written before the trigger: negative ids in their old commit-ordered ``(updated_at,
    id)`` order, below every real transaction id (see core.sync on pre-scheme rows)."""
    return f"""
        UPDATE {table} t SET sync_xid = r.n - r.total - 1
        FROM (SELECT id, row_number() OVER (ORDER BY updated_at, id) AS n, count(*) OVER () AS total
              FROM {table}) r
        WHERE t.id = r.id
    """


def trigger(table: str) -> migrations.RunSQL:
    return migrations.RunSQL(
        f"CREATE TRIGGER {table}_sync BEFORE INSERT OR UPDATE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION market_sync_row()",
        f"DROP TRIGGER IF EXISTS {table}_sync ON {table}",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_sync"),
        ("listings", "0009_ip_legal_status"),
    ]

    operations = [
        migrations.AddField(
            model_name="listing",
            name="sync_xid",
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.RunSQL(backfill("listings_listing"), migrations.RunSQL.noop),
        migrations.RemoveIndex(model_name="listing", name="listing_sync"),
        migrations.AddIndex(
            model_name="listing",
            index=models.Index(fields=["sync_xid", "id"], name="listing_sync_xid"),
        ),
        trigger("listings_listing"),
        migrations.RunSQL(
            "DROP SEQUENCE IF EXISTS market_sync_tick", "CREATE SEQUENCE IF NOT EXISTS market_sync_tick"
        ),
    ]
