"""Partial indexes where most rows have nothing to index: the operators' review queue and the
holders' internal queue index only the listings waiting in them (``listings.selectors``' two
queues, which filter on that status), and who put a listing up or moved it only where a person
did (the platform's listings and moves, the use-first job's hundreds of thousands, leave
``created_by`` and ``actor`` null). Lookups by a user (``created_by_id = ...``, the foreign keys'
PROTECT checks) imply ``IS NOT NULL`` and use them. A listing the platform publishes (and its
status changes) now enters four b-tree indexes fewer (#17.5). ``listing_status_sync`` had been the old sync order's index; the
sync reads ``listing_sync_xid``, and only the internal queue still read ``updated_at`` by status."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('listings', '0014_sync_trigger_skips_stamped_rows'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='listing',
            name='listing_status_sync',
        ),
        migrations.RemoveIndex(
            model_name='listing',
            name='listing_status_queue',
        ),
        migrations.AlterField(
            model_name='listing',
            name='created_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='listingstatuschange',
            name='actor',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='listing',
            index=models.Index(condition=models.Q(('status', 'pending_internal_approval')), fields=['updated_at', 'id'], name='listing_internal_queue'),
        ),
        migrations.AddIndex(
            model_name='listing',
            index=models.Index(condition=models.Q(('status', 'pending_review')), fields=['submitted_at', 'id'], name='listing_review_queue'),
        ),
        migrations.AddIndex(
            model_name='listing',
            index=models.Index(condition=models.Q(('created_by__isnull', False)), fields=['created_by'], name='listing_created_by'),
        ),
        migrations.AddIndex(
            model_name='listingstatuschange',
            index=models.Index(condition=models.Q(('actor__isnull', False)), fields=['actor'], name='listing_change_actor'),
        ),
    ]
