"""The achievement index that matching and the valuation band read (``AchievementIndex``).

Copied from each achievement: its jieba words and search vector (the catalogue's segmentation,
``listings.search``), field and maturity. A row is stale when its ``source_updated_at`` differs
from the achievement's ``updated_at``; ``achievement_index_refresh`` rewrites stale and missing
rows (the beat job every minute; pages refresh the one achievement they show). Listings never
calls up here: the index follows the achievements table, not the services that write it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from listings.models import Achievement

from ..models import AchievementIndex
from ..text import or_query, text_vector, text_words

__all__ = ["achievement_index_refresh", "or_query", "text_vector", "text_words"]


def _index_one(achievement: Achievement) -> None:
    AchievementIndex.objects.update_or_create(
        achievement_id=achievement.pk,
        defaults={
            "holder_id": achievement.holder_id,
            "field": achievement.field,
            "maturity": achievement.maturity,
            "words": text_words(achievement.title, achievement.summary),
            "search_vector": text_vector(title=achievement.title, body=achievement.summary),
            "source_updated_at": achievement.updated_at,
        },
    )


STALE_SQL = """
    SELECT a.id FROM listings_achievement a
    LEFT JOIN discovery_achievementindex i ON i.achievement_id = a.id
    WHERE i.achievement_id IS NULL OR i.source_updated_at IS DISTINCT FROM a.updated_at
    ORDER BY a.id LIMIT %s
"""


def achievement_index_refresh(*, achievement_ids: Iterable[int] | None = None, batch: int = 500) -> int:
    """Index the given achievements, or every stale or missing one (in batches). Idempotent;
    returns how many rows were written."""
    if achievement_ids is not None:
        ids = sorted(set(achievement_ids))
        count = 0
        for achievement in Achievement.objects.filter(pk__in=ids):
            with transaction.atomic():
                _index_one(achievement)
            count += 1
        return count
    count = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(STALE_SQL, [batch])
            ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return count
        with transaction.atomic():
            for achievement in Achievement.objects.filter(pk__in=ids):
                _index_one(achievement)
        count += len(ids)
