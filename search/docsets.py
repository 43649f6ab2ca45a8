"""Answer a search with whole-index arrays: matches as a boolean mask, facets, order and BM25 scores.

Whoosh answers a query by walking matchers a document at a time, a Python call per document per
query node. At 100,000 articles a broad query visits most of them several times over: a page took
seconds. Here a query becomes a NumPy boolean mask over every document number of the index:

* :meth:`IndexArrays.segments` assembles a mask from per-segment document lists: a term's
  postings read a block at a time (:func:`term_postings`) or a substring's documents
  (:func:`search.substring.segment_docs`), both kept per segment, since a segment's postings never
  change (deletions only hide documents); the engine's evaluator
  (:meth:`search.engine.whoosh_engine.WhooshEngine._mask`) combines them with ``&``/``|``/``~``;
* :meth:`IndexArrays.column` is a cached column array (dates as yyyymmdd numbers);
* facet counts come from (document, value) pairs kept per index generation, summed per value's
  run for many matches or over the matches' own pairs for a few (:class:`FacetPairs`);
* "newest first" is a precomputed order filtered by the mask;
* relevance is Whoosh's BM25F computed for every match at once from the scoring terms' postings
  and the field lengths (the same formula, statistics and boosts as Whoosh's scorer; a test
  compares the two).

:class:`IndexArrays` holds what belongs to one index generation; build it through
:func:`arrays_for`, which keeps one per generation.
"""

from __future__ import annotations

import threading

import numpy as np
from whoosh import query as wq
from whoosh.fields import TEXT
from whoosh.scoring import BM25F

from search.postings import (
    EMPTY_IDS,
    cached,
    column_values,
    facet_postings,
    field_lengths,
    segment_cache,
    segment_key,
    term_postings,
)
from search.whoosh_internals import field_b

PARTITION_FACTOR = 4  # past this many matches per wanted result, sort only the best-scoring ones

# -- one index generation -----------------------------------------------------------------------


class FacetPairs:
    """An exact field's (document, value) pairs, held both ways to count them in time that grows
    with the smaller side: grouped by value (``docs``, each value's run from ``starts``) for a mask
    of many documents, and by document (``values``, each document's from ``offsets``) for a few.

    At 1,000,000 articles a field has about three million pairs: a ``bincount`` over all of them
    took 8–19 ms per facet and page; a sum over each value's run takes 5 ms, and a few hundred
    matches are counted from their own pairs in well under one.
    """

    SPARSE = 8  # count the matches' own pairs while they are under 1/SPARSE of the documents

    def __init__(self, names: list[str], docs: np.ndarray, values: np.ndarray, size: int):
        self.names = names
        by_value = np.argsort(values, kind="stable")
        self.docs = docs[by_value]
        self.starts = np.searchsorted(values[by_value], np.arange(len(names)))
        by_doc = np.argsort(docs, kind="stable")
        self.values = values[by_doc]
        self.offsets = np.searchsorted(docs[by_doc], np.arange(size + 1))
        for part in (self.docs, self.starts, self.values, self.offsets):
            part.flags.writeable = False

    def counts(self, mask: np.ndarray) -> list[tuple[str, int]]:
        """[(value, count)] of the documents in ``mask``, most first, then by value."""
        if not self.names:
            return []
        if np.count_nonzero(mask) * self.SPARSE < len(self.offsets):  # a few: count their own pairs
            matches = np.flatnonzero(mask)
            first, last = self.offsets[matches], self.offsets[matches + 1]
            sizes = last - first
            pairs = np.repeat(first - np.cumsum(sizes) + sizes, sizes) + np.arange(int(sizes.sum()))
            counts = np.bincount(self.values[pairs], minlength=len(self.names))
        else:
            counts = np.add.reduceat(mask[self.docs], self.starts, dtype=np.int64)  # no run is empty
        found = [(self.names[i], int(counts[i])) for i in np.flatnonzero(counts)]
        return sorted(found, key=lambda item: (-item[1], item[0]))


class Unsupported(Exception):
    """The query needs Whoosh's own scoring (a node the array scorer does not know)."""


class Generation:
    """What one index generation's arrays share across threads: built once, then only read.

    Every thread searching the same generation gets the same columns, facet pairs and orders; a
    thread that asks for one being built waits for it instead of building a copy. The arrays are
    made read-only, so sharing them is safe.
    """

    def __init__(self, key, size: int, live: np.ndarray):
        self.key = key
        self.size = size
        live.flags.writeable = False
        self.live = live
        self._memo: dict = {}
        self._building: dict = {}
        self._lock = threading.Lock()

    def memoized(self, key, build):
        with self._lock:
            if key in self._memo:
                return self._memo[key]
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                if key in self._memo:
                    return self._memo[key]
            value = build()
            for part in value if isinstance(value, tuple) else (value,):
                if isinstance(part, np.ndarray):
                    part.flags.writeable = False
            with self._lock:
                self._memo[key] = value
                self._building.pop(key, None)
        return value

    @property
    def nbytes(self) -> int:
        """Bytes held in arrays (tests watch it)."""
        total = self.live.nbytes
        for value in list(self._memo.values()):
            for part in value if isinstance(value, tuple) else (value,):
                total += getattr(part, "nbytes", 0)
        return total


class IndexArrays:
    """Arrays over every document number of one searcher's index generation.

    The arrays themselves belong to the generation (:class:`Generation`, shared by every thread);
    this object pairs them with the calling thread's searcher, which is what reads postings
    (a Whoosh searcher's files are not safe to read from two threads at once).
    """

    def __init__(self, searcher, generation: Generation):
        self.searcher = searcher
        self.leaves = list(searcher.reader().leaf_readers())
        self.generation = generation
        self.size = self.generation.size
        self.live = self.generation.live

    def _memoized(self, key, build):
        return self.generation.memoized(key, build)

    def segments(self, per_segment) -> np.ndarray:
        """A mask of the documents that ``per_segment(reader)`` (segment document numbers) lists."""
        mask = np.zeros(self.size, dtype=bool)
        for reader, offset in self.leaves:
            ids = per_segment(reader)
            if len(ids):
                mask[np.asarray(ids, dtype=np.int64) + offset] = True
        return mask & self.live

    def column(self, fieldname: str) -> np.ndarray:
        def build():
            parts = [column_values(reader, fieldname) for reader, _ in self.leaves]
            return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

        return self._memoized(("column", fieldname), build)

    # -- facets

    def facet_pairs(self, fieldname: str) -> FacetPairs:
        """Every (document, value) pair of an exact field (:class:`FacetPairs`)."""

        def build():
            index: dict[str, int] = {}
            docs, values = [], []
            for reader, offset in self.leaves:
                for value, ids in facet_postings(reader, fieldname).items():
                    if len(ids):  # every value has a pair (FacetPairs counts runs)
                        slot = index.setdefault(value, len(index))
                        docs.append(ids + offset)
                        values.append(np.full(len(ids), slot, dtype=np.int64))
            return FacetPairs(
                list(index),
                np.concatenate(docs) if docs else EMPTY_IDS,
                np.concatenate(values) if values else EMPTY_IDS,
                self.size,
            )

        return self._memoized(("facet", fieldname), build)

    def facet_counts(self, fieldname: str, mask: np.ndarray) -> list[tuple[str, int]]:
        """[(value, count)] of the matching documents, most first, then by value."""
        return self.facet_pairs(fieldname).counts(mask)

    # -- ordering

    def order(self, fieldname: str, reverse: bool) -> np.ndarray:
        """Document numbers by a numeric column, smallest first (largest first if ``reverse``), ties by number."""

        def build():
            keys = self.column(fieldname)
            return np.argsort(-keys if reverse else keys, kind="stable")

        return self._memoized(("order", fieldname, reverse), build)

    def rank(self, fieldname: str, reverse: bool) -> np.ndarray:
        """Each document's position in :meth:`order` (for tie-breaking by that order)."""

        def build():
            order = self.order(fieldname, reverse)
            rank = np.empty(self.size, dtype=np.int64)
            rank[order] = np.arange(self.size, dtype=np.int64)
            return rank

        return self._memoized(("rank", fieldname, reverse), build)

    @staticmethod
    def take(order: np.ndarray, mask: np.ndarray, start: int, stop: int) -> list[int]:
        return order[mask[order]][start:stop].tolist()

    # -- relevance

    def scores(self, scoring, mask: np.ndarray) -> np.ndarray:
        """BM25F scores, as Whoosh's default weighting computes them, of the scoring query's terms."""
        weighting = self.searcher.weighting
        if type(weighting) is not BM25F:
            raise Unsupported(weighting)
        total = np.zeros(self.size, dtype=np.float64)
        for term in _terms_of(scoring):
            field = self.searcher.schema[term.fieldname] if term.fieldname in self.searcher.schema else None
            if not isinstance(field, TEXT) or not field.scorable:
                raise Unsupported(term)
            if not self.searcher.doc_frequency(term.fieldname, term.text):
                continue
            avgfl = self.searcher.avg_field_length(term.fieldname) or 1
            b = field_b(weighting, term.fieldname)
            k1 = weighting.K1
            # idf · tf·(k1+1) / (tf + k1·(1 − b + b·length/avgfl)), the last term kept per segment
            factor = self.searcher.idf(term.fieldname, term.text) * (k1 + 1) * term.boost
            for reader, offset in self.leaves:
                ids, weights = term_postings(reader, term.fieldname, term.text)
                if not len(ids):
                    continue
                score = length_norms(reader, term.fieldname, k1=k1, b=b, avgfl=avgfl)[ids]
                score += weights
                np.divide(weights, score, out=score)
                score *= factor
                total[ids + offset] += score
        total[~mask] = 0.0
        return total

    def key_terms(self, fieldname: str, text: str, numterms: int) -> list[tuple[str, float]]:
        """Whoosh's ``key_terms_from_text`` (Bo1, normalized): the same terms and weights, with the
        collection frequencies it looks up kept for the generation."""
        from whoosh.classify import Bo1Model, Expander

        known = self._memoized(("frequencies",), dict)
        expander = Expander(_KnownFrequencies(self.searcher.reader(), known), fieldname, model=Bo1Model)
        expander.add_text(text)
        return expander.expanded_terms(numterms, normalize=True)

    @staticmethod
    def ranked(scores: np.ndarray, mask: np.ndarray, tiebreak: np.ndarray | None, limit: int) -> list[int]:
        """The first ``limit`` matches by score (highest first), then ``tiebreak`` rank, then number."""
        docs = np.flatnonzero(mask)
        if not len(docs) or limit <= 0:
            return []
        doc_scores = scores[docs]
        if len(docs) > PARTITION_FACTOR * limit:
            # Only documents scoring above the limit-th best score, and the best by tiebreak of those
            # scoring it, make the page. Where few matches hold a scoring word (one character), most
            # score 0: the threshold is looked for among the others (np.partition over an array
            # nearly all one value took 190 ms at 1,000,000 articles).
            positive = doc_scores[doc_scores > 0]
            threshold = (
                np.partition(positive, len(positive) - limit)[len(positive) - limit] if len(positive) >= limit else 0.0
            )
            above = np.flatnonzero(doc_scores > threshold)
            tied = np.flatnonzero(doc_scores == threshold)
            need = limit - len(above)
            if len(tied) > need:
                tie_keys = tiebreak[docs[tied]] if tiebreak is not None else docs[tied]  # distinct
                tied = tied[np.argpartition(tie_keys, need - 1)[:need]]
            keep = np.concatenate([above, tied])
            docs, doc_scores = docs[keep], doc_scores[keep]
        keys = [docs, tiebreak[docs]] if tiebreak is not None else [docs]
        order = np.lexsort((*keys, -doc_scores))
        return docs[order][:limit].tolist()


class _KnownFrequencies:
    """A reader whose collection frequencies are kept for its generation (``key_terms`` asks for
    one per distinct word of the article: thousands of segment lookups a page)."""

    def __init__(self, reader, known: dict):
        self._reader, self._known = reader, known

    def _frequency(self, key):
        if key not in self._known:
            self._known[key] = self._reader.frequency(*key) if key in self._reader else None
        return self._known[key]

    def __contains__(self, key):
        return self._frequency(key) is not None

    def frequency(self, fieldname, text):
        return self._frequency((fieldname, text)) or 0

    def __getattr__(self, name):
        return getattr(self._reader, name)


def length_norms(reader, fieldname: str, *, k1: float, b: float, avgfl: float) -> np.ndarray:
    """BM25's ``k1·(1 − b + b·length/avgfl)`` of every document of a segment, kept per segment
    (``avgfl`` is the index's, so a new generation keeps its own)."""

    def build():
        return k1 * ((1 - b) + b * field_lengths(reader, fieldname) / avgfl)

    return cached(reader, ("length_norms", fieldname, k1, b, avgfl), build)


def _terms_of(query):
    """The Term leaves of an Or of terms (whose score is the sum of theirs); Unsupported for anything else."""
    if isinstance(query, wq.Term):
        if query.boost is None:
            raise Unsupported(query)
        return [query]
    if type(query) is wq.Or and query.boost == 1.0:
        return [t for q in query.subqueries for t in _terms_of(q)]
    raise Unsupported(query)


def _live_documents(searcher, leaves) -> tuple[int, np.ndarray]:
    size = searcher.doc_count_all()
    live = np.ones(size, dtype=bool)
    for reader, offset in leaves:
        if reader.has_deletions():
            deleted = np.fromiter(reader.segment().deleted_docs(), dtype=np.int64)
            live[deleted + offset] = False
    return size, live


_generations: dict = {}
_generations_lock = threading.Lock()


def _owner_key(owner):
    # Haystack makes a backend object per thread, so the index's folder is what names it.
    return getattr(owner, "path", None) or id(owner)


def generation_key(searcher) -> tuple:
    """(TOC generation, (segment id, deletions) per segment): changes with every commit."""
    reader = searcher.reader()
    generation = reader.generation() if hasattr(reader, "generation") else None
    segments = tuple(
        (segment_key(r), r.segment().deleted_count() if hasattr(r, "segment") and r.segment() else 0)
        for r, _ in reader.leaf_readers()
    )
    return (generation if generation is not None else -1, segments)


def arrays_for(searcher, owner) -> IndexArrays:
    """The :class:`IndexArrays` of ``searcher``'s generation, its arrays built once per process.

    One :class:`Generation` is kept per index (``owner``'s folder): the latest one any thread has
    searched. Threads share it; when a commit makes a new generation, the first search of it
    replaces the old one, whose arrays are freed once no search still uses them. A search of an
    older generation than the one kept (a thread that has not refreshed yet) gets arrays of its
    own, dropped with the search.
    """
    key = generation_key(searcher)
    slot = _owner_key(owner)
    with _generations_lock:
        found = _generations.get(slot)
    if found is not None and found.key == key:
        return IndexArrays(searcher, found)
    leaves = list(searcher.reader().leaf_readers())
    fresh = Generation(key, *_live_documents(searcher, leaves))
    with _generations_lock:
        found = _generations.get(slot)
        if found is not None and found.key == key:
            fresh = found  # another thread got there first
        elif found is None or found.key[0] <= key[0]:
            _generations[slot] = fresh
    return IndexArrays(searcher, fresh)


def kept_generations() -> dict:
    """{index: Generation} as kept now (tests watch it)."""
    with _generations_lock:
        return dict(_generations)


def forget(owner) -> None:
    """Drop the arrays kept for ``owner`` (e.g. when its index is deleted and rebuilt)."""
    with _generations_lock:
        _generations.pop(_owner_key(owner), None)
    segment_cache.clear()
