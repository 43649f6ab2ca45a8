"""The faster codec writes an index the stock Whoosh codec reads, with the same lengths and hits."""

from whoosh import index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import ID, TEXT, Schema
from whoosh.query import Phrase, Term

from search.analysis import NgramAnalyzer
from search.whoosh_codec import FastW3Codec

TEXTS = ["东浦街道迪荡新城开展水质监测。", "北海街道党工委召开会议，越城区搭好“五星”台。", "水"]


def build(path, codec):
    ix = index.create_in(path, Schema(id=ID(stored=True), ng=TEXT(analyzer=NgramAnalyzer(), phrase=True)))
    writer = ix.writer(codec=codec) if codec else ix.writer()
    for i, text in enumerate(TEXTS):
        writer.add_document(id=str(i), ng=text)
    writer.commit()
    return index.open_dir(path)


def test_same_index_as_the_default_codec(tmp_path):
    fast = build(tmp_path / "fast", FastW3Codec()) if (tmp_path / "fast").mkdir() is None else None
    plain = build(tmp_path / "plain", None) if (tmp_path / "plain").mkdir() is None else None
    assert type(fast._segments()[0].codec()) is W3Codec  # the table of contents names the stock codec
    with fast.searcher() as a, plain.searcher() as b:
        for query in (Term("ng", "水"), Phrase("ng", ["东浦", "浦街", "街道"]), Term("ng", "城区")):
            assert [h["id"] for h in a.search(query)] == [h["id"] for h in b.search(query)] != []
        for docnum in range(len(TEXTS)):
            assert a.doc_field_length(docnum, "ng") == b.doc_field_length(docnum, "ng") > 0
