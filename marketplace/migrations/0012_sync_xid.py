from django.db import migrations, models

# core.sync: results record their writing transaction's id (and stamp) through a trigger. A
# transaction's results share its stamp, so ``updated_at`` is no longer unique.

BACKFILL = """
    UPDATE marketplace_result t SET sync_xid = r.n - r.total - 1
    FROM (SELECT id, row_number() OVER (ORDER BY updated_at, id) AS n, count(*) OVER () AS total
          FROM marketplace_result) r
    WHERE t.id = r.id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_sync"),
        ("marketplace", "0011_objection_and_reconciliation_status_changes"),
    ]

    operations = [
        migrations.AddField(
            model_name="result",
            name="sync_xid",
            field=models.BigIntegerField(default=0, editable=False),
        ),
        # Rows published before the trigger: negative ids in their old (updated_at, id) order.
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.RemoveIndex(model_name="result", name="result_sync"),
        migrations.RemoveIndex(model_name="result", name="result_mode_sync"),
        migrations.RemoveIndex(model_name="result", name="result_field_sync"),
        migrations.AlterField(
            model_name="result",
            name="updated_at",
            field=models.DateTimeField(verbose_name="更新时间"),
        ),
        migrations.AddIndex(
            model_name="result",
            index=models.Index(fields=["sync_xid", "id"], name="result_sync_xid"),
        ),
        migrations.AddIndex(
            model_name="result",
            index=models.Index(fields=["mode", "sync_xid", "id"], name="result_mode_sync_xid"),
        ),
        migrations.AddIndex(
            model_name="result",
            index=models.Index(fields=["field", "sync_xid", "id"], name="result_field_sync_xid"),
        ),
        migrations.RunSQL(
            "CREATE TRIGGER marketplace_result_sync BEFORE INSERT OR UPDATE ON marketplace_result "
            "FOR EACH ROW EXECUTE FUNCTION market_sync_row()",
            "DROP TRIGGER IF EXISTS marketplace_result_sync ON marketplace_result",
        ),
    ]
