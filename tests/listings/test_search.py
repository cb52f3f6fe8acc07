"""The bulk writers' shortcuts in ``listings.search`` make what the single-listing service makes.

``segment_document`` cuts texts with one regular expression; ``_reference_segment`` below is the
character loop it replaced, the definition. ``vector_binary`` makes the vector that ``TEXTS_SQL``
(PostgreSQL's parser, three times a row) makes of the same texts, in the binary form the bulk
writer copies (``listings.services.bulk``, whose staging it goes through here): compared here over
every Chinese character it accepts, every short word of letters, digits and ``e`` (the parser's
numbers), and random documents mixing them with punctuation, other scripts and long runs.
"""

from __future__ import annotations

import itertools
import random

import pytest
from django.db import connection

from listings import search
from listings.search import TEXTS_SQL, segment_document, vector_binary
from listings.services import bulk


def _reference_segment(*texts: str) -> str:
    """The cut made character by character: ``search._runs`` (the loop the query side still uses),
    then each Chinese run's characters and pairs."""
    tokens: list[str] = []
    for text in texts:
        for han, run in search._runs(text or ""):
            if han:
                tokens.append(run[0])
                for i in range(1, len(run)):
                    tokens += [run[i - 1 : i + 1], run[i]]
            else:
                tokens.append(run)
    return " ".join(tokens)


HAN = [chr(c) for lo, hi in ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF)) for c in range(lo, hi + 1)]
OTHER = list("aZ09eE_-.·，。、（）《》“” \t\n①²Ⅻ３ＡéßİſΣабв가あア한ไทย١٢") + [
    "\u200b",
    "\u3000",
    "\U00020000",
]


def _random_text(rng: random.Random, length: int, *, other: bool = True) -> str:
    pools = [HAN[:200], HAN, list("abcXYZ0123456789eE"), list(" ,.;-，。")] + [OTHER] * other
    return "".join(rng.choice(rng.choice(pools)) for _ in range(length))


def test_every_character_is_cut_as_the_character_loop_cuts_it():
    """Each code point alone, and between a Chinese and a Latin neighbour on either side."""
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        for text in (ch, f"中{ch}文", f"a{ch}b", f"中{ch}a{ch}{ch}1"):
            assert segment_document(text) == _reference_segment(text), hex(code)


def test_random_texts_are_cut_as_the_character_loop_cuts_them():
    rng = random.Random(17)
    for _ in range(20_000):
        texts = [_random_text(rng, rng.randint(0, 40)) for _ in range(rng.randint(1, 3))]
        assert segment_document(*texts) == _reference_segment(*texts)


def _database_vectors(docs: list[tuple[str, str, str]]) -> list[tuple[str | None, str]]:
    """(``vector_binary`` as PostgreSQL receives it, ``TEXTS_SQL``'s) for each (title, summary,
    holder): both staged as the bulk writer stages a batch (binary ``COPY``), the tokens beside
    the vector."""
    rows = [
        bulk._row(
            n,
            vector_binary(title=t, summary=s, holder=h),
            segment_document(t),
            segment_document(s),
            segment_document(h),
            None,
            "",
        )
        for n, (t, s, h) in enumerate(docs)
    ]
    bulk._stage(bulk._staged(rows, written=0, last_id=0))
    vector = TEXTS_SQL.format(t="x.t", s="x.s", h="x.h")
    with connection.cursor() as cur:
        cur.execute(f"SELECT x.vector::text, ({vector})::text FROM {bulk._TEXTS} x ORDER BY x.id")
        return cur.fetchall()


def _assert_same(docs: list[tuple[str, str, str]]) -> int:
    written = 0
    for doc, (mine, theirs) in zip(docs, _database_vectors(docs), strict=True):
        if mine is not None:
            assert mine == theirs, doc
            written += 1
    return written


@pytest.mark.django_db
def test_vector_binary_of_every_chinese_character_is_the_databases():
    """Each character alone (a run of one) and in runs (so each neighbouring pair), in all three
    fields; the characters it leaves to PostgreSQL are only those added after Unicode 3.0."""
    docs = [(" ".join(HAN[i : i + 300]), "".join(HAN[i : i + 300]), HAN[i]) for i in range(0, len(HAN), 300)]
    docs += [
        ("".join(HAN[i + 150 : i + 450]), " ".join(HAN[i + 150 : i + 450]), "")
        for i in range(0, len(HAN), 300)
    ]
    assert _assert_same(docs) > 0
    accepted = [ch for ch in HAN if vector_binary(title=ch, summary="", holder="") is not None]
    assert len(accepted) == (0x9FA5 - 0x4E00 + 1) + (0x4DB5 - 0x3400 + 1) + (0xFA2D - 0xF900 + 1)
    singles = [(ch, "", "") for ch in accepted]
    assert _assert_same(singles) == len(accepted)


@pytest.mark.django_db
def test_vector_binary_of_every_short_word_is_the_databases():
    """Letters, digits and e/E (the parser's numbers: ``1e5``) up to five characters, and upper
    case (``simple`` lower-cases)."""
    words = ["".join(p) for n in range(1, 6) for p in itertools.product("aZe0E19", repeat=n)]
    docs = [(" ".join(words[i : i + 400]), "", "") for i in range(0, len(words), 400)]
    docs += [(w, w, "基准" + w) for w in words[::37]]
    assert _assert_same(docs) > len(docs) // 3


@pytest.mark.django_db
def test_vector_binary_of_random_documents_is_the_databases():
    rng = random.Random(5)
    docs = [
        tuple(_random_text(rng, rng.choice([0, 1, 5, 30, 200]), other=i % 3 == 0) for _ in range(3))
        for i in range(3_000)
    ]
    # Long and repetitive ones, about PostgreSQL's limits (255 positions of a lexeme, 16,383 positions).
    docs += [("的" * n, "", "") for n in (120, 126, 127, 128, 250, 251, 256, 300)]
    docs += [("的", "的" * 200, "的 " * 60), ("a " * 250, "a", ""), ("", "", "x" * 100), ("", "", "x" * 101)]
    docs += [("技术" * 2000, "成果" * 2100, "大学")]  # 16,000 tokens
    assert _assert_same(docs) > len(docs) // 3


def test_vector_binary_leaves_to_the_database_what_it_cannot_be_sure_of():
    for title in ("x²", "①号", "ＡＢＣ", "İstanbul", "1e5", "v1e5x", "a" * 101, "鿿", "\u4db6", "的" * 251):
        assert vector_binary(title=title, summary="", holder="") is None, title
    assert vector_binary(title="", summary="", holder="") == b"\0\0\0\0"  # no lexemes
    assert vector_binary(title="1e", summary="e5", holder="a" * 100) is not None
