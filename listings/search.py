"""Chinese full-text search for the catalogue: characters and character pairs, matched by PostgreSQL.

PostgreSQL's parsers do not know where Chinese words end, and a dictionary's words do not either
for a person: "茶" must find 茶树, "石墨" 石墨烯, "电池" 锂电池. So a document is indexed by every
Chinese character and every pair of neighbouring characters (bigrams, as search engines index CJK
text), plus its Latin words and numbers, handed to PostgreSQL space-separated under the ``simple``
configuration (lower-casing, no stemming). A query is cut into words by jieba (so the common
words can be dropped, ``一种``, ``方法`` …), and each word must occur: a one-character word as
that character, a longer one as all of its pairs. A page of matches is read either by walking the
order's index or from the ids a GIN index gives (``Match.where``, by the lexemes' statistics); the
filters are lexemes of the vector too (``filter_lexemes``), and the title's part has its own index
(``TITLE_INDEX``), the relevance order's first tier.
The dictionary is loaded once per process, on first use.
"""

from __future__ import annotations

import functools
import logging
import operator
import re
import struct
import threading
import time
from dataclasses import dataclass
from typing import Any

import jieba
from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorField
from django.db import connection
from django.db.models import BooleanField, Func, Value
from django.db.models.expressions import CombinedExpression, RawSQL

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


# The catalogue's filters as lexemes of the vector too (``field:agriculture``, ``mode:auction``,
# ``rights:transfer``; a query's own tokens are letters and digits only, so never one of these):
# a search with filters is then one GIN probe that intersects them, instead of fetching every
# listing matching the words to throw away those of another field (the field is the
# achievement's, a join away). Weight A, so the title tier's index (``TITLE_SQL``) has them too.
FILTER_KEYS = ("field", "mode", "rights")


def filter_lexemes(
    *, field: str | None = None, mode: str | None = None, rights: str | None = None
) -> list[str]:
    given = {"field": field, "mode": mode, "rights": rights}
    return [f"{key}:{given[key]}" for key in FILTER_KEYS if given[key]]


FILTERS_SQL = "('''field:' || {f} || ''':1A ''mode:' || {m} || ''':1A ''rights:' || {r} || ''':1A')::tsvector"

# The same vector in SQL, from the three fields' tokens (``segment_document``) and the listing's
# field, mode and rights, for set-based indexing.
TEXTS_SQL = (
    f"setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE({{t}}, '')), 'A') || "
    f"setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE({{s}}, '')), 'B') || "
    f"setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE({{h}}, '')), 'C')"
)
VECTOR_SQL = TEXTS_SQL + " || " + FILTERS_SQL


# ``vector_binary`` writes the vector ``TEXTS_SQL`` makes only of texts whose words PostgreSQL's
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


_WEIGHT_BITS = {"A": 3 << 14, "B": 2 << 14, "C": 1 << 14}  # a position's weight (WordEntryPos)


def vector_binary(*, title: str, summary: str, holder: str) -> bytes | None:
    """``TEXTS_SQL`` of these texts' tokens (``VECTOR_SQL`` without the filters) in tsvector's
    binary form (what ``tsvectorsend`` writes and a binary ``COPY`` reads), so that a bulk
    writer's insert neither runs the text parser three times a row nor parses a vector's text
    (#17.5); None where only PostgreSQL can tell (see ``_UNSURE_TEXT``, and more than 16,000
    tokens or 250 repeats of one lexeme, past which PostgreSQL drops positions).

    The same vector, entry for entry: one lexeme per token of ``_document_tokens`` (the
    ``simple`` dictionary only lower-cases, and lower-casing these texts never changes their
    tokens), positions numbered from 1 through title, summary and holder (each ``to_tsvector``
    numbers its words from 1 and ``||`` shifts the right side by the left side's last position),
    weights A, B and C. The binary form is the finished vector, which PostgreSQL takes as it
    comes: the lexemes sorted as it sorts them (by their bytes, a shorter one first: UTF-8
    keeps the code points' order, which is Python's) and each once, with its positions in order.
    ``tests/listings/test_search.py`` compares the two over every Chinese character and a corpus
    of words; ``listings.services.bulk`` checks the database agrees before using it."""
    positions: dict[str, list[int]] = {}
    n = 0
    for text, weight in ((title, "A"), (summary, "B"), (holder, "C")):
        if not text:
            continue
        if _UNSURE_TEXT.search(text):
            return None
        tokens = _document_tokens(text.lower())
        if n + len(tokens) > _MAX_TOKENS:
            return None
        bits = _WEIGHT_BITS[weight]  # in the position's top two bits: adding it sets them
        for position, token in enumerate(tokens, n + 1 + bits):
            if token in positions:
                positions[token].append(position)
            else:
                positions[token] = [position]
        n += len(tokens)
    parts = [_INT32.pack(len(positions))]
    for lexeme in sorted(positions):
        at = positions[lexeme]
        parts.append(lexeme.encode())
        if len(at) == 1:  # most lexemes: NUL, one position, the position
            parts.append(_ONE_POSITION.pack(0, 1, at[0]))
            continue
        if len(at) > _MAX_REPEATS:
            return None
        parts += (_NUL_COUNT.pack(0, len(at)), _POSITIONS(len(at)).pack(*at))
    return b"".join(parts)


_INT32 = struct.Struct("!i")
_NUL_COUNT = struct.Struct("!BH")  # the lexeme's terminating NUL, then its count of positions
_ONE_POSITION = struct.Struct("!BHH")  # the NUL, a count of 1 and the one position


@functools.cache
def _POSITIONS(count: int) -> struct.Struct:  # noqa: N802 (a Struct per count, made once)
    return struct.Struct(f"!{count}H")


def search_vector(
    *, title: str, summary: str, holder: str, field: Any, mode: Any, rights: Any
) -> CombinedExpression:
    """The expression stored in ``Listing.search_vector``: title weighs most, then summary, holder;
    then the filter lexemes (``field``, ``mode``, ``rights``: values, or expressions such as
    ``F("mode")`` for an update of several listings)."""
    return CombinedExpression(
        SearchVector(Value(segment_document(title)), config=CONFIG, weight="A")
        + SearchVector(Value(segment_document(summary)), config=CONFIG, weight="B")
        + SearchVector(Value(segment_document(holder)), config=CONFIG, weight="C"),
        "||",
        _FilterLexemes(_expression(field), _expression(mode), _expression(rights)),
        output_field=SearchVectorField(),
    )


class _FilterLexemes(Func):
    """``FILTERS_SQL`` of three expressions (field, mode, rights): the one writing of the filters'
    lexemes, for the single-listing services as for the bulk writer's SQL."""

    output_field = SearchVectorField()

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> Any:
        sqls, params = [], []
        for expression in self.get_source_expressions():
            sql, more = compiler.compile(expression)
            sqls.append(f"({sql})")
            params += more
        field, mode, rights = sqls  # FILTERS_SQL names them in this order
        return FILTERS_SQL.format(f=field, m=mode, r=rights), tuple(params)


def _expression(value: Any) -> Any:
    return value if hasattr(value, "resolve_expression") else Value(str(value))


# Matching ----------------------------------------------------------------------------------------
#
# A match is either a probe (the GIN index finds every matching listing, which are then sorted:
# cheap when they are few) or a walk (the order's b-tree index read from the top, each listing's
# vector checked until the page is full: cheap when many match). PostgreSQL cannot tell which: it
# multiplies the pairs of a word as if independent (锂电 and 电池 are not), so it underestimates
# and sorts tens of thousands of matches, or it walks a million listings for a few. ``Match.walk``
# decides from the column's statistics (``pg_stats``: each lexeme's share of the listings), a
# word's share being that of its rarest token, and the form of the condition makes the plan: the
# walk's condition is one that no index serves.

TABLE = '"listings_listing"."search_vector"'
TITLE_SQL = "ts_filter({v}, '{{a}}')"  # the title's lexemes (and the filters'): the title tier
TITLE_INDEX = "listing_title_gin"
PAGE_ROWS = 21  # a page of the default size and the row that tells a next page exists
PROBE_LIMIT = 2000  # matches a probe fetches at most before it leaves the page to a walk


@dataclass(frozen=True)
class Match:
    """A catalogue query: jieba's words as their tokens (all of a word's must occur), and the
    filters' lexemes, which must occur too."""

    words: tuple[tuple[str, ...], ...]
    lexemes: tuple[str, ...] = ()
    # the words as the estimate counts them: a one-character word next to another is a piece of
    # a word jieba does not know (石墨|烯, 钛|矿), as often as the word itself, not independent
    units: tuple[tuple[str, ...], ...] = ()

    def tsquery(self) -> tuple[str, list[str]]:
        """SQL for the tsquery and its parameters."""
        text = " ".join(t for word in self.words for t in word)
        sql = f"plainto_tsquery('{CONFIG}'::regconfig, %s)"
        params = [text]
        if self.lexemes:
            sql = f"({sql} && %s::tsquery)"
            params.append(" & ".join(_quoted(lexeme) for lexeme in self.lexemes))
        return sql, params

    def title_tsquery(self) -> str | None:
        """The query as tsquery text with every lexeme restricted to weight A (``'茶叶':A &
        'field:agriculture':A``): the whole vector matches it exactly where its weight-A part
        (``TITLE_SQL``) matches the query, without ``ts_filter`` copying each row's vector first
        (a walk of the title tier checked a row in ~3 us instead of ~9 at 1,000,000 listings).
        The tokens are taken as the lexemes, as ``plainto_tsquery`` under ``simple`` makes them
        (lower-cased); None when one is a text only PostgreSQL's parser can tell (``_UNSURE_TEXT``)."""
        tokens = [token.lower() for word in self.words for token in word]
        if any(_UNSURE_TEXT.search(token) for token in tokens):
            return None
        return " & ".join(f"{_quoted(lexeme)}:A" for lexeme in dict.fromkeys([*tokens, *self.lexemes]))

    def condition(self, *, title: bool = False, walk: bool = False) -> RawSQL:
        """The whole vector (with ``title``, its weight-A part) matches: as the GIN index's
        condition, or with ``walk`` as one that only a check of each row serves."""
        weighted = self.title_tsquery() if title and walk else None
        if weighted is not None:
            return RawSQL(f"ts_match_vq({TABLE}, %s::tsquery)", [weighted], output_field=BooleanField())
        vector = TITLE_SQL.format(v=TABLE) if title else TABLE
        query, params = self.tsquery()
        if walk:
            # ``@@`` as its function: no index matches it, and PostgreSQL guesses a third of the
            # rows for a function (for ``@@`` on an expression it guessed 0.5%, so it read the
            # whole table and sorted rather than walk an index for a few rows)
            return RawSQL(f"ts_match_vq({vector}, {query})", params, output_field=BooleanField())
        return RawSQL(f"{vector} @@ {query}", params, output_field=BooleanField())

    def where(
        self, *, title: bool = False, share: float | None = None, sortable: bool = True
    ) -> tuple[RawSQL, bool]:
        """The condition a page of these matches reads by, and whether it walks: the walk's
        where the statistics say many match; else the ids of every match (``probe``), or the
        walk after all when the probe finds more than ``PROBE_LIMIT`` (the words or the filters
        go together more than independent ones would: 工业|机器人, 茶叶 in field:agriculture).
        A page of ids is to be sorted, not walked: by an order no index serves (``sortable``,
        ``listings.selectors``), or else (the sync order, which ``core.sync`` sets) by the ids
        said so that PostgreSQL expects a handful."""
        if not self.walk(title=title, share=share):
            ids = self.probe(title=title)
            if ids is not None:
                if sortable:
                    ids_sql = '"listings_listing"."id" = ANY(%s::bigint[])'
                    return RawSQL(ids_sql, [ids], output_field=BooleanField()), False
                # The match again, on an expression (true for each of the ids) for which
                # PostgreSQL guesses 0.5% of the rows: it then fetches the ids rather than walk
                # the order's index in parallel workers for them. Left to itself with the GIN
                # condition it guessed a few thousand where none match (电池 in
                # field:environment) and walked a million rows.
                vector = TITLE_SQL.format(v=TABLE) if title else TABLE
                query, params = self.tsquery()
                ids_sql = f'"listings_listing"."id" = ANY(%s::bigint[]) AND COALESCE({vector}, \'\'::tsvector) @@ {query}'
                return RawSQL(ids_sql, [ids, *params], output_field=BooleanField()), False
        return self.condition(title=title, walk=True), True

    def probe(self, *, title: bool = False) -> str | None:
        """The ids of every listing (any status) that matches, by the GIN index, as PostgreSQL's
        text of an array (``{3,17,42}``), which the page's condition sends back as it came; None
        when there are more than ``PROBE_LIMIT``. Not as rows: 2,000 ids made into Python ints
        and adapted back into the page's SQL cost ~2 ms of the request at 1,000,000 listings."""
        vector = TITLE_SQL.format(v="search_vector") if title else "search_vector"
        query, params = self.tsquery()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(array_agg(id), '{}')::text FROM"
                f" (SELECT id FROM listings_listing WHERE {vector} @@ {query} LIMIT {PROBE_LIMIT + 1}) AS probed",
                params,
            )
            ids: str = cursor.fetchone()[0]
        count = ids.count(",") + 1 if ids != "{}" else 0  # an id's text has no comma
        return None if count > PROBE_LIMIT else ids

    def share(self, *, title: bool = False) -> float | None:
        """The estimated share of listings that match (None without statistics): a word as its
        rarest token (its pairs go together), words (``units``) and filters as independent."""
        stats = _statistics(TITLE_INDEX if title else "listings_listing")
        if stats is None:
            return None
        freqs, floor = stats
        share = 1.0
        for word in self.units or self.words:
            share *= min(freqs.get(t.lower(), floor) for t in word)
        for lexeme in self.lexemes:
            share *= freqs.get(lexeme, floor)
        return share

    def walk(self, *, title: bool = False, share: float | None = None) -> bool:
        """Whether walking the order's index beats probing the GIN index: the walk reads about
        ``PAGE_ROWS / share`` listings, the probe fetches ``rows * share``."""
        if share is None:
            share = self.share(title=title)
        rows = _rows()
        if share is None or not rows:
            return False
        return share * share * rows >= PAGE_ROWS


def _quoted(lexeme: str) -> str:
    """A lexeme as tsquery text (the filters' values are choices; quoted all the same)."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


_STATS_TTL = 300.0
_stats_cache: dict[str, tuple[float, Any]] = {}


def _cached(key: str, load: Any) -> Any:
    now = time.monotonic()
    hit = _stats_cache.get(key)
    if hit is None or now - hit[0] > _STATS_TTL:
        hit = _stats_cache[key] = (now, load())
    return hit[1]


def forget_statistics() -> None:
    """Read ``pg_stats`` afresh on next use (after an ANALYZE; tests)."""
    _stats_cache.clear()


def _statistics(table: str) -> tuple[dict[str, float], float] | None:
    def load() -> tuple[dict[str, float], float] | None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats"
                " WHERE schemaname = current_schema() AND tablename = %s"
                " AND most_common_elems IS NOT NULL LIMIT 1",
                [table],
            )
            row = cursor.fetchone()
        if row is None:
            return None
        elems, freqs = row
        # after the elements' frequencies come the least and the greatest, and the null share
        floor = freqs[len(elems)] / 2 if len(freqs) > len(elems) else 0.0
        return dict(zip(elems, freqs, strict=False)), floor

    return _cached(table, load)


def _rows() -> float:
    def load() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'listings_listing'::regclass")
            row = cursor.fetchone()
        return max(float(row[0]), 0.0) if row else 0.0

    return _cached("rows", load)


def search_match(text: str, **filters: str | None) -> Match | None:
    """Every word of the query must occur (AND), and each given filter's lexeme; None when the
    query has no searchable word."""
    cut = list(tokenizer().cut(text or "", HMM=False))
    words = [w.strip() for w in cut if _word(w)]
    telling = [w for w in words if w not in STOPWORDS]
    grouped = [g for g in (tuple(_query_tokens(w)) for w in (telling or words)) if g]
    if not grouped:
        return None
    units: list[tuple[str, ...]] = []
    previous = ""
    for piece in cut:
        tokens = tuple(_query_tokens(piece.strip())) if piece in (telling or words) else ()
        if tokens and units and previous and (len(piece) == 1 or len(previous) == 1):
            units[-1] += tokens  # a piece of the word before it (no separator between)
        elif tokens:
            units.append(tokens)
        previous = piece if tokens else ""
    return Match(
        words=tuple(dict.fromkeys(grouped)),
        lexemes=tuple(filter_lexemes(**filters)),
        units=tuple(units),
    )


def search_query(text: str) -> SearchQuery | None:
    """Every word of the query must occur (AND); None when the query has no searchable word."""
    words = segment_query(text)
    if not words:
        return None
    return SearchQuery(words, config=CONFIG, search_type="plain")
