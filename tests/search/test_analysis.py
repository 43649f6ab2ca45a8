"""Tests for search.analysis: segmentation with the gazetteer, and exact substring recall in a real Whoosh index."""

from __future__ import annotations

import ast
import random

import pytest
from whoosh import index
from whoosh.fields import ID, TEXT, Schema

from archive.ingest.synthetic import SEED, generate_dump_records
from search.analysis import (
    ChineseAnalyzer,
    NgramAnalyzer,
    Segmenter,
    chunks,
    fold,
    get_segmenter,
)
from search.userdict import gazetteer_names, user_dict_words
from tests.search.helpers import substring_docs

# Hand-written documents for the cases the issue names, beside the seed and synthetic articles.
EXTRA_DOCS = [
    ("水质监测", "东浦街道迪荡新城开展水质监测。"),
    ("北海街道党工委", "北海街道党工委召开会议，越城区搭好“五星”台。"),
    ("数字", "2018年345社区有 YuechengZG 账号，ＡＢＣ全角。哈哈哈哈"),
    ("空白", "这里只有标点：，。！"),
]


def _split(record: str) -> tuple[str, str]:
    text = ast.literal_eval(record[len("text:") :])
    title, _, body = text.partition("\n")
    return title, body


def _corpus() -> list[tuple[str, str, str]]:
    docs = [_split(SEED.read_text(encoding="utf-8").strip())]
    places = [
        ("越城区", "北海街道", "西湖社区"),
        ("越城区", "东浦街道", "东浦社区"),
        ("越城区", "迪荡街道", "迪荡社区"),
        ("上城区", "望江街道", "近江社区"),
    ]
    docs += [_split(r) for r in generate_dump_records(6, seed=3, places=places)]
    docs += EXTRA_DOCS
    return [(str(i), title, body) for i, (title, body) in enumerate(docs)]


CORPUS = _corpus()


def _words(text: str, mode: str = "index") -> list[str]:
    return [t.text for t in ChineseAnalyzer()(text, mode=mode)]


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    schema = Schema(
        id=ID(stored=True, unique=True),
        words=TEXT(analyzer=ChineseAnalyzer()),
        ngrams=TEXT(analyzer=NgramAnalyzer(), phrase=True),
    )
    ix = index.create_in(str(tmp_path_factory.mktemp("whoosh")), schema)
    with ix.writer() as writer:
        for doc_id, title, body in CORPUS:
            # One field for title and body, as a Haystack document template renders it: the newline
            # between them is a separator, so no n-gram spans the two.
            text = f"{title}\n{body}"
            writer.add_document(id=doc_id, words=text, ngrams=text)
    return ix


def _found(ix, query: str) -> set[str]:
    """The ids of the documents whose n-grams hold ``query`` (each chunk of it)."""
    with ix.searcher() as searcher:
        return {searcher.stored_fields(d)["id"] for d in substring_docs(searcher, "ngrams", query)}


def _expected(query: str) -> set[str]:
    """Return the ids of documents containing every chunk of ``query``, by a plain substring scan."""
    chunks = substring_chunks(query)
    return {
        doc_id for doc_id, title, body in CORPUS if chunks and all(c in fold(title) or c in fold(body) for c in chunks)
    }


def substring_chunks(query: str) -> list[str]:
    import re

    return re.findall(r"[^\W_]+", fold(query))


def _sample_queries(count: int = 1000) -> list[str]:
    rng = random.Random(0)
    queries = []
    while len(queries) < count:
        _, title, body = rng.choice(CORPUS)
        text = f"{title}\n{body}"
        start = rng.randrange(len(text))
        query = text[start : start + rng.randint(1, 8)]
        if query.strip():
            queries.append(query)
    return queries


QUERIES = _sample_queries()


def test_recall_single_chunk_queries_match_a_plain_substring_scan(ix):
    # Queries that are one run of letters/digits: the set must equal `q in title or q in body` exactly.
    runs = [q for q in QUERIES if substring_chunks(q) == [fold(q)]]
    assert len(runs) >= 400
    cross_word = [q for q in runs if len(q) > 1 and fold(q) not in set(_words(q, "query"))]
    assert len(cross_word) >= 100, "the sample should hold many substrings that are not one jieba word"
    misses, extras = [], []
    for q in runs:
        expected = {d for d, title, body in CORPUS if fold(q) in fold(title) or fold(q) in fold(body)}
        found = _found(ix, q)
        misses += [(q, d) for d in expected - found]
        extras += [(q, d) for d in found - expected]
    assert not misses
    assert not extras


def test_recall_queries_with_separators_need_every_chunk(ix):
    # Queries holding punctuation, spaces or newlines: every chunk must occur (an AND of substrings).
    mixed = [q for q in QUERIES if substring_chunks(q) != [fold(q)]]
    assert mixed
    for q in mixed:
        assert _found(ix, q) == _expected(q), q


@pytest.mark.parametrize(
    ("query", "doc_title"),
    [
        ("水", "水质监测"),
        ("街道党", "北海街道党工委"),
        ("区搭", "北海街道党工委"),
        ("8年345社", "数字"),
        ("echengz", "数字"),  # inside an ASCII word, case folded
        ("abc", "数字"),  # full-width ＡＢＣ folds to abc
        ("哈哈哈", "数字"),  # repeated bigrams in one phrase
    ],
)
def test_named_substrings_are_found(ix, query, doc_title):
    ids = {d for d, title, _ in CORPUS if title == doc_title}
    found = _found(ix, query)
    assert ids <= found
    assert found == _expected(query)


def test_substring_is_exact_not_just_all_bigrams(ix):
    # 党工 and 工委 both occur, but 委党 does not: a phrase must not match scattered bigrams.
    assert _found(ix, "党工委党") == _expected("党工委党")


@pytest.mark.parametrize(
    "query",
    [
        "东浦 街道",
        "东浦\u3000街道",
        "东浦，街道！",
        "“五星”",
        "东浦\x00\x1f\x7f街道\ud800",
        "\t\r\n",
        "，。！",
        "",
        "街道" * 1000,
        "".join(chr(c) for c in range(0, 0x3100, 7))[:2000],
    ],
)
def test_odd_queries_do_not_crash(ix, query):
    found = _found(ix, query)
    assert found == _expected(query)
    _words(query, "query")


def test_spaces_split_a_query_into_terms():
    assert chunks("东浦 街道") == chunks("东浦\u3000街道") == ["东浦", "街道"]
    assert chunks(" ，\u3000") == []


def test_words_field_finds_whole_words(ix):
    from whoosh.query import Term

    with ix.searcher() as searcher:
        found = {hit["id"] for hit in searcher.search(Term("words", "东浦街道"), limit=None)}
    assert found == _expected("东浦街道")


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("东浦街道迪荡新城开展水质监测", "东浦街道"),
        ("东浦街道迪荡新城开展水质监测", "迪荡"),
        ("越城区搭好五星台", "越城区"),
        ("他在府山街道越都社区", "府山街道"),
        ("上城区望江街道近江社区", "上城区"),
    ],
)
def test_gazetteer_names_stay_whole(text, word):
    assert word in _words(text, "query")


def test_user_dict_makes_names_one_token():
    text = "上城区府山街道"
    plain = Segmenter(user_words=[])
    assert [w for w, _, _ in plain.words(text)] != ["上城区", "府山街道"]
    with_names = Segmenter(user_words=user_dict_words([("上城区", "district"), ("府山街道", "street")]))
    assert [w for w, _, _ in with_names.words(text)] == ["上城区", "府山街道"]
    assert [w for w, _, _ in get_segmenter().words("越城区")] == ["越城区"]


def test_index_side_adds_words_inside_long_words():
    tokens = [(t.text, t.pos) for t in ChineseAnalyzer()("北海街道党工委", positions=True)]
    assert ("北海街道", 0) in tokens and ("街道", 0) in tokens and ("党工委", 1) in tokens


def test_ngram_positions_are_character_offsets():
    tokens = [(t.text, t.pos, t.startchar) for t in NgramAnalyzer()("越城 a1", positions=True, chars=True)]
    assert tokens == [("越", 0, 0), ("越城", 0, 0), ("城", 1, 1), ("a", 3, 3), ("a1", 3, 3), ("1", 4, 4)]


def test_user_dict_words_from_names():
    words = user_dict_words(["越城区", ("东浦街道", "street"), "市辖区", ("迪荡街道", "street"), "县"])
    assert words == ["越城区", "越城", "东浦街道", "东浦", "迪荡街道", "迪荡"]
    assert all(len(w) >= 2 for w in user_dict_words(gazetteer_names()))


def test_gazetteer_names_read_the_csvs():
    names = dict(gazetteer_names())
    assert names["越城区"] == "district"
    assert names["东浦街道"] == "street"
    assert "浙江省" in names
