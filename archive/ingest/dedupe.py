"""Fingerprints for exact and near-duplicate articles.

Exact: a SHA-256 of the text with whitespace and punctuation removed.  Near: a 64-bit SimHash
whose features are the article's clauses (text between punctuation marks), so the same article
with a little residue around it, or re-published by another account, lands within a few bits.
The SimHash is cut into ``BANDS`` bands; two hashes within ``MAX_DISTANCE`` bits share at least
one band exactly (pigeonhole), which is how candidates are looked up in the database.
"""

from __future__ import annotations

import hashlib
import re

BANDS = 4
BAND_BITS = 64 // BANDS
MAX_DISTANCE = 3
# Below this many characters of body a SimHash says little; only the exact hash is used.
MIN_SIMHASH_CHARS = 60

_STRIP = re.compile(r"[\s\W_]+", re.UNICODE)
_CLAUSES = re.compile(r"[。！？；，、：,.!?;:\n“”\"《》（）()【】\[\]…—\s]+")
# For bit b, a table mapping every byte to 1 when its bit b is set, else 0.
_BIT_TABLES = [bytes((value >> bit) & 1 for value in range(256)) for bit in range(8)]


def normalise(text: str) -> str:
    """Return the text without whitespace and punctuation, for hashing."""
    return _STRIP.sub("", text)


def content_hash(title: str, body: str) -> str:
    """Return the exact-duplicate key: the normalised body, or the title when there is no body."""
    key = normalise(body) or "title:" + normalise(title)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def simhash(text: str) -> int:
    """Return the 64-bit SimHash of the text's clauses (0 for very short text)."""
    if len(text) < MIN_SIMHASH_CHARS:
        return 0
    features = {clause for clause in _CLAUSES.split(text) if len(clause) > 1}
    if not features:
        return 0
    data = b"".join(hashlib.blake2b(f.encode("utf-8"), digest_size=8).digest() for f in features)
    count = len(features)
    result = 0
    # Count, for each of the 64 bit positions, how many feature hashes have it set, with C-speed
    # byte operations instead of a Python loop over 64 bits per feature.
    for byte_index in range(8):
        column = data[byte_index::8]
        for bit in range(8):
            ones = column.translate(_BIT_TABLES[bit]).count(1)
            if ones * 2 > count:
                result |= 1 << (byte_index * 8 + bit)
    return result


def to_signed(value: int) -> int:
    """Return the unsigned 64-bit value as the signed integer a database BIGINT holds."""
    return value - (1 << 64) if value >= 1 << 63 else value


def to_unsigned(value: int) -> int:
    return value + (1 << 64) if value < 0 else value


def bands(value: int) -> list[int]:
    """Return the SimHash's bands, lowest bits first."""
    value = to_unsigned(value)
    mask = (1 << BAND_BITS) - 1
    return [(value >> (i * BAND_BITS)) & mask for i in range(BANDS)]


def distance(a: int, b: int) -> int:
    return (to_unsigned(a) ^ to_unsigned(b)).bit_count()
