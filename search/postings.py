"""A segment's postings, lengths and columns as NumPy arrays, read a block at a time and kept per segment.

Whoosh reads postings through matchers, a Python call per posting. Reading a term's blocks whole
(:func:`search.whoosh_internals.decode_blocks`) is tens of times faster; and since a
segment's postings, field lengths and columns never change (a deletion only hides a document), the
arrays are kept per segment id, in an LRU bounded by their size in bytes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from search.whoosh_internals import BYTE_TO_LENGTH, decode_blocks, length_bytes

CACHE_BYTES = 1024 * 1024 * 1024  # per-segment postings kept in memory, at most (SEARCH_CACHE_MB)
_LENGTH_TABLE = np.array(BYTE_TO_LENGTH, dtype=np.float64)
EMPTY_IDS = np.zeros(0, dtype=np.int64)
EMPTY_WEIGHTS = np.zeros(0, dtype=np.float64)


class ByteLRU:
    """A thread-safe LRU bounded by the total size in bytes of the arrays it holds."""

    def __init__(self, budget: int):
        self.budget = budget
        self.used = 0
        self.data: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    @staticmethod
    def _size(value) -> int:
        if isinstance(value, dict):
            value = tuple(value.values())
        if isinstance(value, tuple):
            return sum(getattr(v, "nbytes", 64) for v in value)
        return getattr(value, "nbytes", 64)

    def get(self, key):
        with self.lock:
            value = self.data.get(key)
            if value is not None:
                self.data.move_to_end(key)
            return value

    def put(self, key, value):
        size = self._size(value)
        with self.lock:
            old = self.data.pop(key, None)
            if old is not None:
                self.used -= self._size(old)
            self.data[key] = value
            self.used += size
            while self.used > self.budget and len(self.data) > 1:
                _, dropped = self.data.popitem(last=False)
                self.used -= self._size(dropped)

    def clear(self):
        with self.lock:
            self.data.clear()
            self.used = 0


segment_cache = ByteLRU(CACHE_BYTES)


def segment_key(reader):
    segment = getattr(reader, "segment", lambda: None)()
    return segment.segment_id() if segment is not None else None


def cached(reader, key: tuple, build):
    """``build()`` kept per segment: a segment's postings and columns never change."""
    segid = segment_key(reader)
    if segid is None:
        return build()
    full = (segid, *key)
    value = segment_cache.get(full)
    if value is None:
        value = build()
        segment_cache.put(full, value)
    return value


# -- reading postings -----------------------------------------------------------------------------


def iter_blocks(reader, fieldname: str, text):
    """Yield (ids, weights, values) per postings block of a term in one segment reader, as
    :func:`search.whoosh_internals.decode_blocks` reads them: ids an int64 array."""
    if (fieldname, text) not in reader:
        return
    terminfo = reader.term_info(fieldname, text)
    yield from decode_blocks(reader, terminfo, reader.schema[fieldname].format, arrays=True)


def _weight_array(weights, count: int) -> np.ndarray:
    """A block's weights (None: all 1.0; one float for the block; or one each) as a float64 array."""
    if weights is None or isinstance(weights, float):
        return np.full(count, 1.0 if weights is None else weights)
    return np.asarray(weights, dtype=np.float64)


def term_postings(reader, fieldname: str, text) -> tuple[np.ndarray, np.ndarray]:
    """A term's (document numbers, weights) in one segment reader, as arrays; kept per segment."""

    def build():
        blocks = [(ids, _weight_array(weights, len(ids))) for ids, weights, _ in iter_blocks(reader, fieldname, text)]
        if not blocks:
            return EMPTY_IDS, EMPTY_WEIGHTS
        if len(blocks) == 1:
            return blocks[0]
        return np.concatenate([b[0] for b in blocks]), np.concatenate([b[1] for b in blocks])

    return cached(reader, ("postings", fieldname, text), build)


def term_ids(reader, fieldname: str, text) -> np.ndarray:
    return term_postings(reader, fieldname, text)[0]


def field_lengths(reader, fieldname: str) -> np.ndarray:
    """Every document's (byte-quantized, as Whoosh scores with) length of ``fieldname``."""

    def build():
        raw = length_bytes(reader, fieldname)
        if raw is None:
            return np.zeros(reader.doc_count_all(), dtype=np.float64)
        return _LENGTH_TABLE[np.frombuffer(raw, dtype=np.uint8)]

    return cached(reader, ("lengths", fieldname), build)


def column_values(reader, fieldname: str) -> np.ndarray:
    """A segment's values of a numeric sortable column (0 where a document has none)."""

    def build():
        count = reader.doc_count_all()
        if not reader.has_column(fieldname):
            return np.zeros(count, dtype=np.int64)
        values = np.fromiter(reader.column_reader(fieldname), dtype=np.int64, count=count)
        return values

    return cached(reader, ("column", fieldname), build)


def facet_postings(reader, fieldname: str) -> dict[str, np.ndarray]:
    """{value: document numbers} of an exact (ID/KEYWORD) field in one segment."""

    def build():
        out = {}
        if fieldname in reader.schema:
            for term in reader.lexicon(fieldname):
                value = term.decode("utf-8") if isinstance(term, bytes) else term
                blocks = [ids for ids, _, _ in iter_blocks(reader, fieldname, term)]
                out[value] = np.concatenate(blocks) if blocks else EMPTY_IDS
        return out

    return cached(reader, ("facet", fieldname), build)
