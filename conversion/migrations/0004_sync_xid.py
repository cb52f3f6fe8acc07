from django.db import migrations, models

# core.sync: use-first entries record their writing transaction's id (and stamp) through a
# trigger, as listings do (listings 0010); no sync lock.

BACKFILL = """
    UPDATE conversion_usefirstentry t SET sync_xid = r.n - r.total - 1
    FROM (SELECT id, row_number() OVER (ORDER BY updated_at, id) AS n, count(*) OVER () AS total
          FROM conversion_usefirstentry) r
    WHERE t.id = r.id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_sync"),
        ("listings", "0010_sync_xid"),  # market_sync_row() and the tick sequence's end
        ("conversion", "0003_achievement_dates_and_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="usefirstentry",
            name="sync_xid",
            field=models.BigIntegerField(default=0, editable=False),
        ),
        # Rows written before the trigger: negative ids in their old (updated_at, id) order.
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.RemoveIndex(model_name="usefirstentry", name="use_first_entry_sync"),
        migrations.AlterField(model_name="usefirstentry", name="updated_at", field=models.DateTimeField()),
        migrations.AddIndex(
            model_name="usefirstentry",
            index=models.Index(fields=["sync_xid", "id"], name="use_first_entry_sync_xid"),
        ),
        migrations.RunSQL(
            "CREATE TRIGGER conversion_usefirstentry_sync BEFORE INSERT OR UPDATE ON conversion_usefirstentry "
            "FOR EACH ROW EXECUTE FUNCTION market_sync_row()",
            "DROP TRIGGER IF EXISTS conversion_usefirstentry_sync ON conversion_usefirstentry",
        ),
    ]
