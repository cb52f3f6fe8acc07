"""The candidate query of matching (``discovery.selectors.matching.telling_words``): at scale a
demand's common words would make it read most of the index, so it looks for the rarest words,
by PostgreSQL's own statistics of the index's vectors; the ranking still uses every word."""

from __future__ import annotations

import pytest
from django.db import connection

from discovery.selectors.matching import demand_matches, telling_words
from discovery.services import achievement_index_refresh
from discovery.text import text_words
from tests.factories import AchievementFactory

pytestmark = pytest.mark.django_db

DEMAND = ("龙井茶品质的近红外光谱检测方法", "需要一种检测方法")


@pytest.fixture
def catalogue():
    for i in range(60):  # every one says 检测 and 方法
        AchievementFactory(
            title=f"一种材料强度的检测方法（{i}）", summary="通用的检测方法。", field="new_materials"
        )
    tea = AchievementFactory(
        title="龙井茶品质近红外光谱快速检测方法", summary="近红外光谱结合深度学习。", field="agriculture"
    )
    achievement_index_refresh()
    return tea


def _analyze():
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE discovery_achievementindex")


def test_without_statistics_every_word_is_looked_for(catalogue):
    words = text_words(*DEMAND)
    assert telling_words(words, budget=1, minimum=1) == words


def test_with_statistics_the_common_words_are_left_to_the_ranking(catalogue):
    _analyze()
    words = text_words(*DEMAND)
    assert {"检测", "龙井"} <= set(words)
    chosen = telling_words(words, budget=10, minimum=1)
    assert "龙井" in chosen and "红外" in chosen
    assert "检测" not in chosen  # in every row: it would read them all
    assert chosen == [w for w in words if w in chosen]  # in the demand's order
    assert telling_words(words, budget=10**6, minimum=1) == words  # a small index: everything


def test_the_matches_still_rank_the_fitting_achievement_first(catalogue, company):
    from discovery.models import Demand

    _analyze()
    demand = Demand(
        organization_id=company.pk,
        title=DEMAND[0],
        description=DEMAND[1],
        field="agriculture",
        rights="transfer",
        words=text_words(*DEMAND),
    )
    assert demand_matches(demand=demand, limit=5)[0].achievement == catalogue.pk
