"""The achievement index (``discovery.services.index``): the set-based sweep writes exactly the row
the single path writes, in a bounded number of statements, and rewrites only what is stale."""

from __future__ import annotations

import pytest
from django.db import connection

from discovery.models import AchievementIndex
from discovery.services import achievement_index_refresh
from tests.factories import AchievementFactory

pytestmark = pytest.mark.django_db

# Texts that a COPY must carry unchanged: tabs, newlines, backslashes, quotes, Latin words, an
# empty summary.
TEXTS = [
    (
        "一种基于人工智能的茶叶品质检测方法",
        "利用近红外光谱与深度学习模型，对龙井茶的品质等级进行无损快速检测。\n检测时间\t小于一分钟。",
    ),
    ("基于 LiDAR 与 5G 的 O'Brien\\路侧感知系统", 'SLAM 定位精度 2cm，"车路协同"场景；支持 ROS2。'),
    ("高安全性固态锂电池复合电解质", ""),
]


def _row(achievement_id: int) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT achievement_id, holder_id, field, maturity, words, search_vector::text, source_updated_at"
            " FROM discovery_achievementindex WHERE achievement_id = %s",
            [achievement_id],
        )
        return cursor.fetchone()


def test_the_sweep_writes_exactly_the_row_the_single_path_writes():
    achievements = [AchievementFactory(title=t, summary=s, maturity=3 + i) for i, (t, s) in enumerate(TEXTS)]
    ids = [a.pk for a in achievements]
    assert achievement_index_refresh(achievement_ids=ids) == len(ids)  # the single path (pages)
    single = {pk: _row(pk) for pk in ids}
    assert all(single[pk][5] for pk in ids)  # a vector for each
    AchievementIndex.objects.filter(pk__in=ids).delete()

    assert achievement_index_refresh() == len(ids)  # the sweep: missing rows
    assert {pk: _row(pk) for pk in ids} == single


def test_the_sweep_is_set_based(django_assert_max_num_queries):
    for i in range(30):
        AchievementFactory(title=f"一种茶叶品质检测装置（{i}）")
    # Per batch: the read, the temporary table, its truncation, the COPY and the upsert, plus the
    # savepoints of the batch's atomic block; not one statement per achievement.
    with django_assert_max_num_queries(20):
        assert achievement_index_refresh(batch=100) == 30
    assert AchievementIndex.objects.count() == 30


def test_the_sweep_is_idempotent_and_rewrites_only_stale_rows():
    achievements = [AchievementFactory(title=f"一种茶叶品质检测装置（{i}）") for i in range(5)]
    assert achievement_index_refresh(batch=2) == 5  # across batches
    before = {a.pk: _row(a.pk) for a in achievements}
    assert achievement_index_refresh(batch=2) == 0  # nothing stale: nothing written

    changed = achievements[3]
    changed.title = "基于深度学习的工业视觉缺陷检测系统"
    changed.field = "electronics"
    changed.maturity = 9
    changed.save()
    assert achievement_index_refresh(batch=2) == 1
    after = {a.pk: _row(a.pk) for a in achievements}
    assert {pk: r for pk, r in after.items() if pk != changed.pk} == {
        pk: r for pk, r in before.items() if pk != changed.pk
    }
    swept = after[changed.pk]
    assert swept[2:4] == ("electronics", 9) and "缺陷" in swept[4]
    assert swept[6] == changed.updated_at

    AchievementIndex.objects.filter(pk=changed.pk).delete()
    achievement_index_refresh(achievement_ids=[changed.pk])
    assert _row(changed.pk) == swept  # the same row the single path writes
