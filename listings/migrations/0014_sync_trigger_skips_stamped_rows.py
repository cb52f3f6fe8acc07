"""core.sync: the listing's sync trigger leaves alone a row that already holds this transaction's id
and stamp (``market_sync_stamped``, core 0003): the bulk publish writes them itself
(``core.sync.SYNC_STAMPED_SQL``), one plpgsql call fewer per listing. Any other write is stamped
by the trigger as before."""

from django.db import migrations

from core.migration_operations import sync_trigger_skips_stamped


class Migration(migrations.Migration):
    dependencies = [("core", "0003_sync_stamped"), ("listings", "0013_catalogue_filters_and_title_tier")]

    operations = [sync_trigger_skips_stamped("listings_listing")]
