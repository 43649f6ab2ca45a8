"""The bulk writer writes exactly the segments Whoosh's own writer writes, through adds, deletes and merges.

Both writers use :class:`BulkCodec` (small blocks uncompressed, arrays and packed values) so the
postings files can be compared byte for byte; the stock reader reads both, and reads the same
postings as from a segment of the stock codec.
"""

import random
from datetime import datetime

import pytest
from whoosh import index
from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher
from whoosh.writing import SegmentWriter

from search.formats import PackedValues
from search.merge import merge_tiers
from search.whoosh_internals import BulkCodec, BulkWriter
from tests.search.helpers import substring_docs

PHRASES = [
    "东浦街道迪荡新城开展水质监测",
    "北海街道党工委召开会议，越城区搭好“五星”台",
    "府山街道组织志愿者走访独居老人",
    "ＡＢＣ全角字母与123数字",
    "水",
    "垃圾分类进社区，文明新风入人心",
    "越城区 柯城区 府山街道",
    "e-mail: test@example.com",
]


def schema():
    from search.engine.whoosh_engine import schema as engine_schema

    return engine_schema()


def make_doc(i: int, rng: random.Random) -> dict:
    body = "。".join(rng.choice(PHRASES) for _ in range(rng.randint(1, 12)))
    doc = {
        "id": f"archive.article.{i}",
        "django_ct": "archive.article",
        "django_id": str(i),
        "text": f"第{i}篇\n\n{body}",
        "text__ng": f"第{i}篇\n\n{body}",
        "title": f"第{i}篇 {rng.choice(PHRASES)}",
        "title__ng": f"第{i}篇 {rng.choice(PHRASES)}",
        "district": ",".join(rng.sample(["330602", "330802", "330603"], rng.randint(0, 2))),
        "year": str(rng.choice([2017, 2018, 2019])),
    }
    if rng.random() < 0.8:
        day = datetime(2018, rng.randint(1, 12), rng.randint(1, 28))
        number = int(day.strftime("%Y%m%d"))
        doc.update(published=day, published__asc=number, published__desc=number)
    if rng.random() < 0.7:
        doc.update(source="越城发布", source_exact="越城发布")
    return {k: v for k, v in doc.items() if v != ""}


def build(path, writer_class, batches, deletions, codec=BulkCodec, **options):
    """Commit ``batches`` of documents, deleting some ids after each, merging with our policy."""
    ix = index.create_in(path, schema())
    for batch, gone in zip(batches, deletions, strict=True):
        writer = writer_class(ix, codec=codec(), **options)
        for doc in batch:
            writer.add_document(**doc)
        for doc_id in gone:
            writer.delete_by_term("id", doc_id)
        writer.commit(mergetype=merge_tiers)
    return index.open_dir(path)


def contents(ix) -> list:
    """Everything a search can read, segment by segment."""
    out = []
    for segment in ix._segments():
        from whoosh.reading import SegmentReader

        reader = SegmentReader(ix.storage, ix.schema, segment)
        try:
            count = reader.doc_count_all()
            seg = {"docs": count, "deleted": [d for d in range(count) if reader.is_deleted(d)]}
            seg["stored"] = [reader.stored_fields(d) for d in range(reader.doc_count_all())]
            seg["lengths"] = {
                name: [reader.doc_field_length(d, name) for d in range(reader.doc_count_all())]
                for name in ix.schema.scorable_names()
            }
            terms = []
            for (fieldname, tbytes), info in reader._terms.items():
                matcher = reader.postings(fieldname, tbytes)
                postings = []
                while matcher.is_active():
                    postings.append((matcher.id(), matcher.weight(), matcher.value()))
                    matcher.next()
                stats = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(), info.max_weight())
                terms.append((fieldname, tbytes, stats, (info.min_id(), info.max_id()), postings))
            seg["terms"] = terms
            seg["postings_bytes"] = reader._terms._postfile.read()
            columns = {}
            for name in ix.schema.names():
                field = ix.schema[name]
                if field.column_type and reader.has_column(name):
                    columns[name] = list(reader.column_reader(name, translate=False))
            seg["columns"] = columns
        finally:
            reader.close()
        out.append(seg)
    return out


def history(seed):
    """260 documents in 14 commits of varied sizes (merges start at the 12th), with a few deletions."""
    rng = random.Random(seed)
    docs = [make_doc(i, rng) for i in range(260)]
    sizes = [30, 1, 25, 40, 2, 18, 22, 3, 35, 20, 14, 16, 4, 30]
    batches, start = [], 0
    for size in sizes:
        batches.append(docs[start : start + size])
        start += size
    deletions = [[] if k % 3 else [docs[rng.randrange(start)]["id"] for _ in range(3)] for k in range(len(sizes))]
    return batches, deletions


@pytest.mark.parametrize("seed", [1, 2])
def test_same_segments_as_whoosh_writer(tmp_path, seed):
    batches, deletions = history(seed)
    sizes = [len(batch) for batch in batches]
    (tmp_path / "stock").mkdir()
    (tmp_path / "bulk").mkdir()
    stock = build(tmp_path / "stock", SegmentWriter, batches, deletions)
    bulk = build(tmp_path / "bulk", BulkWriter, batches, deletions)
    assert len(stock._segments()) < len(sizes)  # merges happened
    assert all(type(segment.codec()) is W3Codec for segment in bulk._segments())
    expected, got = contents(stock), contents(bulk)
    assert [s["docs"] for s in got] == [s["docs"] for s in expected]
    for mine, theirs in zip(got, expected, strict=True):
        assert mine["stored"] == theirs["stored"]
        assert mine["lengths"] == theirs["lengths"]
        assert mine["columns"] == theirs["columns"]
        assert [t[:2] for t in mine["terms"]] == [t[:2] for t in theirs["terms"]]
        assert mine["terms"] == theirs["terms"]
        assert mine["postings_bytes"] == theirs["postings_bytes"]  # byte for byte: same blocks


def test_stock_whoosh_reads_our_blocks_as_its_own(tmp_path):
    """Whoosh's writer with its own codec (tuples, protocol 2) and ours (arrays, packed values,
    protocol 5): the stock block reader reads the same postings, weights and values from both."""
    batches, deletions = history(4)
    (tmp_path / "stock").mkdir()
    (tmp_path / "bulk").mkdir()
    stock = build(tmp_path / "stock", SegmentWriter, batches, deletions, codec=W3Codec)
    bulk = build(tmp_path / "bulk", BulkWriter, batches, deletions)
    expected, got = contents(stock), contents(bulk)
    for mine, theirs in zip(got, expected, strict=True):
        assert mine["terms"] == theirs["terms"] and mine["stored"] == theirs["stored"]
    kinds = set()
    with bulk.reader() as reader:
        for segment_reader, _ in reader.leaf_readers():
            for tbytes in segment_reader.lexicon("text__ng"):
                info = segment_reader.term_info("text__ng", tbytes)
                if not info.is_inlined():
                    offset, length = info.extent()
                    matcher = W3LeafMatcher(
                        segment_reader._terms._postfile, offset, length, bulk.schema["text__ng"].format
                    )
                    matcher._read_data()
                    kinds.add(type(matcher._data[2]))
                    assert not matcher._compression  # the n-gram field's blocks are never compressed
    assert kinds == {PackedValues, tuple}  # big blocks packed, small ones as Whoosh writes them


def test_bulk_written_index_answers_searches(tmp_path):
    rng = random.Random(3)
    docs = [make_doc(i, rng) for i in range(50)]
    (tmp_path / "bulk").mkdir()
    ix = build(tmp_path / "bulk", BulkWriter, [docs[:20], docs[20:]], [[], [docs[0]["id"]]])
    expected = {d["id"] for d in docs[1:] if "东浦街道" in d["text"]}
    with ix.searcher() as s:
        found = {s.stored_fields(n)["id"] for n in substring_docs(s, "text__ng", "东浦街道")}
    assert found == expected and expected


def logical(ix) -> dict:
    """What the index says about each document, whatever segment it is in: by the stored id."""
    out = {"terms": {}, "stored": {}, "lengths": {}}
    with ix.searcher() as searcher:
        reader = searcher.reader()
        live = {n: reader.stored_fields(n)["id"] for n in reader.all_doc_ids()}
        for docnum, doc_id in live.items():
            out["stored"][doc_id] = reader.stored_fields(docnum)
            out["lengths"][doc_id] = [reader.doc_field_length(docnum, name) for name in ix.schema.scorable_names()]
        for fieldname, tbytes in reader.all_terms():
            matcher = reader.postings(fieldname, tbytes)
            postings = []
            while matcher.is_active():
                if matcher.id() in live:
                    postings.append((live[matcher.id()], matcher.weight(), matcher.value()))
                matcher.next()
            if postings:
                out["terms"][(fieldname, tbytes)] = sorted(postings)
    return out


def test_parallel_commits_index_the_same_documents(tmp_path, monkeypatch):
    """With procs=2 each large commit is split between this process and a forked one."""
    import search.whoosh_internals as whoosh_internals

    monkeypatch.setattr(whoosh_internals, "PARALLEL_MIN_DOCS", 10)
    splits = []

    def recorded(segments, parts):
        groups = whoosh_internals.split_merge.__wrapped__(segments, parts)
        splits.append([len(group) for group in groups])
        return groups

    recorded.__wrapped__ = whoosh_internals.split_merge
    monkeypatch.setattr(whoosh_internals, "split_merge", recorded)
    batches, deletions = history(4)
    (tmp_path / "stock").mkdir()
    (tmp_path / "parallel").mkdir()
    stock = build(tmp_path / "stock", SegmentWriter, batches, deletions)
    parallel = build(tmp_path / "parallel", BulkWriter, batches, deletions, procs=2)
    # Commits of 10+ documents gave two segments each, so the parallel index merged differently.
    assert [s.doc_count_all() for s in parallel._segments()] != [s.doc_count_all() for s in stock._segments()]
    expected, got = logical(stock), logical(parallel)
    assert got["stored"] == expected["stored"] and len(got["stored"]) > 200
    assert got["lengths"] == expected["lengths"]
    assert got["terms"].keys() == expected["terms"].keys()
    assert got["terms"] == expected["terms"]
    # Merges happened in parallel commits, each split between the two processes.
    assert splits and all(len(groups) == 2 and min(groups) >= 1 for groups in splits)


def test_failed_child_fails_the_commit_and_keeps_the_index(tmp_path, monkeypatch):
    import search.whoosh_internals as whoosh_internals

    monkeypatch.setattr(whoosh_internals, "PARALLEL_MIN_DOCS", 2)
    rng = random.Random(5)
    docs = [make_doc(i, rng) for i in range(6)]
    (tmp_path / "ix").mkdir()
    ix = build(tmp_path / "ix", BulkWriter, [docs[:3]], [[]], procs=2)
    bad = dict(docs[4], nosuchfield="x")  # the child's share (every second document) holds a bad one
    writer = BulkWriter(ix, procs=2)
    for doc in (docs[3], bad, docs[5]):
        writer.add_document(**doc)
    with pytest.raises(RuntimeError, match="nosuchfield"):
        writer.commit()
    ix = index.open_dir(tmp_path / "ix")
    with ix.searcher() as s:
        assert sorted(f["id"] for f in s.all_stored_fields()) == sorted(d["id"] for d in docs[:3])
    writer = BulkWriter(ix, procs=2)  # the lock was released
    writer.add_document(**docs[3])
    writer.commit()
