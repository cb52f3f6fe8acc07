from django.db import migrations, models

# core.sync: listings and use-first entries record their writing transaction's id (and stamp)
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
        ("listings", "0006_commit_ordered_sync"),
    ]

    operations = [
        migrations.AddField(
            model_name="listing",
            name="sync_xid",
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="usefirstentry",
            name="sync_xid",
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.RunSQL(backfill("listings_listing"), migrations.RunSQL.noop),
        migrations.RunSQL(backfill("listings_usefirstentry"), migrations.RunSQL.noop),
        migrations.RemoveIndex(model_name="listing", name="listing_sync"),
        migrations.RemoveIndex(model_name="usefirstentry", name="use_first_entry_sync"),
        migrations.AlterField(
            model_name="usefirstentry",
            name="updated_at",
            field=models.DateTimeField(),
        ),
        migrations.AddIndex(
            model_name="listing",
            index=models.Index(fields=["sync_xid", "id"], name="listing_sync_xid"),
        ),
        migrations.AddIndex(
            model_name="usefirstentry",
            index=models.Index(fields=["sync_xid", "id"], name="use_first_entry_sync_xid"),
        ),
        trigger("listings_listing"),
        trigger("listings_usefirstentry"),
        migrations.RunSQL(
            "DROP SEQUENCE IF EXISTS market_sync_tick", "CREATE SEQUENCE IF NOT EXISTS market_sync_tick"
        ),
    ]
