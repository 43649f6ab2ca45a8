"""A positions format for the n-gram field: the same information as Whoosh's, a fraction of the work.

Whoosh's :class:`~whoosh.formats.Positions` stores each posting's positions as a pickled list of
deltas behind a 4-byte count, and the block writer pickles and compresses those again. The
n-gram field has more postings than every other field together (one per distinct character and
pair of characters of each article), so that encoding was a large share of indexing and merging.

:class:`CompactPositions` stores the positions as little-endian unsigned 32-bit integers: encoding
and decoding are single C calls, and a one-position posting takes 4 bytes instead of 15. It
answers the same questions (frequency, weight, positions), so Whoosh's phrase queries, our
substring matcher and the bulk writer use it unchanged. An index built before it keeps its
stored schema and stays readable.
"""

from __future__ import annotations

import sys
from array import array
from itertools import accumulate

import numpy as np
from whoosh.formats import Positions, tokens

_SWAP = sys.byteorder != "little"
_UINT32 = next(code for code in "IL" if array(code).itemsize == 4)


class CompactPositions(Positions):
    """Positions as a little-endian array of uint32 (absolute, ascending)."""

    def encode(self, poslist) -> bytes:
        values = array(_UINT32, poslist)
        if _SWAP:
            values.byteswap()
        return values.tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        values = array(_UINT32)
        values.frombytes(valuestring)
        if _SWAP:
            values.byteswap()
        return values.tolist()

    def decode_frequency(self, valuestring: bytes) -> int:
        return len(valuestring) // 4

    def decode_weight(self, valuestring: bytes) -> float:
        return self.decode_frequency(valuestring) * self.field_boost


class NgramPositions(CompactPositions):
    """The n-gram field's format: positions for bigrams only, as small as they fit.

    The substring matcher reads positions only of bigrams (a chunk of 3+ characters is pinned down
    by bigrams at fixed offsets; one of 1–2 characters is a single term, whose documents are
    enough). So a unigram's value holds no positions (its frequency is in its weight), which halves
    the positions stored and read. A bigram's positions are uint16 when they all fit (an even number
    of bytes), else uint32 followed by one padding byte (an odd number), so the decoder can tell.
    """

    # Its blocks are stored uncompressed: reading a common bigram's postings spent half its time in
    # zlib. The index is bigger for it (its n-gram blocks about 2.4 times).
    compress_blocks = False

    def value_for(self, text: str, poslist) -> bytes:
        # A unigram's one byte (odd: no uint16s; nothing before the padding: no positions) rather than
        # none: Whoosh's block writer drops empty values, and its reader would then find none.
        return self.encode(poslist) if len(text) > 1 else b"\x00"

    def encode(self, poslist) -> bytes:
        if poslist[-1] < 65536:
            values = array("H", poslist)
            if _SWAP:
                values.byteswap()
            return values.tobytes()
        return super().encode(poslist) + b"\x00"

    def decode_positions(self, valuestring: bytes) -> list[int]:
        if len(valuestring) % 2:
            return super().decode_positions(valuestring[:-1])
        values = array("H")
        values.frombytes(valuestring)
        if _SWAP:
            values.byteswap()
        return values.tolist()

    def decode_frequency(self, valuestring: bytes) -> int:
        return (len(valuestring) - 1) // 4 if len(valuestring) % 2 else len(valuestring) // 2

    def word_values(self, value, analyzer, **kwargs):
        # Whoosh's Positions.word_values, with each term's value from value_for().
        field_boost = self.field_boost
        positions: dict[str, list[int]] = {}
        weights: dict[str, float] = {}
        kwargs["positions"] = True
        for token in tokens(value, analyzer, kwargs):
            positions.setdefault(token.text, []).append(token.pos)
            weights[token.text] = weights.get(token.text, 0.0) + token.boost
        for text, poslist in positions.items():
            yield (text, len(poslist), weights[text] * field_boost, self.value_for(text, poslist))


class PackedValues:
    """A postings block's variable-size values as one bytes object and where each ends.

    Whoosh pickles a block's values as a tuple of bytes objects, one per posting: for the n-gram
    field, unpickling those was most of the cost of reading a term's postings. This sequence
    unpickles as two buffers (one, with the size, when every value has the same size, as a
    unigram's do). Whoosh's block reader only indexes and iterates the values, so it reads blocks
    holding one unchanged.
    """

    __slots__ = ("blob", "ends")

    def __init__(self, blob: bytes, ends):
        self.blob = blob
        self.ends = ends  # an array of end offsets, or (size, count) when every value has that size

    @classmethod
    def pack(cls, values) -> PackedValues:
        sizes = list(map(len, values))
        blob = b"".join(values)
        if sizes and sizes.count(sizes[0]) == len(sizes):
            return cls(blob, (sizes[0], len(sizes)))
        return cls(blob, array(_UINT32, accumulate(sizes)))

    def __reduce__(self):
        return (PackedValues, (self.blob, self.ends))

    def __len__(self) -> int:
        return self.ends[1] if isinstance(self.ends, tuple) else len(self.ends)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        count = len(self)
        if i < 0:
            i += count
        if not 0 <= i < count:
            raise IndexError(i)
        ends = self.ends
        if isinstance(ends, tuple):
            return self.blob[i * ends[0] : (i + 1) * ends[0]]
        return self.blob[ends[i - 1] if i else 0 : ends[i]]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __eq__(self, other):
        return list(self) == list(other)


def block_positions(fmt, values) -> tuple[np.ndarray, np.ndarray]:
    """(positions per value, every value's positions one after another) of a postings block's values
    in format ``fmt``, as int64 arrays.

    One ``frombuffer`` for an :class:`NgramPositions` block whose positions are all uint16 (all but
    those of articles of 65,536+ characters); otherwise ``fmt.decode_positions`` a value at a time.
    """
    if isinstance(fmt, NgramPositions) and isinstance(values, PackedValues):
        ends = values.ends
        if isinstance(ends, tuple):
            sizes = np.full(ends[1], ends[0], dtype=np.int64)
        else:
            sizes = np.diff(np.frombuffer(ends, dtype=np.uint32), prepend=0).astype(np.int64)
        if not (sizes % 2).any():
            return sizes // 2, np.frombuffer(values.blob, dtype="<u2").astype(np.int64)
    decoded = [fmt.decode_positions(v) for v in values]
    counts = np.fromiter(map(len, decoded), dtype=np.int64, count=len(decoded))
    flat = np.fromiter((p for ps in decoded for p in ps), dtype=np.int64, count=int(counts.sum()))
    return counts, flat
