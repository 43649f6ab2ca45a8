"""Exact substrings by set intersection and positions, against Whoosh's own phrase, on many segments."""

import random

import pytest
from whoosh import index
from whoosh.fields import ID, TEXT, Schema
from whoosh.query import Phrase, Term

from search.analysis import NgramAnalyzer
from search.substring import _cover
from tests.search.helpers import substring_docs

TEXTS = [
    "东浦街道迪荡新城开展水质监测。",
    "北海街道党工委召开会议，越城区搭好“五星”台。",
    "东浦 街道 分开写",
    "街道东浦，浦街道东",
    "水",
    "今年以来今年以来",
]


def make_index(path):
    ix = index.create_in(path, Schema(id=ID(stored=True), ng=TEXT(analyzer=NgramAnalyzer(), phrase=True)))
    for start in range(0, len(TEXTS), 2):  # three commits: three segments
        writer = ix.writer()
        for i in range(start, min(start + 2, len(TEXTS))):
            writer.add_document(id=str(i), ng=TEXTS[i])
        writer.commit(merge=False)
    return ix


def ids(searcher, query):
    """Ids of a Whoosh query's matches (the reference: Whoosh's own matchers)."""
    return sorted(int(searcher.stored_fields(d)["id"]) for d in searcher.docs_for_query(query))


def substring_ids(searcher, fieldname, text):
    return sorted(int(searcher.stored_fields(d)["id"]) for d in substring_docs(searcher, fieldname, text))


def test_cover_pins_every_character():
    assert _cover("东浦街道") == [(0, "东浦"), (2, "街道")]
    assert _cover("东浦街道办") == [(0, "东浦"), (2, "街道"), (3, "道办")]


def test_substring_equals_phrase_and_a_scan(tmp_path):
    ix = make_index(tmp_path)
    assert len(ix._segments()) == 3
    with ix.searcher() as s:
        for text in ("东浦街道", "浦街道东", "街道", "水", "城区搭好", "今年以来今", "以来今年以来", "星台"):
            expected = [i for i, t in enumerate(TEXTS) if text in t]
            assert substring_ids(s, "ng", text) == expected, text
            grams = [text[i : i + 2] for i in range(len(text) - 1)]
            if len(grams) > 1:
                assert ids(s, Phrase("ng", grams)) == expected, text
        # Separated by punctuation or a space, a query's chunks must each occur.
        assert substring_ids(s, "ng", "东浦 街道") == [0, 2, 3]
        assert substring_ids(s, "ng", "，。") == []
        assert ids(s, Term("ng", "水")) == [0, 4]


def test_merge_policy_keeps_few_segments_and_every_document(tmp_path):
    from search.merge import MAX_SEGMENTS, merge_tiers

    ix = index.create_in(tmp_path, Schema(id=ID(stored=True), ng=TEXT(analyzer=NgramAnalyzer(), phrase=True)))
    for i in range(40):  # forty one-document commits, as forty small ingest batches would
        writer = ix.writer()
        writer.add_document(id=str(i), ng=f"第{i}号 东浦街道")
        writer.commit(mergetype=merge_tiers)
        assert len(ix._segments()) <= MAX_SEGMENTS
    with ix.searcher() as s:
        assert len(substring_docs(s, "ng", "东浦街道")) == 40


def test_documents_holding_the_chunk_as_a_word_skip_the_position_check(tmp_path):
    """With a words field beside the n-grams, a word match counts without positions; the rest are checked."""
    from search.analysis import ChineseAnalyzer

    texts = [
        "越城区召开会议",  # 越城区 is a word here
        "越城 区域 发展",  # 越城 and 城区? no: 城区 is not next to 越城 in the text
        "东浦街道城区建设越城",  # 越城 and 城区 both occur, 越城区 does not
        "大越城区",  # a substring inside another cut
    ]
    schema = Schema(
        id=ID(stored=True), text=TEXT(analyzer=ChineseAnalyzer()), text__ng=TEXT(analyzer=NgramAnalyzer(), phrase=True)
    )
    ix = index.create_in(tmp_path, schema)
    writer = ix.writer()
    for i, text in enumerate(texts):
        writer.add_document(id=str(i), text=text, text__ng=text)
    writer.commit()
    with ix.searcher() as s:
        for query in ("越城区", "城区建设", "越城 区域", "区召开会议"):
            expected = [i for i, text in enumerate(texts) if all(part in text for part in query.split())]
            assert substring_ids(s, "text__ng", query) == expected, query
        assert substring_ids(s, "text__ng", "越城区") == [0, 3]


@pytest.mark.parametrize("block_limit", [100, None])
def test_positions_read_a_block_at_a_time_match_a_scan_in_long_and_packed_blocks(tmp_path, monkeypatch, block_limit):
    """The engine's own format and writer: blocks of 32+ postings are packed (positions read in one
    go), and an article past 65,536 characters stores wider positions (read a value at a time).
    With blocks of 100 postings a term spans several, and blocks without candidates are skipped."""
    from search import whoosh_internals

    if block_limit:
        monkeypatch.setattr(whoosh_internals, "BLOCK_LIMIT", block_limit)
    from search.docsets import arrays_for
    from search.engine import Document
    from search.engine.whoosh_engine import WhooshEngine
    from search.query import parse_query

    rng = random.Random(3)
    pieces = ["东浦", "街道", "浦街", "道东", "水质", "，", "东浦街道", "街道东浦"]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(3, 12))) for _ in range(1200)]
    texts[7] = "水" * 70_000 + "东浦街道办"  # positions beyond uint16
    texts[8] = "东浦" + "水" * 70_000 + "街道"  # the bigrams, but far apart
    engine = WhooshEngine(tmp_path)
    engine.index(Document(id=i + 1, title="", text=text, source="") for i, text in enumerate(texts))
    searcher = engine._searcher()
    arrays = arrays_for(searcher, engine)
    if block_limit:
        from search.postings import iter_blocks

        blocks = [len(ids) for r, _ in arrays.leaves for ids, _, _ in iter_blocks(r, "text__ng", "东浦")]
        assert len(blocks) > 3 and max(blocks) == block_limit
    found = {}
    for query in ("东浦街道", "浦街道东", "街道东浦街", "东浦街道办", "道东浦街道"):
        mask = engine._mask(arrays, parse_query(query).tree)
        found[query] = {int(searcher.stored_fields(d)["django_id"]) for d in mask.nonzero()[0]}
        assert found[query] == {i + 1 for i, text in enumerate(texts) if query in text}, query
    assert 8 in found["东浦街道"] and 9 not in found["东浦街道"] and len(found["东浦街道"]) > 32


def test_the_postings_cache_keeps_to_its_budget(tmp_path):
    from search.engine import Document, SearchRequest
    from search.engine.whoosh_engine import WhooshEngine
    from search.postings import CACHE_BYTES, segment_cache
    from search.query import parse_query

    try:
        engine = WhooshEngine(tmp_path, cache_mb=1)
        assert segment_cache.budget == 1024 * 1024
        rng = random.Random(5)
        texts = ["".join(chr(0x4E00 + rng.randrange(400)) for _ in range(300)) for _ in range(2000)]
        engine.index(Document(id=i + 1, title="", text=t, source="") for i, t in enumerate(texts))
        for text in texts[:40]:
            engine.search(SearchRequest(tree=parse_query(text[:3]).tree))
            assert segment_cache.used <= segment_cache.budget
    finally:
        segment_cache.budget = CACHE_BYTES
