"""Chinese text for matching and the band: the catalogue's jieba segmentation (``listings.search``)
turned into word lists, stored vectors and OR queries. Pure helpers, shared by services and
selectors alike."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.postgres.search import SearchVector
from django.db.models import Value
from django.db.models.expressions import CombinedExpression

from listings import search

from .rules import QUERY_WORDS


def text_words(*texts: str, limit: int | None = None) -> list[str]:
    """The telling words of ``texts`` (jieba's precise cut, the catalogue's stop words dropped),
    each once, in order of first appearance; at most ``limit``."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in search.segment_query(text).split():
            word = word.lower()[:64]
            if len(word) >= 2 or not word.isascii():
                seen.setdefault(word, None)
    words = list(seen)
    return words[:limit] if limit else words


def text_vector(*, title: str, body: str) -> CombinedExpression:
    """The stored vector: the title weighs more than the body (as ``listings.search``)."""
    return SearchVector(
        Value(search.segment_document(title)), config=search.CONFIG, weight="A"
    ) + SearchVector(Value(search.segment_document(body)), config=search.CONFIG, weight="B")


# The same vector as ``text_vector`` written as SQL over columns holding the segmented texts
# (``listings.search.segment_document``) of the title ``{t}`` and the body ``{s}``: for the
# set-based index (``discovery.services.index``) and bulk writers, as ``listings.search.VECTOR_SQL``.
VECTOR_SQL = (
    f"setweight(to_tsvector('{search.CONFIG}'::regconfig, COALESCE({{t}}, '')), 'A') || "
    f"setweight(to_tsvector('{search.CONFIG}'::regconfig, COALESCE({{s}}, '')), 'B')"
)


def or_query(words: Iterable[str]) -> str:
    """A ``to_tsquery('simple', ...)`` text matching any of ``words`` (quoted, so no word is read
    as an operator); empty when there are none."""
    quoted = ["'" + w.replace("\\", "").replace("'", "") + "'" for w in words if w.replace("'", "").strip()]
    return " | ".join(quoted[:QUERY_WORDS])
