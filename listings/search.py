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
import operator
import re
import threading
from collections import Counter

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


_HAN_CLASS = "\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff"  # the ranges ``_han`` accepts
# A document's runs as ``_runs`` cuts them, in one C-level scan: a run of Chinese characters (group
# 1), or a run of other letters and digits (``[^\W_]`` is ``str.isalnum``, as ``_runs`` tests).
_DOCUMENT_RUN = re.compile(f"([{_HAN_CLASS}]+)|[^\\W_{_HAN_CLASS}]+")


def _document_tokens(text: str) -> list[str]:
    """The index tokens of one text, in order: each Chinese character and each pair of neighbouring
    characters (bigrams) of a Chinese run, each other word as it is."""
    tokens: list[str] = []
    for run in _DOCUMENT_RUN.finditer(text or ""):
        word = run.group()
        if run.group(1) and len(word) > 1:
            grams = [word[0]] * (2 * len(word) - 1)  # c0 c0c1 c1 c1c2 c2 ...
            grams[1::2] = map(operator.add, word, word[1:])
            grams[2::2] = word[1:]
            tokens += grams
        else:
            tokens.append(word)
    return tokens


def segment_document(*texts: str) -> str:
    """Tokens of ``texts`` for the index, space-separated: each Chinese character and pair, each
    other word (every token, even of common words: a query of only common words must still find)."""
    return " ".join(token for text in texts for token in _document_tokens(text))


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


# ``vector_text`` writes the vector ``VECTOR_SQL`` makes only of texts whose words PostgreSQL's
# parser is known to take whole: Chinese characters of Unicode 3.0 (the C library's letters; the
# ideographs added since, up to \u9fff, \u4dbf and \ufaff, are unknown to an older one, which
# then cuts the word there), ASCII letters and digits, no word longer than 100 characters, no
# digit-e-digit (``1e5x`` is a number and a word to the parser). Anything else (other scripts,
# numerals such as ² or ①) is left to PostgreSQL.
_UNSURE_TEXT = re.compile(
    f"[\u9fa6-\u9fff\u4db6-\u4dbf\ufa2e-\ufaff]|[^\\W_{_HAN_CLASS}A-Za-z0-9]"
    "|[0-9][eE][0-9]|[A-Za-z0-9]{101}"
)
_MAX_TOKENS = 16_000  # positions stop at 16,383 in PostgreSQL
_MAX_REPEATS = 250  # and one lexeme keeps at most 255 (256 after ``||``) of them


@functools.cache
def _entry_tails(weight: str) -> list[str]:
    """``':{position}{weight} '`` for every position: the end of each entry, made once."""
    return [f"':{i}{weight} '" for i in range(_MAX_TOKENS + 1)]


def vector_text(*, title: str, summary: str, holder: str) -> str | None:
    """``VECTOR_SQL`` of these texts' tokens, written out as tsvector input (``'基':1A '基准':2A
    ...``), so that a bulk writer's insert parses a vector instead of running the text parser three
    times a row (#17.5); None where only PostgreSQL can tell (see ``_UNSURE_TEXT``, and more than
    16,000 tokens or 250 repeats of one lexeme, past which PostgreSQL drops positions).

    The same vector, entry for entry: one lexeme per token of ``_document_tokens`` (the
    ``simple`` dictionary only lower-cases, and lower-casing these texts never changes their
    tokens), positions numbered from 1 through title, summary and holder (each ``to_tsvector``
    numbers its words from 1 and ``||`` shifts the right side by the left side's last position),
    weights A, B and C. PostgreSQL's tsvector input sorts the lexemes and merges a repeated one's
    positions as ``to_tsvector`` does. ``tests/listings/test_search.py`` compares the two over
    every Chinese character and a corpus of words; ``listings.services.bulk`` checks the database
    agrees before using it."""
    parts: list[str] = []
    lexemes: list[str] = []
    n = 0
    for text, weight in ((title, "A"), (summary, "B"), (holder, "C")):
        if not text:
            continue
        if _UNSURE_TEXT.search(text):
            return None
        tokens = _document_tokens(text.lower())
        if n + len(tokens) > _MAX_TOKENS:
            return None
        parts += map(operator.add, tokens, _entry_tails(weight)[n + 1 : n + 1 + len(tokens)])
        lexemes += tokens
        n += len(tokens)
    if n > _MAX_REPEATS and Counter(lexemes).most_common(1)[0][1] > _MAX_REPEATS:
        return None
    return "'" + "".join(parts)[:-2] if parts else ""


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
