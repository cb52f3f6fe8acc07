"""The achievement index that matching and the valuation band read (``AchievementIndex``).

Copied from each achievement: its jieba words and search vector (the catalogue's segmentation,
``listings.search``), field and maturity. A row is stale when its ``source_updated_at`` differs
from the achievement's ``updated_at``; ``achievement_index_refresh`` rewrites stale and missing
rows (the beat job every minute; pages refresh the one achievement they show). Listings never
calls up here: the index follows the achievements table, not the services that write it.

Two paths write the same row. ``_index_one`` (the ORM, ``text_vector``) serves the few
achievements a page names; the sweep over every stale or missing row is set-based
(``_index_batch``): a batch's texts read in one query, the words and segmented texts made in
Python (jieba has no SQL twin), one COPY into a temporary table and one
``INSERT ... ON CONFLICT DO UPDATE`` that makes the vector in SQL (``discovery.text.VECTOR_SQL``,
the same vector as ``text_vector``). ``tests/discovery/test_index.py`` compares the rows.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from listings import search
from listings.models import Achievement

from ..models import AchievementIndex
from ..text import VECTOR_SQL, or_query, text_vector, text_words

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


# The next stale or missing achievements after an id, with what the index copies from them: read
# in one statement, so the texts and the ``updated_at`` stored beside them belong together (an
# achievement changed after this read is stale again and the next sweep takes it).
STALE_SQL = """
    SELECT a.id, a.holder_id, a.field, a.maturity, a.title, a.summary, a.updated_at
    FROM listings_achievement a
    LEFT JOIN discovery_achievementindex i ON i.achievement_id = a.id
    WHERE (i.achievement_id IS NULL OR i.source_updated_at IS DISTINCT FROM a.updated_at) AND a.id > %s
    ORDER BY a.id LIMIT %s
"""

BATCH_TABLE = "discovery_index_batch"

UPSERT_SQL = f"""
    INSERT INTO discovery_achievementindex
        (achievement_id, holder_id, field, maturity, words, search_vector, source_updated_at)
    SELECT b.id, b.holder_id, b.field, b.maturity, b.words, {VECTOR_SQL.format(t="b.t", s="b.s")}, b.updated_at
    FROM {BATCH_TABLE} b
    JOIN listings_achievement a ON a.id = b.id  -- one deleted since the read is skipped
    ORDER BY b.id
    ON CONFLICT (achievement_id) DO UPDATE SET
        holder_id = EXCLUDED.holder_id,
        field = EXCLUDED.field,
        maturity = EXCLUDED.maturity,
        words = EXCLUDED.words,
        search_vector = EXCLUDED.search_vector,
        source_updated_at = EXCLUDED.source_updated_at
"""


def _index_batch(*, after: int, batch: int) -> tuple[int, int, int]:
    """Index the next ``batch`` stale or missing achievements after id ``after``, in one
    transaction; returns how many were read, the last id read and how many rows were written."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(STALE_SQL, [after, batch])
        rows = cur.fetchall()
        if not rows:
            return 0, after, 0
        # IF NOT EXISTS and TRUNCATE: inside a caller's transaction the table outlives a batch.
        cur.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {BATCH_TABLE} (id bigint, holder_id bigint,"
            " field varchar(32), maturity smallint, words varchar(64)[], t text, s text,"
            " updated_at timestamptz) ON COMMIT DROP"
        )
        cur.execute(f"TRUNCATE {BATCH_TABLE}")
        with cur.cursor.copy(
            f"COPY {BATCH_TABLE} (id, holder_id, field, maturity, words, t, s, updated_at) FROM STDIN"
        ) as copy:
            for pk, holder_id, field, maturity, title, summary, updated_at in rows:
                copy.write_row(
                    (
                        pk,
                        holder_id,
                        field,
                        maturity,
                        text_words(title, summary),
                        search.segment_document(title),
                        search.segment_document(summary),
                        updated_at,
                    )
                )
        cur.execute(UPSERT_SQL)
        written = cur.rowcount
    return len(rows), rows[-1][0], written


def achievement_index_refresh(*, achievement_ids: Iterable[int] | None = None, batch: int = 2000) -> int:
    """Index the given achievements, or every stale or missing one (set-based, ``batch`` rows a
    transaction). Idempotent; returns how many rows were written."""
    if achievement_ids is not None:
        ids = sorted(set(achievement_ids))
        count = 0
        for achievement in Achievement.objects.filter(pk__in=ids):
            with transaction.atomic():
                _index_one(achievement)
            count += 1
        return count
    count, after = 0, 0
    while True:
        read, after, written = _index_batch(after=after, batch=batch)
        count += written
        if read < batch:
            return count
