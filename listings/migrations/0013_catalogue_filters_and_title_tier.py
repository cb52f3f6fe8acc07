"""The catalogue at a million listings (#17.3): each listing's search vector also carries its field,
mode and rights as lexemes (``listings.search.filter_lexemes``), so a search with filters is one
GIN probe; and the title's part of the vector gets its own GIN index, the relevance order's first
tier (every word in the title). The vectors get the filter lexemes in SQL, without tokenizing the
texts again."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models

FILTERS = (
    "('''field:' || a.field || ''':1A ''mode:' || l.mode || ''':1A ''rights:' || l.rights"
    " || ''':1A')::tsvector"
)


class Migration(migrations.Migration):
    dependencies = [("listings", "0012_search_characters_and_pairs")]

    operations = [
        migrations.RunSQL(
            "UPDATE listings_listing l SET search_vector = l.search_vector || "
            + FILTERS
            + " FROM listings_achievement a WHERE a.id = l.achievement_id AND l.search_vector IS NOT NULL",
            migrations.RunSQL.noop,
        ),
        migrations.AddIndex(
            model_name="listing",
            index=django.contrib.postgres.indexes.GinIndex(
                models.Func(
                    models.F("search_vector"),
                    models.Value("{a}"),
                    function="ts_filter",
                    output_field=django.contrib.postgres.search.SearchVectorField(),
                ),
                name="listing_title_gin",
            ),
        ),
        # the selector reads the lexemes' shares (``pg_stats``) of the vector and of the title index
        migrations.RunSQL("ANALYZE listings_listing", migrations.RunSQL.noop),
    ]
