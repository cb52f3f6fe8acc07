"""Chinese full-text search for the catalogue: jieba segments, PostgreSQL indexes and matches.

PostgreSQL's parsers do not know where Chinese words end, so we segment with jieba and hand
PostgreSQL space-separated words under the ``simple`` configuration (lower-casing, no stemming).
Documents are cut "for search" (``人工智能`` also yields ``人工`` and ``智能``), queries precisely,
both without jieba's HMM guesses, so a word is cut the same way in a title and in a query.
The dictionary is loaded once per process, on first use.
"""

from __future__ import annotations

import functools
import logging
import threading

import jieba
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import Value
from django.db.models.expressions import CombinedExpression

CONFIG = "simple"

# Words so common in achievement titles that, next to other words, matching them says nothing.
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "等",
        "在",
        "对",
        "中",
        "一种",
        "一类",
        "基于",
        "用于",
        "及其",
        "方法",
        "装置",
        "系统",
        "技术",
        "其",
    ]
)

_lock = threading.Lock()
jieba.setLogLevel(logging.WARNING)  # jieba sets DEBUG on its own logger at import


@functools.cache
def tokenizer() -> jieba.Tokenizer:
    """jieba's dictionary, loaded once per process (about half a second, cached on disk)."""
    with _lock:
        tk = jieba.Tokenizer()
        tk.initialize()
        return tk


def _word(word: str) -> bool:
    return any(ch.isalnum() for ch in word)


def segment_document(*texts: str) -> str:
    """Words of ``texts`` for the index, space-separated (every word: a query of only common
    words must still find them)."""
    tk = tokenizer()
    return " ".join(w.strip() for text in texts for w in tk.cut_for_search(text or "", HMM=False) if _word(w))


def segment_query(text: str) -> str:
    """Words of a user's query, space-separated; the common words are dropped unless nothing else
    is left (``装置`` alone still searches); empty when nothing searchable is there at all."""
    words = [w.strip() for w in tokenizer().cut(text or "", HMM=False) if _word(w)]
    telling = [w for w in words if w not in STOPWORDS]
    return " ".join(telling or words)


def search_vector(*, title: str, summary: str, holder: str) -> CombinedExpression:
    """The expression stored in ``Listing.search_vector``: title weighs most, then summary, holder."""
    return (
        SearchVector(Value(segment_document(title)), config=CONFIG, weight="A")
        + SearchVector(Value(segment_document(summary)), config=CONFIG, weight="B")
        + SearchVector(Value(segment_document(holder)), config=CONFIG, weight="C")
    )


def search_query(text: str) -> SearchQuery | None:
    """Every word of the query must occur (AND); None when the query has no searchable word."""
    words = segment_query(text)
    if not words:
        return None
    return SearchQuery(words, config=CONFIG, search_type="plain")
