"""Whoosh's default codec, with one fix that makes committing a segment about a third faster.

While writing postings, Whoosh asks for the document's field length once per posting, and each
ask is a seek and a read in the segment's length column: for an article body with ~600 distinct
n-grams that is 600 reads per field per document. Here the lengths are read once per
(field, document) into memory. The files written are exactly the default codec's, and segments
record the plain :class:`~whoosh.codec.whoosh3.W3Codec`, so any Whoosh can read the index.
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter


class _CachedLengths:
    """A per-document reader's ``doc_field_length``, read into a list per field on first use."""

    def __init__(self, reader):
        self._reader = reader
        self._count = reader.doc_count_all()
        self._fields: dict[str, list[int]] = {}

    def doc_field_length(self, docnum, fieldname, default=0):
        lengths = self._fields.get(fieldname)
        if lengths is None:
            read = self._reader.doc_field_length
            lengths = self._fields[fieldname] = [read(d, fieldname, default) for d in range(self._count)]
        return lengths[docnum] if docnum < self._count else default


class _FieldWriter(W3FieldWriter):
    def add_postings(self, schema, lengths, items):
        return super().add_postings(schema, _CachedLengths(lengths) if lengths else lengths, items)


class FastW3Codec(W3Codec):
    def field_writer(self, storage, segment):
        return _FieldWriter(self, storage, segment)

    def __reduce__(self):
        # Segments keep a reference to their codec in the index's table of contents: keep it plain.
        return (W3Codec, (self._blocklimit, self._compression, self._inlinelimit))
