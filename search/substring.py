"""Exact substring matching on the n-gram field, fast: set operations instead of Whoosh's span phrases.

A query chunk of one or two characters is one indexed term. A longer chunk occurs at character p
when bigram ``chunk[k:k+2]`` sits at position p+k for enough k to cover every character: k = 0,
2, 4, … and the last pair (``chunk`` of length 5 needs 3 bigrams, not 4). The documents holding
all of those bigrams come from posting-id set intersection; only for those are the positions
read. Whoosh's own :class:`~whoosh.query.Phrase` does the same with span objects and is 20×
slower on common words.

Results are per segment (Whoosh searches segment by segment) and cached by segment and its
deletion count, which is all that can change in a segment; a new commit's segments get new keys.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from whoosh import matching
from whoosh.query import qcore

from search.analysis import chunks

CACHE_SIZE = 1024
NGRAM_SUFFIX = "__ng"  # the n-gram copy of a text field; the field without it holds the words


class _LRU:
    def __init__(self, size: int):
        self.size = size
        self.data: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.data.get(key)
            if value is not None:
                self.data.move_to_end(key)
            return value

    def put(self, key, value):
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)


_cache = _LRU(CACHE_SIZE)


def _cover(chunk: str) -> list[tuple[int, str]]:
    """(offset, bigram) pairs whose positions pin down every character of ``chunk`` (len ≥ 3)."""
    last = len(chunk) - 2
    offsets = list(range(0, last + 1, 2))
    if offsets[-1] != last:
        offsets.append(last)
    return [(k, chunk[k : k + 2]) for k in offsets]


def _ids(reader, fieldname: str, term: str) -> set[int]:
    if (fieldname, term) not in reader:
        return set()
    return set(reader.postings(fieldname, term).all_ids())


def _chunk_docs(reader, fieldname: str, chunk: str) -> frozenset[int]:
    if len(chunk) <= 2:
        return frozenset(_ids(reader, fieldname, chunk))
    cover = _cover(chunk)
    # Rarest bigram first, so the candidate set shrinks fastest.
    sized = sorted(cover, key=lambda item: reader.doc_frequency(fieldname, item[1]))
    candidates: set[int] | None = None
    for _, gram in sized:
        ids = _ids(reader, fieldname, gram)
        candidates = ids if candidates is None else candidates & ids
        if not candidates:
            return frozenset()
    # A document whose words field (the same text, cut into words) has the chunk as a word holds
    # it verbatim: only the others need their positions read. Place names and common words are
    # words, so this skips most of the reading for the queries people type most.
    words_field = fieldname[: -len(NGRAM_SUFFIX)] if fieldname.endswith(NGRAM_SUFFIX) else None
    sure = _ids(reader, words_field, chunk) & candidates if words_field in reader.schema else set()
    ordered = sorted(candidates - sure)
    if not ordered:
        return frozenset(sure)
    starts: dict[int, set[int]] = {}  # document -> where the chunk may start in it
    for index, (k, gram) in enumerate(sized):
        matcher = reader.postings(fieldname, gram)
        survivors = []
        for doc in ordered:
            if matcher.id() < doc:
                matcher.skip_to(doc)
            if not matcher.is_active():
                break
            if matcher.id() != doc:
                continue
            positions = {p - k for p in matcher.value_as("positions")}
            if index:
                positions &= starts[doc]
            if positions:
                starts[doc] = positions
                survivors.append(doc)
        ordered = survivors
        if not ordered:
            return frozenset(sure)
    return frozenset(sure.union(ordered))


def segment_docs(reader, fieldname: str, text: str) -> frozenset[int]:
    """Documents of one segment reader whose ``fieldname`` n-grams contain every chunk of ``text``."""
    segment = getattr(reader, "segment", lambda: None)()
    key = None
    if segment is not None:
        key = (segment.segment_id(), segment.deleted_count(), fieldname, text)
        cached = _cache.get(key)
        if cached is not None:
            return cached
    result: frozenset[int] | None = None
    for chunk in chunks(text):
        docs = _chunk_docs(reader, fieldname, chunk)
        result = docs if result is None else result & docs
        if not result:
            break
    result = result or frozenset()
    if key is not None:
        _cache.put(key, result)
    return result


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
        docs = segment_docs(searcher.reader(), self.fieldname, self.text)
        if not docs:
            return matching.NullMatcher()
        return matching.ListMatcher(sorted(docs), all_weights=self.boost)


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


_columns = _LRU(64)


def _column_values(reader, fieldname: str) -> list:
    """A segment's column values, cached by segment (a segment's columns never change)."""
    segment = getattr(reader, "segment", lambda: None)()
    key = (segment.segment_id(), fieldname) if segment is not None else None
    values = _columns.get(key) if key else None
    if values is None:
        values = list(reader.column_reader(fieldname)) if reader.has_column(fieldname) else []
        if key:
            _columns.put(key, values)
    return values


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

    def _accepts(self, value) -> bool:
        if self.low is not None and (value < self.low or (self.startexcl and value == self.low)):
            return False
        if self.high is not None and (value > self.high or (self.endexcl and value == self.high)):
            return False
        return True

    def matcher(self, searcher, context=None):
        reader = searcher.reader()
        values = _column_values(reader, self.fieldname)
        deleted = reader.is_deleted if reader.has_deletions() else None
        ids = [doc for doc, value in enumerate(values) if self._accepts(value) and not (deleted and deleted(doc))]
        if not ids:
            return matching.NullMatcher()
        return matching.ListMatcher(ids, all_weights=self.boost)
