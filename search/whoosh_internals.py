"""Every use of Whoosh's private internals in the search package, in one module, and the Whoosh it was written for.

Whoosh 2.7.4 (the last release, 2016) is pinned. The arrays the embedded engine searches
(:mod:`search.postings`, :mod:`search.substring`, :mod:`search.docsets`) read a term's postings
blocks and a field's length column straight from the segment files, and the bulk writer below
writes segments through the block writer's and segment writer's private state. None of that is
Whoosh's public API: a different Whoosh could change any of it without a word, and an index would
then be read wrongly rather than fail. So everything that touches those names lives here, and
the app refuses to start on a Whoosh it was not written for (:func:`check_version`, called by
``search.apps``), as Haystack's own Whoosh backend refuses versions it does not know.
``tests/search/test_whoosh_internals.py`` checks that no other module of the package uses a
private Whoosh name. To move to another Whoosh: run the search tests against it, read the
names used here against its source, then change ``WRITTEN_FOR``.

The module reads top-down: the version check; opening segments without copying them
(:func:`map_segments_in_place`); reading (a term's blocks, a field's length bytes,
a field's terms, BM25F's per-field ``B``); the bulk writer; swapping a rebuilt index in.

**The bulk writer** writes the same segment as the stock one, several times faster.

Whoosh's ``SegmentWriter`` sends every posting through a sorting pool as a tuple, then hands the
sorted stream to the codec one posting at a time (type checks, a field-length lookup, appends),
and a merge reads every posting of the merged segments back into that pool. In pure Python that
costs 10–20 µs a posting, and an article has about 900 of them (words and n-grams), so the writer,
not the analysis, limited indexing to about 30 articles a second.

:class:`BulkWriter` keeps the segment format and changes the route:

* postings of the new documents are grouped per field and term in memory as they are added
  (documents arrive in docnum order, so each term's list is already sorted); text fields whose
  analyzer offers ``term_positions`` (:mod:`search.analysis`) skip Whoosh's token objects;
* merged segments are not copied into the pool: at flush each term's postings are read from
  them a block at a time, renumbered, and appended after the new documents' postings;
* blocks are written whole with the stock block writer, so the files, block boundaries and
  statistics are those of :class:`whoosh.codec.whoosh3.W3Codec`;
* with ``procs`` > 1, a commit of at least ``PARALLEL_MIN_DOCS`` documents splits them: forked
  child processes each write a segment of their share while this process writes its own, a
  merge due at this commit is split between the processes the same way (:func:`split_merge`),
  and the commit adds all the segments to the index at once (Whoosh's ``MpWriter`` does the same
  with multiprocessing, which re-imports Django in each worker);
* :class:`BulkCodec` leaves small blocks uncompressed (most terms of a segment have a handful of
  postings, and each ``zlib.compress`` call costs ~50 µs of set-up for a few bytes saved), and
  stores a block of ``PACKED_MIN_POSTINGS`` or more as arrays and packed values, which unpickle
  several times faster than Whoosh's tuples. Every block records its own compression, and the
  stock block reader indexes arrays as it indexes tuples, so stock Whoosh reads these segments
  as it reads its own.

``tests/search/test_whoosh_internals_writer.py`` builds the same documents and merges with both writers and
compares every term, posting, weight, value, length and stored field, and reads both writers'
segments through Whoosh's own block reader.
"""

from __future__ import annotations

import gc
import heapq
import io
import math
import os
import pickle
import traceback
import zlib
from array import array
from contextlib import contextmanager
from itertools import accumulate
from operator import sub
from pickle import dumps

import numpy as np
import whoosh
from django.core.exceptions import ImproperlyConfigured
from whoosh import columns
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3LeafMatcher,
    W3PostingsWriter,
    _lenfield,
)
from whoosh.filedb.structfile import BufferFile
from whoosh.formats import Frequency, Positions
from whoosh.reading import SegmentReader
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from search.formats import PackedValues
from search.merge import merge_tiers, segments_to_merge

WRITTEN_FOR = (2, 7, 4)


def check_version(version: tuple | None = None) -> None:
    """Raise ImproperlyConfigured unless Whoosh is the version the private accesses were written for."""
    found = tuple(version if version is not None else whoosh.__version__)[:3]
    if found != WRITTEN_FOR:
        wanted = ".".join(map(str, WRITTEN_FOR))
        raise ImproperlyConfigured(
            f"The search index code was written for Whoosh {wanted} and reads its private internals; "
            f"Whoosh {'.'.join(map(str, found))} is installed. Install Whoosh=={wanted} "
            "(requirements.txt), or check search/whoosh_internals.py against the new version first."
        )


# -- opening segments without copying them ------------------------------------------------------------


class MappedFile:
    """A read-only file over a memoryview: what Whoosh's ``BufferFile`` reads through, without a copy.

    Whoosh maps each segment file and hands each of its sub-files (postings, terms, stored fields,
    columns) to a ``BufferFile``, which wraps the mapped view in ``io.BytesIO(view)``: BytesIO
    copies it. Every searcher and every writer's reader so held a private copy of every segment's
    files: at 1,000,000 articles 5.1 GB of anonymous memory for opening one searcher, where the
    mapped pages would have been shared with the page cache and dropped under pressure.
    """

    __slots__ = ("_view", "_pos")
    PEEK = 512  # bytes the unpickler may look ahead (it asks for 128 KiB; a block header is ~30)

    def __init__(self, view):
        self._view = memoryview(view)
        self._pos = 0

    def read(self, size=-1):
        start = self._pos
        end = len(self._view) if size is None or size < 0 else min(start + size, len(self._view))
        self._pos = end
        return self._view[start:end].tobytes()

    def readinto(self, buffer):
        data = self._view[self._pos : self._pos + len(buffer)]
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def peek(self, size=0):
        return self._view[self._pos : self._pos + max(1, min(size, self.PEEK))].tobytes()

    def readline(self, size=-1):
        end = len(self._view) if size is None or size < 0 else min(self._pos + size, len(self._view))
        at = self._pos
        while at < end:  # looked for a piece at a time: the rest of a segment file may be megabytes
            found = self._view[at : min(at + self.PEEK, end)].tobytes().find(b"\n")
            if found >= 0:
                return self.read(at + found + 1 - self._pos)
            at += self.PEEK
        return self.read(end - self._pos)

    def __iter__(self):
        while line := self.readline():
            yield line

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._view)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self):
        return self._pos

    def close(self):
        self._view = memoryview(b"")


def _uncopied_buffer_file_init(self, buf, name=None, onclose=None):
    # BufferFile.__init__ with the view read in place instead of copied into a BytesIO.
    self._buf = buf
    self._name = name
    self.file = MappedFile(buf) if isinstance(buf, memoryview) else io.BytesIO(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


def map_segments_in_place() -> None:
    """Make Whoosh read mapped segment files in place (see :class:`MappedFile`); the embedded engine
    calls it before it opens an index."""
    BufferFile.__init__ = _uncopied_buffer_file_init


# -- reading ----------------------------------------------------------------------------------------

# A length byte as Whoosh scores with it (a byte 0: the document has no length for the field).
BYTE_TO_LENGTH = [0] + [byte_to_length(b) for b in range(1, 256)]


def _leaf_blocks(reader, terminfo, fmt, arrays: bool = False):
    """Yield (largest id, read) per postings block of one term; ``read()`` decodes the block into
    (ids, weights, values) as Whoosh's ``W3LeafMatcher`` does, with C-level loops instead of a call
    per posting. ``ids`` is a list of ints (an int64 array with ``arrays``); ``weights`` None (all
    1.0), one float for the block, or a sequence; ``values`` the raw values. An inlined term is one
    block that is always read."""
    if terminfo.is_inlined():
        ids, weights, values = terminfo.inlined_postings()
        ids = np.asarray(ids, dtype=np.int64) if arrays else list(ids)
        yield math.inf, lambda: (ids, list(weights), list(values))
        return
    offset, length = terminfo.extent()
    matcher = W3LeafMatcher(reader._terms._postfile, offset, length, fmt)

    def read():
        matcher._read_data()
        raw_ids, raw_weights, raw_values = matcher._data
        # ids: deltas, each block from 0
        ids = np.cumsum(np.asarray(raw_ids, dtype=np.int64)) if arrays else list(accumulate(raw_ids))
        return ids, raw_weights, raw_values

    while matcher.is_active():
        yield matcher._maxid, read
        matcher._next_block()


def decode_blocks(reader, terminfo, fmt, arrays: bool = False):
    """Yield (ids, weights, values) per postings block of one term of a segment reader (see
    :func:`_leaf_blocks`); ``fmt`` is the field's format."""
    for _, read in _leaf_blocks(reader, terminfo, fmt, arrays):
        yield read()


def blocks_holding(reader, fieldname: str, text, docs: np.ndarray):
    """Yield (ids, values) of those postings blocks of a term that may hold any of ``docs`` (a sorted
    int64 array); ids as an int64 array.

    A block whose largest id is below the next wanted document is skipped unread.
    """
    if not len(docs) or (fieldname, text) not in reader:
        return
    terminfo = reader.term_info(fieldname, text)
    i, count = 0, len(docs)
    for maxid, read in _leaf_blocks(reader, terminfo, reader.schema[fieldname].format, arrays=True):
        if i >= count:
            return
        if docs[i] <= maxid:
            ids, _, values = read()
            yield ids, values
            i = int(np.searchsorted(docs, maxid, side="right"))  # an inlined term's maxid (inf): count


def length_bytes(reader, fieldname: str) -> bytes | None:
    """Every document's length byte of ``fieldname`` in one segment (see ``BYTE_TO_LENGTH``), read in
    one go from its length column; None when the field stores no lengths.

    ``reader`` is a segment reader or its per-document reader. Whoosh's ``doc_field_length`` reads
    one byte per call and, for a field without lengths, asks the file system whether the column
    exists on every call.
    """
    perdoc = getattr(reader, "_perdoc", reader)
    count = perdoc.doc_count_all()
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return None
    stored = min(column._count, count)
    return bytes(column._dbfile.get(column._basepos, stored)) + bytes(count - stored)


def field_terms(reader, fieldname):
    """(term bytes, term info) of one field of a segment reader, in order."""
    if fieldname not in reader.indexed_field_names():
        return
    for (name, tbytes), terminfo in reader._terms.items_from(fieldname, b""):
        if name != fieldname:
            return
        yield tbytes, terminfo


def field_b(weighting, fieldname: str) -> float:
    """BM25F's length normalisation ``B`` for one field (Whoosh keeps per-field values privately)."""
    return weighting._field_B.get(fieldname, weighting.B)


# -- writing ----------------------------------------------------------------------------------------


@contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector while a writer fills its postings.

    A batch creates a few hundred thousand small lists that all live until the commit; each
    automatic collection would walk all of them again (it doubled the time of the n-gram
    analysis in a 500-article batch). Nothing they hold is cyclic.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _field_lengths(reader, fieldname: str) -> list[int]:
    """Every document's (byte-quantized) length of ``fieldname`` in one segment, 0 where it has none."""
    raw = length_bytes(reader, fieldname)
    return [BYTE_TO_LENGTH[b] for b in raw] if raw is not None else [0] * reader.doc_count_all()


def _fast_format(field):
    """The ``term_positions`` route for a text field, if its analyzer and format allow it, else None."""
    term_positions = getattr(field.analyzer, "term_positions", None)
    fmt = field.format
    # Frequency, or Positions and subclasses that only change how positions are encoded (or, with
    # value_for(), which value a term gets: _add_fast asks it as their word_values does).
    known = type(fmt) is Frequency or (
        isinstance(fmt, Positions) and (type(fmt).word_values is Positions.word_values or hasattr(fmt, "value_for"))
    )
    if term_positions is None or field.vector or not known:
        return None
    return term_positions


def _reader_postings(reader, fieldobj, terminfo):
    """Yield (ids, weights, values) lists a block at a time, read straight from the postings file."""
    fixedsize = fieldobj.format.fixed_value_size()
    for ids, raw_weights, raw_values in decode_blocks(reader, terminfo, fieldobj.format):
        count = len(ids)
        if raw_weights is None:
            weights = [1.0] * count
        elif isinstance(raw_weights, float):
            weights = [raw_weights] * count
        else:
            weights = raw_weights
        if terminfo.is_inlined() or fixedsize is None or fixedsize < 0:
            values = raw_values
        elif fixedsize == 0:
            values = [b""] * count
        else:
            values = [raw_values[i : i + fixedsize] for i in range(0, count * fixedsize, fixedsize)]
        yield ids, weights, values


MIN_COMPRESSED_BYTES = 256
# A block of this many postings or more is pickled as arrays (protocol 5: one buffer each; protocol 2,
# Whoosh's, pickles an array as a list of numbers).
PACKED_MIN_POSTINGS = 32
BLOCK_LIMIT = 4096
PACKED_PICKLE_PROTOCOL = 5
PARALLEL_MIN_DOCS = 64  # below this a commit is quick anyway; a fork costs a few tens of ms


class _PostingsWriter(W3PostingsWriter):
    """Whoosh's block writer, with blocks that read several times faster and in the same way.

    * in a block of ``PACKED_MIN_POSTINGS`` or more, ids (deltas) and weights are arrays, and
      variable-size values (positions) one :class:`~search.formats.PackedValues`, pickled with
      protocol 5: a block unpickles as a few
      buffers instead of an object per posting. Whoosh's block reader indexes and iterates them as
      it does its tuples, so stock Whoosh reads these segments unchanged;
    * a block under ``MIN_COMPRESSED_BYTES`` is stored uncompressed, and so is every block of a
      field whose format says ``compress_blocks = False`` (the n-gram field: decompressing was
      half the cost of reading its postings).
    """

    def _mini_ids(self):
        ids = self._ids
        if self._byteids:
            return tuple(ids)
        deltas = (ids[0], *map(sub, ids[1:], ids))  # the first id, then deltas
        if not self._packed():
            return deltas
        return array("H" if max(deltas) < 65536 else "I", deltas)

    def _mini_weights(self):
        weights = self._weights
        count = len(weights)
        if weights.count(1.0) == count:
            return None
        first = weights[0]
        if weights.count(first) == count:
            return first
        return array("f", weights) if self._packed() else tuple(weights)

    def _mini_values(self):
        fixedsize = self._format.fixed_value_size()
        if self._packed() and (fixedsize is None or fixedsize < 0):
            return PackedValues.pack(self._values)
        return super()._mini_values()

    def _packed(self) -> bool:
        """Arrays pay off in a block of many postings; a small one keeps the stock tuples (fewer bytes)."""
        return len(self._ids) >= PACKED_MIN_POSTINGS

    def _write_block(self, last=False):
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        protocol = PACKED_PICKLE_PROTOCOL if self._packed() else 2
        databytes = dumps((self._mini_ids(), self._mini_weights(), self._mini_values()), protocol)
        compress = len(databytes) >= MIN_COMPRESSED_BYTES and getattr(self._format, "compress_blocks", True)
        comp = self._compression if compress else 0
        if comp:
            databytes = zlib.compress(databytes, comp)
        ids = self._ids
        infobytes = dumps(
            (
                len(ids),
                ids[-1],
                self._maxweight,
                comp,
                length_to_byte(self._minlength),
                length_to_byte(self._maxlength),
            ),
            2,
        )
        blocklength = len(infobytes) + len(databytes)
        postfile = self._postfile
        postfile.write_int(-blocklength if last else blocklength)  # negative: the term's last block
        postfile.write(infobytes)
        postfile.write(databytes)
        self._blockcount += 1
        self._new_block()


class BulkCodec(W3Codec):
    """W3Codec with :class:`_PostingsWriter` and blocks of up to ``BLOCK_LIMIT`` postings; segments record
    the plain W3Codec.

    Whoosh's 128-posting blocks suit its matchers, which skip block by block; our searches read a
    term's postings whole (:mod:`search.postings`), where each block costs a seek, two unpickles
    and a decompression set-up, and checks a substring's positions a block at a time
    (:mod:`search.substring`). Blocks of 4,096 postings (512 before) read the common bigrams of a
    50,000-article index from cold in a quarter of the time (44 -> 12 ms); a segment written with
    other blocks reads the same.
    """

    def __init__(self, blocklimit=None, compression=3, inlinelimit=1):
        super().__init__(BLOCK_LIMIT if blocklimit is None else blocklimit, compression, inlinelimit)

    def postings_writer(self, dbfile, byteids=False):
        return _PostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def __reduce__(self):
        # Segments keep their codec in the index's table of contents: keep it the stock one.
        return (W3Codec, (self._blocklimit, self._compression, self._inlinelimit))


class BulkWriter(SegmentWriter):
    """``ix.writer()`` for :class:`search.engine.whoosh_engine.WhooshEngine`: same segments, faster.

    Supports what the backend uses: ``add_document``, deletions, ``add_reader`` (merges) and
    ``commit`` with a merge policy. Fields with a separate spelling word list are not supported.
    """

    def __init__(self, ix, procs: int = 1, **kwargs):
        kwargs.setdefault("codec", BulkCodec())
        super().__init__(ix, **kwargs)
        self._ix = ix
        self._procs = procs if hasattr(os, "fork") else 1
        self._pending: list[dict] = []  # with procs > 1: documents kept until the commit splits them
        if any(self.schema[name].separate_spelling() for name in self.schema.names()):
            raise ValueError("BulkWriter does not write separate spelling fields")
        # fieldname -> term bytes -> ([docnum, ...], [weight, ...], [value bytes, ...])
        self._postings: dict[str, dict[bytes, tuple[list, list, list]]] = {}
        # segments merged into this one: (reader, first new docnum, old -> new docnum map or None)
        self._merged: list[tuple[SegmentReader, int, dict | None]] = []
        self._fast = {name: _fast_format(self.schema[name]) for name in self.schema.names()}

    # -- adding -----------------------------------------------------------------------------------

    def add_document(self, **fields):
        self._check_state()
        if self._procs > 1:
            self._pending.append(fields)
        else:
            self._add_now(fields)

    def _add_now(self, fields):
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        fieldnames = sorted([name for name in fields if not name.startswith("_")])
        self._check_fields(schema, fieldnames)

        perdocwriter.start_doc(docnum)
        for fieldname in fieldnames:
            value = fields.get(fieldname)
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
                boost = self._field_boost(fields, fieldname, docboost)
                terms = self._postings.get(fieldname)
                if terms is None:
                    terms = self._postings[fieldname] = {}
                fast = self._fast[fieldname]
                if fast is not None and isinstance(value, str):
                    length = self._add_fast(terms, field, fast(value), docnum, boost)
                else:
                    length = self._add_items(terms, field, field.index(value), docnum, boost)
            vformat = field.vector
            if vformat:
                vitems = vformat.word_values(value, field.analyzer, mode="index")
                vitems = sorted((text, weight, vbytes) for text, _, weight, vbytes in vitems)
                perdocwriter.add_vector_items(fieldname, field, vitems)
            customval = fields.get(f"_stored_{fieldname}", value)
            perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
            column = field.column_type
            if column and customval is not None:
                perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    @staticmethod
    def _add_items(terms, field, items, docnum, boost) -> int:
        """Whoosh's route: the field's (term bytes, frequency, weight, value) items. Returns the length."""
        length = 0
        scorable = field.scorable
        for tbytes, freq, weight, vbytes in items:
            if scorable:
                length += freq
            found = terms.get(tbytes)
            if found is None:
                found = terms[tbytes] = ([], [], [])
            found[0].append(docnum)
            found[1].append(weight * boost)
            found[2].append(vbytes)
        return length

    @staticmethod
    def _add_fast(terms, field, positions, docnum, boost) -> int:
        """The same items as ``field.index`` for a Frequency or Positions format, from term -> positions."""
        fmt = field.format
        field_boost = fmt.field_boost
        with_positions = isinstance(fmt, Positions)
        value_for = getattr(fmt, "value_for", None)
        encode = fmt.encode if with_positions else None
        length = 0
        for text, poslist in positions.items():
            freq = len(poslist)
            length += freq
            tbytes = text.encode("utf-8")
            found = terms.get(tbytes)
            if found is None:
                found = terms[tbytes] = ([], [], [])
            found[0].append(docnum)
            # Whoosh sums each token's boost (1.0), times the format's boost, times the document's.
            found[1].append(float(freq) * field_boost * boost)
            if value_for is not None:
                found[2].append(value_for(text, poslist))
            else:
                found[2].append(encode(poslist) if with_positions else pack_uint(freq))
        return length if field.scorable else 0

    def add_reader(self, reader):
        """Merge a segment: its stored fields and lengths now, its postings when the segment is written."""
        self._check_state()
        segment_reader = SegmentReader(self.storage, self.schema, reader.segment())
        basedoc = self.docnum
        fieldnames = set(self.schema.names()) | {
            name for name in segment_reader.indexed_field_names() if name in self.schema
        }
        docmap = self.write_per_doc(fieldnames, segment_reader)
        self._merged.append((segment_reader, basedoc, docmap))
        self._added = True

    def write_per_doc(self, fieldnames, reader):
        """Whoosh's ``write_per_doc`` for a merged segment; lengths and columns read per field, not per document."""
        schema = self.schema
        if any(schema[name].vector for name in fieldnames):
            return super().write_per_doc(fieldnames, reader)
        docmap = {} if reader.has_deletions() else None
        fields = []
        for fieldname in fieldnames:
            fieldobj = schema[fieldname]
            coltype = fieldobj.column_type
            column = None
            if coltype and reader.has_column(fieldname):
                creader = reader.column_reader(fieldname, coltype)
                if isinstance(creader, columns.TranslatingColumnReader):
                    creader = creader.raw_column()
                column = list(creader)
            fields.append((fieldname, fieldobj, _field_lengths(reader, fieldname), coltype, column))
        pdw = self.perdocwriter
        for docnum, stored in reader.iter_docs():
            if docmap is not None:
                docmap[docnum] = self.docnum
            pdw.start_doc(self.docnum)
            for fieldname, fieldobj, lengths, coltype, column in fields:
                pdw.add_field(fieldname, fieldobj, stored.get(fieldname), lengths[docnum])
                if column is not None:
                    pdw.add_column_value(fieldname, coltype, column[docnum])
            pdw.finish_doc()
            self.docnum += 1
        return docmap

    # -- committing ---------------------------------------------------------------------------------

    def commit(self, mergetype=None, optimize=None, merge=None):
        """Whoosh's commit, with the pending documents written by up to ``procs`` processes."""
        self._check_state()
        children = []
        try:
            docs, self._pending = self._pending, []
            procs = self._procs if len(docs) >= PARALLEL_MIN_DOCS else 1
            halves = [[] for _ in range(procs)]
            if procs > 1 and mergetype is merge_tiers:
                # The merge is split too: each process merges a share of the segments into its own
                # new segment, instead of this one merging them all while the others wait.
                merging = segments_to_merge(self.segments)
                if len(merging) > 1:
                    halves = split_merge(merging, procs)
                    kept = [segment for segment in self.segments if all(segment is not m for m in merging)]
                    mergetype = _merging(halves[0], kept)
            if procs > 1:
                shares = [docs[i::procs] for i in range(procs)]
                docs = shares[0]
                children = [
                    _Child.start(self._ix, shares[i], halves[i]) for i in range(1, procs) if shares[i] or halves[i]
                ]
            for fields in docs:
                self._add_now(fields)
            finalsegments = self._merge_segments(mergetype, optimize, merge)
            if self._added:
                finalsegments.append(self._finalize_segment())
            else:
                self._close_segment()
            while children:
                finalsegments.append(children.pop(0).segment())
            self._commit_toc(finalsegments)
        except BaseException:
            for child in children:
                child.stop()
            if not self.is_closed:
                self._close_segment()
                self._finish()
            raise
        self._finish()

    def cancel(self):
        self._pending = []
        super().cancel()

    # -- writing the segment ------------------------------------------------------------------------

    def _flush_segment(self):
        self.perdocwriter.close()
        lengths_reader = self.per_document_reader()
        try:
            fieldwriter = self.fieldwriter
            names = set(self._postings)
            for reader, _, _ in self._merged:
                names.update(name for name in reader.indexed_field_names() if name in self.schema)
            for fieldname in sorted(names):
                self._write_field(fieldwriter, fieldname, _field_lengths(lengths_reader, fieldname))
            fieldwriter.close()
        finally:
            lengths_reader.close()

    def _write_field(self, fieldwriter, fieldname, lengths):
        fieldobj = self.schema[fieldname]
        new_terms = self._postings.get(fieldname, {})
        sources = [iter(sorted(new_terms))]
        merged = []
        for reader, basedoc, docmap in self._merged:
            infos = {}

            def terms(reader=reader, infos=infos):
                for tbytes, terminfo in field_terms(reader, fieldname):
                    infos[tbytes] = terminfo
                    yield tbytes

            sources.append(terms())
            merged.append((reader, basedoc, docmap, infos))
        started = False
        last = None
        for tbytes in heapq.merge(*sources):
            if tbytes == last:
                continue
            last = tbytes
            ids, weights, values = [], [], []
            found = new_terms.get(tbytes)
            if found is not None:
                ids, weights, values = list(found[0]), list(found[1]), list(found[2])
            for reader, basedoc, docmap, infos in merged:
                terminfo = infos.pop(tbytes, None)
                if terminfo is None:
                    continue
                for block_ids, block_weights, block_values in _reader_postings(reader, fieldobj, terminfo):
                    _append_block(ids, weights, values, block_ids, block_weights, block_values, basedoc, docmap)
            if not ids:
                continue  # every document holding the term was deleted
            if not started:
                fieldwriter.start_field(fieldname, fieldobj)
                started = True
            fieldwriter.start_term(tbytes)
            _write_postings(fieldwriter._postwriter, ids, weights, values, lengths)
            fieldwriter.finish_term()
        if started:
            fieldwriter.finish_field()

    def _close_segment(self):
        super()._close_segment()
        for reader, _, _ in self._merged:
            reader.close()
        self._merged = []


def _append_block(ids, weights, values, block_ids, block_weights, block_values, basedoc, docmap):
    """Append a merged segment's block, renumbered; documents deleted from it are left out."""
    if docmap is None:
        ids.extend(map(basedoc.__add__, block_ids))
        weights.extend(block_weights)
        values.extend(block_values)
        return
    for d, w, v in zip(block_ids, block_weights, block_values, strict=True):
        new = docmap.get(d)
        if new is not None:
            ids.append(new)
            weights.append(w)
            values.append(v)


def _write_postings(postwriter, ids, weights, values, lengths):
    """Write one term's postings as the stock writer would: full blocks, the rest left to finish_term."""
    limit = postwriter._blocklimit
    count = len(ids)
    length_of = lengths.__getitem__
    for start in range(0, count, limit):
        stop = min(start + limit, count)
        block_ids = ids[start:stop]
        block_weights = weights[start:stop]
        block_lengths = list(map(length_of, block_ids))
        if 0 in block_lengths:  # the stock writer's statistics skip zero lengths
            block_lengths = list(filter(None, block_lengths))
        postwriter._ids = array("I", block_ids)
        postwriter._weights = array("f", block_weights)
        postwriter._values = list(filter(None, values[start:stop]))
        postwriter._minlength = min(block_lengths) if block_lengths else None
        postwriter._maxlength = max(block_lengths) if block_lengths else 0
        postwriter._maxweight = max(0, max(block_weights))
        if stop < count:
            postwriter._write_block()


def split_merge(segments, parts: int) -> list[list]:
    """The segments in ``parts`` groups of about equal size (largest first, each to the lightest group)."""
    groups: list[list] = [[] for _ in range(parts)]
    sizes = [0] * parts
    for segment in sorted(segments, key=lambda segment: segment.doc_count_all(), reverse=True):
        lightest = sizes.index(min(sizes))
        groups[lightest].append(segment)
        sizes[lightest] += segment.doc_count_all()
    return groups


def _add_segments(writer, segments) -> None:
    for segment in segments:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()


def _merging(segments, kept):
    """A Whoosh ``mergetype`` that merges ``segments`` into the writer's segment and keeps ``kept``."""

    def mergetype(writer, _segments):
        _add_segments(writer, segments)
        return list(kept)

    return mergetype


class _Child:
    """A forked process writing one segment of documents (and merged segments); ``segment()`` waits for it."""

    def __init__(self, pid: int, fd: int):
        self.pid = pid
        self.fd = fd

    @classmethod
    def start(cls, ix, docs: list[dict], merging=()) -> _Child:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: write the segment, report it, and leave without any clean-up
            status = 1
            try:
                os.close(read_fd)
                try:
                    # No lock (the parent holds it); the parent's commit puts the segment in the index.
                    writer = BulkWriter(ix, _lk=False)
                    for fields in docs:
                        writer.add_document(**fields)
                    _add_segments(writer, merging)  # after the documents, as in the parent's commit
                    payload = ("segment", writer._finalize_segment())
                except BaseException:
                    payload = ("error", traceback.format_exc())
                with os.fdopen(write_fd, "wb") as out:
                    pickle.dump(payload, out)
                status = 0
            finally:
                os._exit(status)
        os.close(write_fd)
        return cls(pid, read_fd)

    def segment(self):
        with os.fdopen(self.fd, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        if not data or status:
            raise RuntimeError(f"index writer process {self.pid} died (status {status})")
        kind, value = pickle.loads(data)
        if kind == "error":
            raise RuntimeError(f"index writer process {self.pid} failed:\n{value}")
        return value

    def stop(self):
        try:
            os.close(self.fd)
        except OSError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


# -- swapping a rebuilt index in --------------------------------------------------------------------


def adopt_segments(live_ix, staging_ix, *, timeout: float = 120.0, before_swap=None) -> int:
    """Make ``staging_ix``'s segments the whole of ``live_ix``, in one step; return the new generation.

    Holding the live index's write lock (other writers wait), ``before_swap(staging_ix)`` runs
    last-minute writes to the staging index; then its segment files move into the live folder
    (a rename: same file system) and a new TOC generation listing only them is written. A TOC is
    written to a temporary name and renamed, so a searcher opens either the old generation or the
    new one, never a mix; searchers already open keep reading the old segments until they refresh
    (Whoosh's own commits delete replaced segments the same way). Uses Whoosh 2.7's ``TOC`` and
    ``clean_files``.
    """
    from whoosh.index import TOC, LockError, clean_files
    from whoosh.util.filelock import try_for

    lock = live_ix.lock("WRITELOCK")
    if not try_for(lock.acquire, timeout=timeout, delay=0.05):
        raise LockError(f"The search index at {live_ix.storage.folder} stayed locked for {timeout} s")
    try:
        if before_swap is not None:
            before_swap(staging_ix)
        staging_ix = staging_ix.refresh()
        segments = staging_ix._segments()
        pattern = TOC._segment_pattern(staging_ix.indexname)
        source, target = staging_ix.storage.folder, live_ix.storage.folder
        wanted = {segment.segment_id() for segment in segments}
        for name in os.listdir(source):
            match = pattern.match(name)
            if match and match.group(1) in wanted:
                os.replace(os.path.join(source, name), os.path.join(target, name))
        generation = live_ix.latest_generation() + 1
        TOC(staging_ix.schema, segments, generation).write(live_ix.storage, live_ix.indexname)
        clean_files(live_ix.storage, live_ix.indexname, generation, segments)
        return generation
    finally:
        lock.release()
