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

from whoosh.formats import Positions

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


class PackedValues:
    """A postings block's variable-size values as one bytes object and their end offsets.

    Whoosh pickles a block's values as a tuple of bytes objects, one per posting: for the n-gram
    field, unpickling those was most of the cost of reading a term's postings. This sequence
    unpickles as two buffers. Whoosh's block reader only indexes and iterates the values, so it
    reads blocks holding one unchanged.
    """

    __slots__ = ("blob", "ends")

    def __init__(self, blob: bytes, ends: array):
        self.blob = blob
        self.ends = ends

    @classmethod
    def pack(cls, values) -> PackedValues:
        return cls(b"".join(values), array(_UINT32, accumulate(map(len, values))))

    def __reduce__(self):
        return (PackedValues, (self.blob, self.ends))

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self.ends)
        return self.blob[self.ends[i - 1] if i else 0 : self.ends[i]]

    def __iter__(self):
        blob, start = self.blob, 0
        for end in self.ends:
            yield blob[start:end]
            start = end

    def __eq__(self, other):
        return list(self) == list(other)
