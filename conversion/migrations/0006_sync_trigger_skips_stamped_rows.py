"""core.sync: the use-first entry's sync trigger leaves alone a row that already holds this
transaction's id and stamp (``market_sync_stamped``, core 0003), as the listing's does (listings
0014): the daily job writes its entries stamped (``core.sync.SYNC_STAMPED_SQL``), one plpgsql call
fewer per entry. Any other write is stamped by the trigger as before."""

from django.db import migrations

from core.migration_operations import sync_trigger_skips_stamped


class Migration(migrations.Migration):
    dependencies = [("core", "0003_sync_stamped"), ("conversion", "0005_justification_one_pending")]

    operations = [sync_trigger_skips_stamped("conversion_usefirstentry")]
