"""Exact substring matching on the n-gram field, fast: set operations instead of Whoosh's span phrases.

A query chunk of one or two characters is one indexed term. A longer chunk occurs at character p
when bigram ``chunk[k:k+2]`` sits at position p+k for enough k to cover every character: k = 0,
2, 4, … and the last pair (``chunk`` of length 5 needs 3 bigrams, not 4). The documents holding
all of those bigrams come from posting-id set intersection; only for those are the positions
read. Whoosh's own :class:`~whoosh.query.Phrase` does the same with span objects and is 20×
slower on common words.

Results are per segment (Whoosh searches segment by segment), as sorted arrays of document
numbers, and kept per segment (:mod:`search.postings`): a segment's postings never change, a
deletion only hides a document, and a new commit's segments get new ids.
"""

from __future__ import annotations

import numpy as np

from search.analysis import chunks
from search.formats import block_positions
from search.postings import EMPTY_IDS, cached, term_ids
from search.whoosh_internals import blocks_holding

NGRAM_SUFFIX = "__ng"  # the n-gram copy of a text field; the field without it holds the words


def _cover(chunk: str) -> list[tuple[int, str]]:
    """(offset, bigram) pairs whose positions pin down every character of ``chunk`` (len ≥ 3)."""
    last = len(chunk) - 2
    offsets = list(range(0, last + 1, 2))
    if offsets[-1] != last:
        offsets.append(last)
    return [(k, chunk[k : k + 2]) for k in offsets]


def _chunk_docs(reader, fieldname: str, chunk: str) -> np.ndarray:
    if len(chunk) <= 2:
        return term_ids(reader, fieldname, chunk)
    cover = _cover(chunk)
    # Rarest bigram first, so the candidate set shrinks fastest.
    sized = sorted(cover, key=lambda item: reader.doc_frequency(fieldname, item[1]))
    candidates: np.ndarray | None = None
    for _, gram in sized:
        ids = term_ids(reader, fieldname, gram)
        candidates = ids if candidates is None else _sorted_intersection(candidates, ids)
        if not len(candidates):
            return EMPTY_IDS
    # A document whose words field (the same text, cut into words) has the chunk as a word holds
    # it verbatim: only the others need their positions read. Place names and common words are
    # words, so this skips most of the reading for the queries people type most.
    words_field = fieldname[: -len(NGRAM_SUFFIX)] if fieldname.endswith(NGRAM_SUFFIX) else None
    sure = EMPTY_IDS
    if words_field in reader.schema:
        sure = _sorted_intersection(term_ids(reader, words_field, chunk), candidates)
    pending = candidates[~_sorted_in(candidates, sure)]
    if not len(pending):
        return sure
    survivors = _verified(reader, fieldname, sized, pending)
    # Disjoint (survivors were pending, not sure): sorting the two together is their union (two
    # ascending runs, which a stable sort merges in one pass).
    return np.sort(np.concatenate([sure, survivors]), kind="stable") if len(survivors) else sure


def _verified(reader, fieldname: str, sized: list[tuple[int, str]], docs: np.ndarray) -> np.ndarray:
    """Those of ``docs`` (sorted) where the bigrams sit at their offsets from one common start.

    Each bigram's positions in the documents still in question become sorted keys
    ``document << 32 | start`` (start = position − offset); a document survives while some start
    is in every bigram's keys. Whole blocks at a time, in NumPy.
    """
    fmt = reader.schema[fieldname].format
    wanted = np.zeros(reader.doc_count_all(), dtype=bool)  # the documents still in question
    wanted[docs] = True
    starts: np.ndarray | None = None
    for k, gram in sized:
        parts = []
        for ids, values in blocks_holding(reader, fieldname, gram, docs):
            counts, positions = block_positions(fmt, values)
            owners = np.repeat(ids, counts)
            keep = wanted[owners] & (positions >= k)
            parts.append((owners[keep] << 32) | (positions[keep] - k))
        keys = np.concatenate(parts) if parts else EMPTY_IDS  # ascending: by document, then position
        if starts is not None:
            keys = starts[_sorted_in(starts, keys)]
        starts = keys
        if not len(starts):
            return EMPTY_IDS
        wanted[docs] = False
        docs = _sorted_unique(starts >> 32)
        wanted[docs] = True
    return docs


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct values of an ascending array (np.unique would sort it again)."""
    if not len(values):
        return values
    first = np.empty(len(values), dtype=bool)
    first[0] = True
    np.not_equal(values[1:], values[:-1], out=first[1:])
    return values[first]


def _sorted_intersection(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The values in both of two ascending arrays of distinct values, ascending: the shorter looked
    up in the longer (np.intersect1d sorts the two together: at 1,000,000 articles a third of a
    cold query's time)."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return short[_sorted_in(short, long)]


def _sorted_in(values: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """Which of ``values`` are in the ascending array ``sorted_keys``."""
    if not len(sorted_keys):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, values), len(sorted_keys) - 1)
    return sorted_keys[at] == values


def segment_docs(reader, fieldname: str, text: str) -> np.ndarray:
    """Documents (sorted) of one segment reader whose ``fieldname`` n-grams contain every chunk of ``text``."""

    def build():
        result: np.ndarray | None = None
        for chunk in chunks(text):
            docs = _chunk_docs(reader, fieldname, chunk)
            result = docs if result is None else _sorted_intersection(result, docs)
            if not len(result):
                break
        return EMPTY_IDS if result is None else result

    return cached(reader, ("substring", fieldname, text), build)
