"""Chinese full-text search for the catalogue: characters and character pairs, matched by PostgreSQL.

PostgreSQL's parsers do not know where Chinese words end, and a dictionary's words do not either
for a person: "茶" must find 茶树, "石墨" 石墨烯, "电池" 锂电池. So a document is indexed by every
Chinese character and every pair of neighbouring characters (bigrams, as search engines index CJK
text), plus its Latin words and numbers, handed to PostgreSQL space-separated under the ``simple``
configuration (lower-casing, no stemming). A query is cut into words by jieba (so the common
words can be dropped, ``一种``, ``方法`` …), and each word must occur: a one-character word as
that character, a longer one as all of its pairs. Every lookup is one GIN index probe per token,
with no recheck: the same cost at any length of query and any size of catalogue.
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


def _han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def _runs(text: str) -> list[tuple[bool, str]]:
    """``text`` as runs of Chinese characters and runs of other letters or digits (True: Chinese)."""
    runs: list[tuple[bool, str]] = []
    current: list[str] = []
    kind: bool | None = None
    for ch in text:
        han: bool | None = _han(ch)
        if not (han or ch.isalnum()):
            han = None  # a separator
        if han != kind and current:
            runs.append((bool(kind), "".join(current)))
            current = []
        kind = han
        if han is not None:
            current.append(ch)
    if current:
        runs.append((bool(kind), "".join(current)))
    return runs


def _grams(run: str) -> list[str]:
    """A Chinese run's characters and neighbouring pairs, in order of position."""
    out = [run[0]]
    for i in range(1, len(run)):
        out += [run[i - 1 : i + 1], run[i]]
    return out


def segment_document(*texts: str) -> str:
    """Tokens of ``texts`` for the index, space-separated: each Chinese character and pair, each
    other word (every token, even of common words: a query of only common words must still find)."""
    tokens: list[str] = []
    for text in texts:
        for han, run in _runs(text or ""):
            if han:
                tokens += _grams(run)
            else:
                tokens.append(run)
    return " ".join(tokens)


def _query_tokens(word: str) -> list[str]:
    tokens: list[str] = []
    for han, run in _runs(word):
        if not han or len(run) == 1:
            tokens.append(run)
        else:
            tokens += [run[i - 1 : i + 1] for i in range(1, len(run))]
    return tokens


def segment_query(text: str) -> str:
    """Tokens a matching document must all have, space-separated: the query's words by jieba, the
    common words dropped unless nothing else is left (``装置`` alone still searches), each word as
    its character (one) or its pairs (longer); empty when nothing searchable is there at all."""
    words = [w.strip() for w in tokenizer().cut(text or "", HMM=False) if _word(w)]
    telling = [w for w in words if w not in STOPWORDS]
    tokens = [t for w in (telling or words) for t in _query_tokens(w)]
    return " ".join(dict.fromkeys(tokens))


# The same vector in SQL, from the three fields' tokens (``segment_document``), for set-based indexing.
VECTOR_SQL = (
    f"setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE({{t}}, '')), 'A') || "
    f"setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE({{s}}, '')), 'B') || "
    f"setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE({{h}}, '')), 'C')"
)


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
