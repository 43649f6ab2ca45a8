"""Recognise exact and near-duplicate articles.

Exact: a SHA-256 of the text with whitespace and punctuation removed.

Near: an article is cut into clauses (the text between punctuation marks).  Its few longest
clauses are its *anchors*, stored in an indexed table: an earlier article sharing two anchors is
a candidate, and a candidate is a near-duplicate when the clauses the two share make up at least
``MIN_SIMILARITY`` of their text (Jaccard similarity weighted by clause length).  The same
article with other residue around it, lightly edited, or re-published by another account stays
above the threshold; two articles that merely quote the same sentence do not.
"""

from __future__ import annotations

import hashlib
import re

ANCHORS = 4
MIN_ANCHOR_CHARS = 8
MIN_SIMILARITY = 0.8
MAX_CANDIDATES = 10

_STRIP = re.compile(r"[\s\W_]+", re.UNICODE)
_CLAUSES = re.compile(r"[。！？；，、：,.!?;:“”\"‘’'《》〈〉（）()【】\[\]…—\-\s\u3000]+")


def normalise(text: str) -> str:
    """Return the text without whitespace and punctuation, for hashing."""
    return _STRIP.sub("", text)


def content_hash(title: str, body: str) -> str:
    """Return the exact-duplicate key: the normalised body, or the title when there is no body."""
    key = normalise(body) or "title:" + normalise(title)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def clauses(text: str) -> set[str]:
    """Return the distinct clauses of the text, punctuation and whitespace dropped."""
    return {clause for clause in _CLAUSES.split(text) if len(clause) > 1}


def _hash64(clause: str) -> int:
    """Return a stable signed 64-bit hash (it fits a database BIGINT)."""
    return int.from_bytes(hashlib.blake2b(clause.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def anchors(text: str) -> list[int]:
    """Return the hashes of the text's longest clauses: the keys near-duplicates are looked up by."""
    longest = sorted((c for c in clauses(text) if len(c) >= MIN_ANCHOR_CHARS), key=lambda c: (-len(c), c))
    return [_hash64(c) for c in longest[:ANCHORS]]


def similarity(a: set[str], b: set[str]) -> float:
    """Return the Jaccard similarity of two clause sets, each clause weighted by its length."""
    union = sum(map(len, a | b))
    return sum(map(len, a & b)) / union if union else 0.0
