"""The catalogue's search index changes from jieba's words to characters and character pairs
(``listings.search``): every listing's search vector is made again."""

from django.db import migrations


def reindex(apps, schema_editor):
    from listings.services.bulk import listings_index_missing

    listings_index_missing(everything=True)


class Migration(migrations.Migration):
    dependencies = [("listings", "0011_achievement_attachments")]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop)]
