"""The embedded engine: a Whoosh index in one folder, answered with whole-index arrays.

Top down:

* **store**: :func:`schema` (each text field twice: jieba words for scoring, character n-grams
  with positions for exact substrings), :meth:`WhooshEngine.index` / ``delete`` / ``clear`` through
  :class:`search.whoosh_internals.BulkWriter`;
* **evaluator**: :meth:`WhooshEngine._mask` turns the query tree into a boolean mask over document
  numbers, one branch per node kind (a term's substring documents come from
  :func:`search.substring.segment_docs`); filters are masks too (:meth:`_filter_mask`);
* **answer**: the total is the mask's count, facets counted per value
  (:class:`search.docsets.FacetPairs`), the page a cached date order filtered by the mask, or
  BM25F over every match at once (:mod:`search.docsets`).

The field names and stored identifiers (``archive.article.12``) are those of the Haystack backend
this engine grew out of, so an index built before keeps working.
"""

from __future__ import annotations

import difflib
import shutil
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
from whoosh import index as windex
from whoosh import query as wq
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, TEXT, Schema

from search.analysis import ChineseAnalyzer, NgramAnalyzer, chunks
from search.docsets import arrays_for, forget
from search.engine.base import (
    PLACE_LEVELS,
    Document,
    Engine,
    Filters,
    Hit,
    SearchRequest,
    SearchResult,
    epoch_micros,
    hit_highlights,
    yyyymmdd,
)
from search.formats import NgramPositions
from search.merge import merge_tiers
from search.postings import segment_cache, term_ids
from search.query import And, Node, Not, Or, Term, parse_query, positive_terms
from search.substring import NGRAM_SUFFIX, segment_docs
from search.whoosh_internals import BulkWriter, gc_paused, map_segments_in_place

ID_FIELD, CT_FIELD, PK_FIELD = "id", "django_ct", "django_id"
CONTENT_TYPE = "archive.article"
TEXT_FIELDS = {"text": 1.0, "title": 3.0, "source": 1.0}  # field -> boost
EXACT_FIELDS = ("source_exact", "year", "doc_number")
LIST_FIELDS = (*PLACE_LEVELS, "issuer")
FACET_FIELDS = {"source": "source_exact", "year": "year", "issuer": "issuer"} | {p: p for p in PLACE_LEVELS}
DATE_FIELD = "published"
ASC, DESC = DATE_FIELD + "__asc", DATE_FIELD + "__desc"  # yyyymmdd copies for sorting and ranges
NO_DATE_ASC, NO_DATE_DESC = 99_999_999, 0  # "no date" sorts after every date either way
# When a document became public, in seconds since 1970 UTC. 0 is "not known", also in segments
# written before the field existed (a column they lack reads as 0): such documents never match.
PUBLIC_SINCE = "public_since"
WRITER_TIMEOUT = 120.0  # seconds to wait for another process's index lock


def public_since_field() -> NUMERIC:
    # default=0: a document written without the value (or merged from a segment without the
    # column) holds 0, not NUMERIC's default of the largest number, which every filter would keep.
    return NUMERIC(int, bits=64, sortable=True, default=0)


def schema() -> Schema:
    fields = {
        ID_FIELD: ID(stored=True, unique=True),
        CT_FIELD: ID(stored=True),
        PK_FIELD: ID(stored=True),
        DATE_FIELD: DATETIME(stored=True, sortable=True),
        ASC: NUMERIC(int, bits=32, sortable=True),
        DESC: NUMERIC(int, bits=32, sortable=True),
        PUBLIC_SINCE: public_since_field(),
    }
    for name in EXACT_FIELDS:
        fields[name] = ID(stored=True, sortable=True)
    for name in LIST_FIELDS:
        fields[name] = KEYWORD(stored=True, commas=True, lowercase=False, scorable=False)
    for name, boost in TEXT_FIELDS.items():
        fields[name] = TEXT(stored=True, analyzer=ChineseAnalyzer(), phrase=False, field_boost=boost)
        ngrams = TEXT(analyzer=NgramAnalyzer(), phrase=True, field_boost=boost)
        ngrams.format = NgramPositions(field_boost=boost)
        fields[name + NGRAM_SUFFIX] = ngrams
    return Schema(**fields)


def identifier(pk: int) -> str:
    return f"{CONTENT_TYPE}.{pk}"


def stored_document(doc: Document) -> dict:
    """The Whoosh fields of a document."""
    fields = {ID_FIELD: identifier(doc.id), CT_FIELD: CONTENT_TYPE, PK_FIELD: str(doc.id)}
    for name, value in (("text", doc.text), ("title", doc.title), ("source", doc.source)):
        if value:
            fields[name] = fields[name + NGRAM_SUFFIX] = value
    if doc.source:
        fields["source_exact"] = doc.source
    if doc.published:
        fields[DATE_FIELD] = datetime(doc.published.year, doc.published.month, doc.published.day)
        fields["year"] = doc.year
    fields[ASC] = yyyymmdd(doc.published) or NO_DATE_ASC
    fields[DESC] = yyyymmdd(doc.published) or NO_DATE_DESC
    if doc.doc_number:
        fields["doc_number"] = doc.doc_number
    for level in PLACE_LEVELS:
        codes = doc.places.get(level) or ()
        if codes:
            fields[level] = ",".join(sorted(codes))
    if doc.issuers:
        fields["issuer"] = ",".join(doc.issuers)
    if doc.public_since:
        fields[PUBLIC_SINCE] = epoch_micros(doc.public_since)
    return fields


# A correction may change at most this share of a term's characters: 东铺街道 → 东浦街道 (a quarter)
# is a slip; 核酸 → 核心 (half) is another word.
MAX_CHANGED_SHARE = 1 / 3


def close(term: str, replacement: str) -> bool:
    """Whether ``replacement`` differs from ``term`` in few enough characters to be its correction."""
    kept = sum(block.size for block in difflib.SequenceMatcher(None, term, replacement).get_matching_blocks())
    return (max(len(term), len(replacement)) - kept) <= MAX_CHANGED_SHARE * len(term)


class WhooshEngine(Engine):
    """The embedded engine over the Whoosh index at ``path`` (made on first use).

    ``on_write``: called with the identifiers about to be written or deleted (a rebuild running
    beside this process writes them again into its new index). ``cache_mb``: the budget of the
    process's postings cache (:data:`search.postings.segment_cache`), if given.
    """

    name = "whoosh"

    def __init__(
        self,
        path,
        *,
        procs: int = 1,
        cache_mb: int | None = None,
        on_write: Callable[[list[str]], None] | None = None,
    ):
        map_segments_in_place()  # before any reader opens a segment
        self.path = Path(path)
        if cache_mb:
            segment_cache.budget = int(cache_mb) * 1024 * 1024
        self.procs = max(1, procs)
        self.on_write = on_write
        self._local = threading.local()
        self._ix = None
        self._lock = threading.Lock()

    # -- store ------------------------------------------------------------------------------------

    @property
    def ix(self):
        if self._ix is None:
            with self._lock:
                if self._ix is None:
                    self.path.mkdir(parents=True, exist_ok=True)
                    if windex.exists_in(str(self.path)):
                        self._ix = self._upgraded(windex.open_dir(str(self.path)))
                    else:
                        self._ix = windex.create_in(str(self.path), schema())
        return self._ix

    @ix.setter
    def ix(self, value):
        self._ix = value

    @staticmethod
    def _upgraded(ix):
        """The index with the fields added to :func:`schema` since it was made (none removed or changed).

        Whoosh writes only the fields of the index's own schema, so a field the index lacks is
        added, under the index lock, before anything is written with it; its documents keep no
        value for it until they are written again.
        """
        added = {PUBLIC_SINCE: public_since_field}
        if all(name in ix.schema for name in added):
            return ix
        writer = ix.writer(timeout=WRITER_TIMEOUT, delay=0.05)
        try:
            # The schema as of the lock: another process may have added them meanwhile.
            missing = [name for name in added if name not in writer.schema]
            for name in missing:
                writer.add_field(name, added[name]())
        except BaseException:
            writer.cancel()
            raise
        if missing:
            writer.commit(merge=False)  # the same segments under the wider schema
        else:
            writer.cancel()
        return ix.refresh()

    @property
    def schema(self) -> Schema:
        return self.ix.schema

    def _writer(self):
        self.ix = self.ix.refresh()
        return BulkWriter(self.ix, procs=self.procs, timeout=WRITER_TIMEOUT, delay=0.05)

    def index(self, documents: Iterable[Document]) -> None:
        docs = [stored_document(doc) for doc in documents]
        if not docs:
            return
        ids = [doc[ID_FIELD] for doc in docs]
        if self.on_write:
            self.on_write(ids)
        with gc_paused():
            writer = self._writer()
            try:
                self._delete_identifiers(writer, ids)
                for doc in docs:
                    writer.add_document(**doc)
            except BaseException:
                writer.cancel()
                raise
            writer.commit(mergetype=merge_tiers)

    def delete(self, ids: Iterable[int]) -> None:
        identifiers = [identifier(pk) for pk in ids]
        if not identifiers:
            return
        if self.on_write:
            self.on_write(identifiers)
        writer = self._writer()
        self._delete_identifiers(writer, identifiers)
        writer.commit(mergetype=merge_tiers)

    @staticmethod
    def _delete_identifiers(writer, identifiers):
        """Mark the documents with these identifiers deleted: a term lookup each, no query."""
        reader = writer.reader()
        try:
            for ident in identifiers:
                if (ID_FIELD, ident) in reader:
                    for docnum in reader.postings(ID_FIELD, ident).all_ids():
                        writer.delete_document(docnum)
        finally:
            reader.close()

    def clear(self) -> None:
        # A new index starts its generations again: cached sets and searchers must not outlive it.
        forget(self)
        self.close()
        self._ix = None
        if self.path.exists():
            shutil.rmtree(self.path)
        _ = self.ix

    def close(self) -> None:
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            searcher.close()
        self._local = threading.local()

    def count(self) -> int:
        return self._searcher().doc_count()

    def missing(self, ids: Iterable[int]) -> list[int]:
        searcher = self._searcher()
        return [pk for pk in ids if searcher.document_number(**{ID_FIELD: identifier(pk)}) is None]

    def _searcher(self):
        """This thread's searcher, refreshed to the latest commit (unchanged segments stay open)."""
        self.ix = self.ix.refresh()
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None and not searcher.up_to_date():
            # Not Whoosh's refresh(): it keys the readers to reuse by generation but looks them up by
            # segment id, so it reused none, closed one reader per generation (sometimes one already
            # closed: "Reader already closed", a 500) and left the rest, with their files mapped,
            # to the garbage collector: a web process grew by every merged-away segment.
            searcher.close()
            searcher = None
        if searcher is None:
            searcher = self.ix.searcher()
        self._local.searcher = searcher
        return searcher

    # -- evaluator --------------------------------------------------------------------------------

    def _mask(self, arrays, node: Node) -> np.ndarray:
        """The live documents matching ``node``: one branch per node kind."""
        if isinstance(node, Term):
            fieldname = node.field + NGRAM_SUFFIX
            if not chunks(node.text) or fieldname not in arrays.searcher.schema:
                return np.zeros(arrays.size, dtype=bool)
            return arrays.segments(lambda reader: segment_docs(reader, fieldname, node.text))
        if isinstance(node, Not):
            return arrays.live & ~self._mask(arrays, node.child)
        if isinstance(node, And):
            result = arrays.live.copy()
            for child in node.children:
                result &= self._mask(arrays, child)
            return result
        if isinstance(node, Or):
            result = np.zeros(arrays.size, dtype=bool)
            for child in node.children:
                result |= self._mask(arrays, child)
            return result
        raise TypeError(f"not a query node: {node!r}")

    @staticmethod
    def _values_mask(arrays, fieldname: str, values: Iterable[str]) -> np.ndarray:
        """Documents with any of these exact values in ``fieldname``."""
        values = list(values)
        # A document listed under two of the values is simply marked twice.
        return arrays.segments(lambda r: np.concatenate([term_ids(r, fieldname, v) for v in values]))

    def _filter_mask(self, arrays, filters: Filters) -> np.ndarray:
        mask = arrays.live.copy()
        for level, codes in filters.places:
            mask &= self._values_mask(arrays, level, codes)
        for fieldname, value in (
            ("source_exact", filters.source),
            ("issuer", filters.issuer),
            ("doc_number", filters.doc_number),
        ):
            if value:
                mask &= self._values_mask(arrays, fieldname, [value])
        if filters.date_from or filters.date_to:
            # "No date" is 99999999 in this column: an open end stops at the last real day.
            dates = arrays.column(ASC)
            mask &= (dates >= (yyyymmdd(filters.date_from) or 0)) & (dates <= (yyyymmdd(filters.date_to) or 99_991_231))
        if filters.public_since or filters.public_until:
            since = arrays.column(PUBLIC_SINCE)  # 0: not known
            if filters.public_since:
                mask &= (since >= epoch_micros(filters.public_since)) & (since != 0)
            if filters.public_until:
                mask &= since <= epoch_micros(filters.public_until)  # the not known too
        if filters.exclude_ids:
            mask &= ~self._values_mask(arrays, ID_FIELD, [identifier(pk) for pk in filters.exclude_ids])
        return mask

    def _scoring(self, tree: Node | None) -> wq.Query | None:
        """The words of the query's positive terms, in the words fields: what relevance scores."""
        analyzer = self.schema["text"].analyzer
        terms = []
        for term in positive_terms(tree):
            words = dict.fromkeys(t.text for t in analyzer(term.text, mode="query"))
            fields = ("text", "title") if term.field == "text" else (term.field,)
            terms += [wq.Term(fieldname, word) for word in words for fieldname in fields]
        return wq.Or(terms) if terms else None

    # -- answer -----------------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResult:
        searcher = self._searcher()
        arrays = arrays_for(searcher, self)
        mask = self._filter_mask(arrays, request.filters)
        if request.tree is not None:
            mask &= self._mask(arrays, request.tree)
        total = int(np.count_nonzero(mask))
        facets = {name: arrays.facet_counts(FACET_FIELDS[name], mask) for name in request.facets}  # most first
        start, stop = request.offset, request.offset + request.limit
        sort = request.effective_sort
        if sort == "newest":
            page = [(d, 0.0) for d in arrays.take(arrays.order(DESC, True), mask, start, stop)]
        elif sort == "oldest":
            page = [(d, 0.0) for d in arrays.take(arrays.order(ASC, False), mask, start, stop)]
        else:
            scoring = self._scoring(request.tree)
            scores = arrays.scores(scoring, mask) if scoring is not None else np.zeros(arrays.size)
            ranked = arrays.ranked(scores, mask, arrays.rank(DESC, True), stop)[start:]
            page = [(d, float(scores[d])) for d in ranked]
        hits = []
        for docnum, score in page:
            stored = searcher.stored_fields(docnum)
            highlights = (
                hit_highlights(request.tree, stored.get("title", ""), stored.get("text", ""))
                if request.highlight
                else {}
            )
            hits.append(Hit(id=int(stored[PK_FIELD]), score=score, highlights=highlights))
        return SearchResult(total=total, hits=hits, facets=facets)

    def similar(self, id: int, *, limit: int, exclude: Sequence[int] = ()) -> list[int]:
        """Documents sharing the most distinctive words (Bo1 key terms) of document ``id``'s text."""
        searcher = self._searcher()
        docnum = searcher.document_number(**{ID_FIELD: identifier(id)})
        if docnum is None or limit <= 0:
            return []
        text = searcher.stored_fields(docnum).get("text", "")
        arrays = arrays_for(searcher, self)
        keys = [(word, weight) for word, weight in arrays.key_terms("text", text, numterms=12) if len(word) > 1]
        if not keys:
            return []
        query = wq.Or([wq.Term("text", word, boost=weight) for word, weight in keys])
        mask = self._values_mask(arrays, "text", [word for word, _ in keys])
        mask &= self._filter_mask(arrays, Filters(exclude_ids=(id, *exclude)))
        scores = arrays.scores(query, mask)
        return [int(searcher.stored_fields(d)[PK_FIELD]) for d in arrays.ranked(scores, mask, None, limit)]

    def suggest(self, text: str) -> str | None:
        """The query with misspelt words corrected, e.g. 东铺街道 → 东浦街道; None if nothing to fix.

        Only for a term that finds nothing: index words one character away (same first character,
        to keep the lookup fast), kept when it changes at most a third of the term (:func:`close`) and the corrected
        term finds something.
        """
        parsed = parse_query(text)
        terms = [t for t in parsed.highlight_terms if len(t) >= 2]
        if not terms:
            return None
        searcher = self._searcher()
        arrays = arrays_for(searcher, self)
        analyzer = self.schema["text"].analyzer

        def finds(value: str) -> bool:
            return bool(self._mask(arrays, Term(value)).any())

        corrector = searcher.corrector("text")
        suggestion, changed = parsed.text, False
        for term in terms:
            if finds(term):
                continue
            fixed = []
            for word in (t.text for t in analyzer(term, mode="query")):
                if len(word) < 2 or searcher.doc_frequency("text", word):
                    fixed.append(word)
                    continue
                found = corrector.suggest(word, limit=1, maxdist=1, prefix=1)
                fixed.append(found[0] if found else word)
            replacement = "".join(fixed)
            if replacement != term and close(term, replacement) and finds(replacement):
                suggestion, changed = suggestion.replace(term, replacement), True
        return suggestion if changed else None
