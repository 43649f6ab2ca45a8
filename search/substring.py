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
from whoosh import matching
from whoosh.query import qcore

from search.analysis import chunks
from search.postings import EMPTY_IDS, blocks_holding, cached, column_values, term_ids

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
        candidates = ids if candidates is None else np.intersect1d(candidates, ids, assume_unique=True)
        if not len(candidates):
            return EMPTY_IDS
    # A document whose words field (the same text, cut into words) has the chunk as a word holds
    # it verbatim: only the others need their positions read. Place names and common words are
    # words, so this skips most of the reading for the queries people type most.
    words_field = fieldname[: -len(NGRAM_SUFFIX)] if fieldname.endswith(NGRAM_SUFFIX) else None
    sure = EMPTY_IDS
    if words_field in reader.schema:
        sure = np.intersect1d(term_ids(reader, words_field, chunk), candidates, assume_unique=True)
    pending = np.setdiff1d(candidates, sure, assume_unique=True)
    if not len(pending):
        return sure
    survivors = _verified(reader, fieldname, sized, pending.tolist())
    if not survivors:
        return sure
    return np.union1d(sure, np.array(survivors, dtype=np.int64))


def _verified(reader, fieldname: str, sized: list[tuple[int, str]], docs: list[int]) -> list[int]:
    """Those of ``docs`` (sorted) where the bigrams sit at their offsets from one common start."""
    starts: dict[int, set[int]] = {}  # document -> where the chunk may start in it
    decode = reader.schema[fieldname].format.decode_positions
    for index, (k, gram) in enumerate(sized):
        wanted = set(docs)
        survivors = []
        for ids, values in blocks_holding(reader, fieldname, gram, docs):
            for i, doc in enumerate(ids):
                if doc not in wanted:
                    continue
                positions = {p - k for p in decode(values[i])}
                if index:
                    positions &= starts[doc]
                if positions:
                    starts[doc] = positions
                    survivors.append(doc)
        docs = sorted(survivors)
        if not docs:
            return []
    return docs


def segment_docs(reader, fieldname: str, text: str) -> np.ndarray:
    """Documents (sorted) of one segment reader whose ``fieldname`` n-grams contain every chunk of ``text``."""

    def build():
        result: np.ndarray | None = None
        for chunk in chunks(text):
            docs = _chunk_docs(reader, fieldname, chunk)
            result = docs if result is None else np.intersect1d(result, docs, assume_unique=True)
            if not len(result):
                break
        return EMPTY_IDS if result is None else result

    return cached(reader, ("substring", fieldname, text), build)


class Substring(qcore.Query):
    """Matches documents whose n-gram field contains ``text`` verbatim (each chunk of it)."""

    def __init__(self, fieldname: str, text: str, boost: float = 1.0):
        self.fieldname = fieldname
        self.text = text
        self.boost = boost

    def __repr__(self):
        return f"{type(self).__name__}({self.fieldname!r}, {self.text!r})"

    def __unicode__(self):
        return f"{self.fieldname}:~{self.text}"

    __str__ = __unicode__

    def __eq__(self, other):
        return type(other) is type(self) and (other.fieldname, other.text, other.boost) == (
            self.fieldname,
            self.text,
            self.boost,
        )

    def __hash__(self):
        return hash((type(self).__name__, self.fieldname, self.text, self.boost))

    def is_leaf(self):
        return True

    def field(self):
        return self.fieldname

    def has_terms(self):
        return True

    def _terms(self, phrases=True):
        for chunk in chunks(self.text):
            if len(chunk) <= 2:
                yield (self.fieldname, chunk)
            else:
                for _, gram in _cover(chunk):
                    yield (self.fieldname, gram)

    def terms(self, phrases=True):
        return self._terms(phrases)

    def tokens(self, boost=1.0, exreader=None):
        return iter(())

    def estimate_size(self, ixreader):
        return min((ixreader.doc_frequency(f, t) for f, t in self._terms()), default=0)

    def estimate_min_size(self, ixreader):
        return self.estimate_size(ixreader)

    def matcher(self, searcher, context=None):
        reader = searcher.reader()
        docs = segment_docs(reader, self.fieldname, self.text).tolist()
        if reader.has_deletions():  # postings keep a deleted document until a merge drops it
            docs = [doc for doc in docs if not reader.is_deleted(doc)]
        if not docs:
            return matching.NullMatcher()
        return matching.ListMatcher(docs, all_weights=self.boost)


class DocSet(qcore.Query):
    """Matches a fixed set of (index-wide) document numbers; lets a scoring pass visit only those."""

    def __init__(self, docnums, boost: float = 0.0):
        self.docnums = frozenset(docnums)
        self.boost = boost

    def __repr__(self):
        return f"{type(self).__name__}({len(self.docnums)} docs)"

    def __eq__(self, other):
        return type(other) is type(self) and other.docnums == self.docnums

    def __hash__(self):
        return hash((type(self).__name__, len(self.docnums)))

    def is_leaf(self):
        return True

    def estimate_size(self, ixreader):
        return len(self.docnums)

    def matcher(self, searcher, context=None):
        # A leaf searcher numbers its documents from 0: shift by its offset in the whole index.
        offset = 0
        parent = searcher.parent() if searcher.parent is not None else None
        if parent is not None:
            for sub, sub_offset in parent.subsearchers:
                if sub is searcher:
                    offset = sub_offset
                    break
        count = searcher.doc_count_all()
        ids = sorted(d - offset for d in self.docnums if offset <= d < offset + count)
        if not ids:
            return matching.NullMatcher()
        return matching.ListMatcher(ids, all_weights=self.boost)


class ColumnRange(qcore.Query):
    """Documents whose sortable numeric column value lies in a range, e.g. yyyymmdd dates.

    Whoosh's ``DateRange`` expands into an OR of many trie terms, which costs a second at 10,000
    articles; a column scan of one segment costs about a millisecond.
    """

    def __init__(self, fieldname: str, low=None, high=None, startexcl=False, endexcl=False, boost: float = 0.0):
        self.fieldname = fieldname
        self.low, self.high = low, high
        self.startexcl, self.endexcl = startexcl, endexcl
        self.boost = boost

    def __repr__(self):
        return f"{type(self).__name__}({self.fieldname!r}, {self.low!r}, {self.high!r})"

    def _key(self):
        return (self.fieldname, self.low, self.high, self.startexcl, self.endexcl)

    def __eq__(self, other):
        return type(other) is type(self) and other._key() == self._key()

    def __hash__(self):
        return hash((type(self).__name__, *self._key()))

    def is_leaf(self):
        return True

    def field(self):
        return self.fieldname

    def estimate_size(self, ixreader):
        return ixreader.doc_count()

    def accepts(self, values: np.ndarray) -> np.ndarray:
        """Which of the column ``values`` lie in the range, as a boolean array."""
        accepted = np.ones(len(values), dtype=bool)
        if self.low is not None:
            accepted &= (values > self.low) if self.startexcl else (values >= self.low)
        if self.high is not None:
            accepted &= (values < self.high) if self.endexcl else (values <= self.high)
        return accepted

    def matcher(self, searcher, context=None):
        reader = searcher.reader()
        ids = np.flatnonzero(self.accepts(column_values(reader, self.fieldname))).tolist()
        if reader.has_deletions():
            ids = [doc for doc in ids if not reader.is_deleted(doc)]
        if not ids:
            return matching.NullMatcher()
        return matching.ListMatcher(ids, all_weights=self.boost)
