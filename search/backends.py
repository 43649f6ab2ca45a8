"""Haystack's Whoosh backend, made to work for Chinese.

Configured as ``search.backends.ChineseWhooshEngine``. Compared with Haystack 3.4's Whoosh
backend it:

* analyses text fields with :mod:`search.analysis`: each text field is indexed twice, as jieba words
  (``title``, scoring) and as character n-grams (``title__ng``, exact substring recall), so a query
  of any length finds every article containing it, one character included (水 finds 水质);
* keeps facet fields exact (``ID``/``KEYWORD``, never tokenized);
* answers a search with whole-index arrays (:mod:`search.docsets`): the matches as a mask, facet
  counts in one pass, date order from a cached ordering, BM25F relevance for every match at once,
  instead of Whoosh's call per document per query node;
* builds Whoosh query objects from Haystack's query tree (:class:`ChineseWhooshSearchQuery`) instead
  of a query string re-parsed by Whoosh's parser, so the match-all query really matches all, and the
  user's query language (:mod:`search.query`) arrives intact;
* does not highlight: :mod:`search.service` makes the snippets, once, from the articles shown;
* indexes a batch with one writer and one commit, and waits for the index lock instead of failing;
  writes with :class:`search.whoosh_writer.BulkWriter` (the stock segment format, several times
  faster) and merges segments rarely (:mod:`search.merge`);
* sorts undated documents last in both date directions;
* finds "more like this" from the words field's key terms.
"""

from __future__ import annotations

import threading
from datetime import date, datetime

import numpy as np
from django.utils.encoding import force_str
from haystack.backends import BaseEngine, SearchNode, log_query
from haystack.backends.whoosh_backend import WhooshSearchBackend, WhooshSearchQuery
from haystack.constants import DJANGO_CT, DJANGO_ID, ID
from haystack.exceptions import SkipDocument
from haystack.fields import FacetField
from haystack.inputs import BaseInput, Exact, Raw
from haystack.models import SearchResult
from haystack.utils import get_identifier, get_model_ct
from haystack.utils.app_loading import haystack_get_model
from whoosh import query as wq
from whoosh import sorting
from whoosh.fields import BOOLEAN, DATETIME, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.fields import ID as WHOOSH_ID

from search import query as uq
from search.analysis import ChineseAnalyzer, NgramAnalyzer
from search.docsets import Unsupported, arrays_for, forget
from search.formats import NgramPositions
from search.merge import merge_tiers
from search.rebuild import note_changes
from search.substring import NGRAM_SUFFIX, ColumnRange, DocSet, Substring
from search.substring import chunks as substring_chunks
from search.whoosh_writer import BulkWriter, gc_paused

# Date copies as yyyymmdd numbers for sorting, where "no date" sorts after every date either way.
ASC_SUFFIX, DESC_SUFFIX = "__asc", "__desc"
_NO_DATE_ASC, _NO_DATE_DESC = 99_999_999, 0
WRITER_TIMEOUT = 120.0  # seconds to wait for another process's index lock


class UserQuery(BaseInput):
    """What a user typed in the search box, in the language of :mod:`search.query`.

    ``SearchQuerySet().filter(content=UserQuery("东浦 -疫情"))``. The Whoosh backend turns the parsed
    tree into Whoosh queries; other backends get a Lucene query string.
    """

    input_type_name = "user_query"
    post_process = False

    def __init__(self, query_string, parsed: uq.ParsedQuery | None = None, **kwargs):
        super().__init__(query_string, **kwargs)
        self.parsed = parsed or uq.parse_query(query_string)

    def prepare(self, query_obj):
        return uq.to_lucene(self.parsed.tree)


class ChineseWhooshSearchBackend(WhooshSearchBackend):
    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.procs = max(1, int(connection_options.get("PROCS", 1)))
        self._local = threading.local()

    # -- schema ---------------------------------------------------------------------------------

    def build_schema(self, fields):
        schema_fields = {
            ID: WHOOSH_ID(stored=True, unique=True),
            DJANGO_CT: WHOOSH_ID(stored=True),
            DJANGO_ID: WHOOSH_ID(stored=True),
        }
        content_field_name = ""
        self.text_fields: list[str] = []
        self.date_fields: list[str] = []
        self.multivalued_fields: list[str] = []
        for field_class in fields.values():
            name = field_class.index_fieldname
            kind = field_class.field_type
            if field_class.is_multivalued:
                schema_fields[name] = KEYWORD(stored=True, commas=True, lowercase=False, scorable=False)
                self.multivalued_fields.append(name)
            elif isinstance(field_class, FacetField) or kind == "exact":
                schema_fields[name] = WHOOSH_ID(stored=True, sortable=True)
            elif kind in ("date", "datetime"):
                schema_fields[name] = DATETIME(stored=field_class.stored, sortable=True)
                schema_fields[name + ASC_SUFFIX] = NUMERIC(int, bits=32, sortable=True)
                schema_fields[name + DESC_SUFFIX] = NUMERIC(int, bits=32, sortable=True)
                self.date_fields.append(name)
            elif kind == "integer":
                schema_fields[name] = NUMERIC(int, stored=field_class.stored, sortable=True)
            elif kind == "float":
                schema_fields[name] = NUMERIC(float, stored=field_class.stored, sortable=True)
            elif kind == "boolean":
                schema_fields[name] = BOOLEAN(stored=field_class.stored)
            else:
                boost = field_class.boost
                schema_fields[name] = TEXT(
                    stored=field_class.stored, analyzer=ChineseAnalyzer(), phrase=False, field_boost=boost
                )
                ngrams = TEXT(analyzer=NgramAnalyzer(), phrase=True, field_boost=boost)
                ngrams.format = NgramPositions(field_boost=boost)
                schema_fields[name + NGRAM_SUFFIX] = ngrams
                self.text_fields.append(name)
            if field_class.document:
                content_field_name = name
        return content_field_name, Schema(**schema_fields)

    # -- writing --------------------------------------------------------------------------------

    def _writer(self):
        self.index = self.index.refresh()
        return BulkWriter(self.index, procs=self.procs, timeout=WRITER_TIMEOUT, delay=0.05)

    def _document(self, index, obj) -> dict | None:
        try:
            prepared = index.full_prepare(obj)
        except SkipDocument:
            return None
        doc = {}
        for key, value in prepared.items():
            if value is None or value == [] or key == "boost":
                continue
            value = self._from_python(value)
            doc[key] = value
            if key in self.text_fields:
                doc[key + NGRAM_SUFFIX] = value
            elif key in self.date_fields:
                doc[key + ASC_SUFFIX] = doc[key + DESC_SUFFIX] = int(value.strftime("%Y%m%d"))
        for key in self.date_fields:
            doc.setdefault(key + ASC_SUFFIX, _NO_DATE_ASC)
            doc.setdefault(key + DESC_SUFFIX, _NO_DATE_DESC)
        return doc

    def update(self, index, iterable, commit=True):
        """Index (or re-index) the objects with one writer and one commit."""
        if not self.setup_complete:
            self.setup()
        docs = [doc for doc in (self._document(index, obj) for obj in iterable) if doc]
        if not docs:
            return
        note_changes(self.path, [doc[ID] for doc in docs])  # a rebuild running beside us writes them too
        with gc_paused():
            writer = self._writer()
            try:
                self._delete_ids(writer, [doc[ID] for doc in docs])
                for doc in docs:
                    writer.add_document(**doc)
            except BaseException:
                writer.cancel()
                raise
            writer.commit(mergetype=merge_tiers)

    def remove(self, obj_or_string, commit=True):
        self.remove_many([obj_or_string])

    def remove_many(self, objs_or_strings):
        """Delete documents by object or identifier (``archive.article.12``), in one commit."""
        if not self.setup_complete:
            self.setup()
        ids = [get_identifier(o) for o in objs_or_strings]
        if not ids:
            return
        note_changes(self.path, ids)
        writer = self._writer()
        self._delete_ids(writer, ids)
        writer.commit(mergetype=merge_tiers)

    def delete_index(self):
        # A new index starts its generations again: cached sets and searchers must not outlive it.
        forget(self)
        self._local = threading.local()
        super().delete_index()

    def missing_identifiers(self, identifiers) -> list[str]:
        """Those of the identifiers (``archive.article.12``) with no document in the index."""
        if not self.setup_complete:
            self.setup()
        self.index = self.index.refresh()
        with self.index.searcher() as searcher:
            return [i for i in identifiers if searcher.document_number(**{ID: i}) is None]

    @staticmethod
    def _delete_ids(writer, ids):
        """Mark the documents with these identifiers deleted: a term lookup each, no query."""
        reader = writer.reader()
        try:
            for identifier in ids:
                if (ID, identifier) in reader:
                    for docnum in reader.postings(ID, identifier).all_ids():
                        writer.delete_document(docnum)
        finally:
            reader.close()

    # -- queries --------------------------------------------------------------------------------

    def text_query(self, text: str, fieldname: str | None = None) -> wq.Query:
        """Documents containing ``text`` verbatim in ``fieldname`` (default: the document field).

        Matching is by the n-gram field (exact substring); scoring by the words field's terms, and
        for the document field also the title's (boosted), so title matches rank first.
        """
        if not self.setup_complete:
            self.setup()
        fieldname = fieldname or self.content_field_name
        if not substring_chunks(text):
            return wq.NullQuery
        required = Substring(fieldname + NGRAM_SUFFIX, text)
        words = list(dict.fromkeys(t.text for t in self.schema[fieldname].analyzer(text, mode="query")))
        scoring = [wq.Term(fieldname, w) for w in words]
        if fieldname == self.content_field_name and "title" in self.text_fields:
            scoring += [wq.Term("title", w) for w in words]
        if not scoring:
            return required
        return wq.AndMaybe(required, wq.Or(scoring))

    def user_query(self, node) -> wq.Query:
        """Turn a :mod:`search.query` tree into a Whoosh query."""
        if node is None:
            return wq.Every()
        if isinstance(node, uq.Term):
            return self.text_query(node.text, None if node.field == "text" else node.field)
        if isinstance(node, uq.Not):
            return wq.Not(self.user_query(node.child))
        parts = [self.user_query(child) for child in node.children]
        return (wq.And(parts) if isinstance(node, uq.And) else wq.Or(parts)).normalize()

    def _as_query(self, query) -> wq.Query:
        if isinstance(query, wq.Query):
            return query
        text = force_str(query or "").strip()
        if text in ("", "*", "*:*"):
            return wq.Every()
        return self.parser.parse(text)

    def _model_filter(self, models, limit_to_registered_models) -> wq.Query | None:
        if models:
            choices = sorted(get_model_ct(model) for model in models)
        elif limit_to_registered_models is not False:
            choices = self.build_models_list()
        else:
            choices = []
        if set(choices) >= set(self.build_models_list()):
            return None  # every indexed model: no filter needed (and none to pay for)
        return wq.Or([wq.Term(DJANGO_CT, ct) for ct in choices]) if choices else None

    def _searcher(self):
        """This thread's searcher, refreshed to the latest commit (unchanged segments stay open)."""
        if not self.setup_complete:
            self.setup()
        local = self._local
        searcher = getattr(local, "searcher", None)
        if searcher is not None and not searcher.up_to_date():
            # Not Whoosh's refresh(): it keys the readers to reuse by generation but looks them up by
            # segment id, so it reused none, closed one reader per generation (sometimes one already
            # closed: "Reader already closed", a 500) and left the rest, with their files mapped,
            # to the garbage collector: a web process grew by every merged-away segment.
            searcher.close()
            searcher = None
        if searcher is None:
            searcher = self.index.searcher()
        local.searcher = searcher
        return searcher

    def _sortedby(self, sort_by):
        if not sort_by:
            return None
        facets = []
        for order in sort_by:
            reverse = order.startswith("-")
            name = order.lstrip("-")
            if name in self.date_fields:
                name += DESC_SUFFIX if reverse else ASC_SUFFIX
            facets.append(sorting.FieldFacet(name, reverse=reverse))
        return facets[0] if len(facets) == 1 else sorting.MultiFacet(facets)

    def _date_sort(self, sort_by):
        """(sort field, reverse) when the order is by one date field, else None."""
        if not sort_by or len(sort_by) != 1:
            return None
        name = sort_by[0].lstrip("-")
        reverse = sort_by[0].startswith("-")
        if name not in self.date_fields:
            return None
        return (name + (DESC_SUFFIX if reverse else ASC_SUFFIX), reverse)

    @log_query
    def search(
        self,
        query_string,
        sort_by=None,
        start_offset=0,
        end_offset=None,
        fields="",
        highlight=False,
        facets=None,
        date_facets=None,
        query_facets=None,
        narrow_queries=None,
        spelling_query=None,
        within=None,
        dwithin=None,
        distance_point=None,
        models=None,
        limit_to_registered_models=None,
        result_class=None,
        **kwargs,
    ):
        if not self.setup_complete:
            self.setup()
        self.index = self.index.refresh()
        empty = {"results": [], "hits": 0, "facets": {"fields": {}, "dates": {}, "queries": {}}}
        query = self._as_query(query_string)
        if query is wq.NullQuery:
            return empty
        filters = [q for q in [self._model_filter(models, limit_to_registered_models)] if q is not None]
        for narrow in narrow_queries or ():
            filters.append(self._as_query(narrow))
        page_num, page_length = self.calculate_page(start_offset, end_offset)
        searcher = self._searcher()  # one per thread, kept open and refreshed
        filter_query = wq.And(filters).normalize() if filters else None
        whole = wq.And([query, filter_query]).normalize() if filter_query is not None else query
        arrays = arrays_for(searcher, self)
        mask = arrays.mask(_matching_part(whole))
        hits = int(np.count_nonzero(mask))
        facet_counts = {name: arrays.facet_counts(name, mask) for name in facets or ()}
        limit = page_num * page_length
        start = (page_num - 1) * page_length
        date_sort = self._date_sort(sort_by)
        if date_sort:
            page = [(docnum, 0.0) for docnum in arrays.take(arrays.order(*date_sort), mask, start, limit)]
        else:
            newest = self._date_sort(["-" + self.date_fields[0]]) if self.date_fields else None
            scoring_terms = _scoring_part(query)
            try:
                if sort_by:
                    raise Unsupported(sort_by)
                scores = arrays.scores(scoring_terms, mask) if scoring_terms is not None else np.zeros(arrays.size)
                tiebreak = arrays.rank(*newest) if newest else None
                ranked = arrays.ranked(scores, mask, tiebreak, limit)
                page = [(docnum, float(scores[docnum])) for docnum in ranked[start:limit]]
            except Unsupported:
                page = self._whoosh_ranked(searcher, arrays, mask, scoring_terms, sort_by, newest, limit)[start:limit]
        found = self._results(searcher, page, result_class)
        suggestion = None
        if not hits and (spelling_query or self.include_spelling):
            suggestion = self.create_spelling_suggestion(spelling_query or self._query_text(query_string))
        return {
            "results": found,
            "hits": hits,
            "facets": {"fields": facet_counts, "dates": {}, "queries": {}},
            "spelling_suggestion": suggestion,
        }

    def _whoosh_ranked(self, searcher, arrays, mask, scoring_terms, sort_by, newest, limit) -> list:
        """The first ``limit`` matches ranked by Whoosh itself: a sort field other than a date, or a
        scoring query the array scorer does not know. Matches without a score follow, newest first."""
        matched = np.flatnonzero(mask)
        scoring = wq.AndMaybe(DocSet(matched), scoring_terms) if scoring_terms else DocSet(matched)
        results = searcher.search(scoring, limit=limit, sortedby=self._sortedby(sort_by), terms=False)
        ranked = [(results.docnum(i), results.score(i)) for i in range(min(limit, results.scored_length()))]
        if len(ranked) < limit:
            rest = mask.copy()
            rest[[docnum for docnum, _ in ranked]] = False
            order = arrays.order(*newest) if newest else np.arange(arrays.size)
            ranked += [(docnum, 0.0) for docnum in arrays.take(order, rest, 0, limit - len(ranked))]
        return ranked

    @staticmethod
    def _query_text(query) -> str:
        return query if isinstance(query, str) else ""

    def create_spelling_suggestion(self, query_string):
        """Suggest the query with misspelt words corrected, e.g. 东铺街道 → 东浦街道; None if nothing to fix.

        The stock backend splits the query on spaces, which Chinese does not have; this one takes
        the query's terms from :mod:`search.query`, and only for a term that finds nothing looks for
        index words one character away (same first character, to keep the lookup fast).
        """
        if not self.setup_complete:
            self.setup()
        parsed = uq.parse_query(force_str(query_string))
        terms = [t for t in parsed.highlight_terms if len(t) >= 2]
        if not terms:
            return None
        suggestion, changed = parsed.text, False
        field = self.content_field_name
        analyzer = self.schema[field].analyzer
        searcher = self._searcher()
        arrays = arrays_for(searcher, self)

        def finds(text: str) -> bool:
            return bool(arrays.mask(_matching_part(self.text_query(text))).any())

        corrector = searcher.corrector(field)
        for term in terms:
            if finds(term):
                continue
            fixed = []
            for word in (t.text for t in analyzer(term, mode="query")):
                if len(word) < 2 or searcher.doc_frequency(field, word):
                    fixed.append(word)
                    continue
                found = corrector.suggest(word, limit=1, maxdist=1, prefix=1)
                fixed.append(found[0] if found else word)
            replacement = "".join(fixed)
            if replacement != term and finds(replacement):
                suggestion, changed = suggestion.replace(term, replacement), True
        return suggestion if changed else None

    def _results(self, searcher, page, result_class):
        from haystack import connections

        unified = connections[self.connection_alias].get_unified_index()
        result_class = result_class or SearchResult
        out = []
        for docnum, score in page:
            stored = searcher.stored_fields(docnum)
            app_label, model_name = stored[DJANGO_CT].split(".")
            model = haystack_get_model(app_label, model_name)
            if model is None:
                continue
            index = unified.get_index(model)
            extra = {}
            for key, value in stored.items():
                if key in (DJANGO_CT, DJANGO_ID, ID) or key.endswith((NGRAM_SUFFIX, ASC_SUFFIX, DESC_SUFFIX)):
                    continue
                if key in self.multivalued_fields:
                    extra[key] = value.split(",") if value else []
                elif key in index.fields and hasattr(index.fields[key], "convert"):
                    extra[key] = index.fields[key].convert(value)
                else:
                    extra[key] = value
            out.append(result_class(app_label, model_name, stored[DJANGO_ID], score or 0, **extra))
        return out

    def more_like_this(
        self,
        model_instance,
        additional_query_string=None,
        start_offset=0,
        end_offset=None,
        models=None,
        limit_to_registered_models=None,
        result_class=None,
        exclude_ids=(),
        **kwargs,
    ):
        """Documents sharing the most distinctive words of ``model_instance``'s indexed text."""
        if not self.setup_complete:
            self.setup()
        self.index = self.index.refresh()
        empty = {"results": [], "hits": 0}
        identifier = get_identifier(model_instance)
        page_num, page_length = self.calculate_page(start_offset, end_offset)
        searcher = self._searcher()
        docnum = searcher.document_number(**{ID: identifier})
        if docnum is None:
            return empty
        text = searcher.stored_fields(docnum).get(self.content_field_name, "")
        arrays = arrays_for(searcher, self)
        keys = arrays.key_terms(self.content_field_name, text, numterms=12)
        keys = [(word, weight) for word, weight in keys if len(word) > 1]
        if not keys:
            return empty
        query = wq.Or([wq.Term(self.content_field_name, word, boost=weight) for word, weight in keys])
        excluded = [identifier, *exclude_ids]
        filters = [wq.Not(wq.Or([wq.Term(ID, i) for i in excluded]))]
        model_filter = self._model_filter(models, limit_to_registered_models)
        if model_filter is not None:
            filters.append(model_filter)
        if additional_query_string:
            filters.append(self._as_query(additional_query_string))
        limit, start = page_num * page_length, (page_num - 1) * page_length
        try:
            mask = arrays.mask(wq.And([query, *filters]))
            scores = arrays.scores(query, mask)
            page = [(docnum, float(scores[docnum])) for docnum in arrays.ranked(scores, mask, None, limit)[start:]]
        except Unsupported:
            results = searcher.search(query, limit=limit, filter=wq.And(filters), terms=False)
            page = [(results.docnum(i), results.score(i)) for i in range(start, results.scored_length())]
        return {"results": self._results(searcher, page, result_class), "hits": len(page)}


class ChineseWhooshSearchQuery(WhooshSearchQuery):
    """Builds Whoosh query objects from Haystack's query tree (no string round trip)."""

    def build_query(self):
        query = self._node(self.query_filter)
        return query if query is not None else wq.Every()

    def _node(self, node: SearchNode):
        parts = []
        for child in node.children:
            if isinstance(child, SearchNode):
                part = self._node(child)
            else:
                expression, value = child
                field, filter_type = node.split_expression(expression)
                part = self.build_query_fragment(field, filter_type, value)
            if part is not None:
                parts.append(part)
        if not parts:
            query = None if not node.negated else wq.NullQuery
            return query
        query = parts[0] if len(parts) == 1 else (wq.And(parts) if node.connector == "AND" else wq.Or(parts))
        return wq.Not(query) if node.negated else query

    def run_mlt(self, **kwargs):
        # Haystack passes no offsets to more-like-this, so every similar document was read (stored
        # fields and all) for a slice of 9: 150 ms an article page at 1,000 articles.
        kwargs.setdefault("start_offset", self.start_offset)
        if self.end_offset is not None:
            kwargs.setdefault("end_offset", self.end_offset)
        super().run_mlt(**kwargs)

    def build_query_fragment(self, field, filter_type, value):
        backend = self.backend
        if not backend.setup_complete:
            backend.setup()
        if isinstance(value, UserQuery):
            return backend.user_query(value.parsed.tree)
        if isinstance(value, Raw):
            return backend.parser.parse(str(value.query_string))
        from haystack import connections

        fieldname = backend.content_field_name
        if field != "content":
            fieldname = connections[self._using].get_unified_index().get_index_fieldname(field)
        if hasattr(value, "values_list"):
            value = list(value)
        raw = value.query_string if isinstance(value, BaseInput) else value
        if fieldname in backend.text_fields:
            if filter_type in ("content", "contains", "exact", "startswith", "endswith", "fuzzy"):
                if field == "content" and not isinstance(value, Exact):
                    return backend.user_query(uq.parse_query(str(raw)).tree)
                return backend.text_query(str(raw), fieldname)
            if filter_type == "in":
                return wq.Or([backend.text_query(str(v), fieldname) for v in raw]).normalize()
        if filter_type == "in":
            return wq.Or([self._exact(fieldname, v) for v in raw]).normalize()
        if filter_type == "range":
            low, high = raw
            return self._range(fieldname, low, high, True, True)
        if filter_type in ("gt", "gte"):
            return self._range(fieldname, raw, None, filter_type == "gte", True)
        if filter_type in ("lt", "lte"):
            return self._range(fieldname, None, raw, True, filter_type == "lte")
        return self._exact(fieldname, raw)

    def _exact(self, fieldname, value):
        field = self.backend.schema[fieldname] if fieldname in self.backend.schema else None
        if isinstance(field, DATETIME | NUMERIC):
            return self._range(fieldname, value, value, True, True)
        return wq.Term(fieldname, force_str(value))

    def _range(self, fieldname, low, high, startincl, endincl):
        field = self.backend.schema[fieldname]
        if isinstance(field, DATETIME) and fieldname in self.backend.date_fields:
            # By the yyyymmdd copy's column: fast, and "no date" (99999999) never falls in a range.
            low, high = _yyyymmdd(low), _yyyymmdd(high)
            return ColumnRange(fieldname + ASC_SUFFIX, low, high, startexcl=not startincl, endexcl=not endincl)
        if isinstance(field, DATETIME):
            low = _as_datetime(low, end=False)
            high = _as_datetime(high, end=True)
            return wq.DateRange(fieldname, low, high, startexcl=not startincl, endexcl=not endincl)
        if isinstance(field, NUMERIC):
            return wq.NumericRange(fieldname, low, high, startexcl=not startincl, endexcl=not endincl)
        low = None if low is None else force_str(low)
        high = None if high is None else force_str(high)
        return wq.TermRange(fieldname, low, high, startexcl=not startincl, endexcl=not endincl)


def _matching_part(query: wq.Query) -> wq.Query:
    """``query`` without its scoring-only parts (AndMaybe's optional side): the same documents, found faster."""
    if isinstance(query, wq.AndMaybe):
        return _matching_part(query.a)
    if isinstance(query, wq.And | wq.Or):
        return type(query)([_matching_part(q) for q in query.subqueries])
    if isinstance(query, wq.Not):
        return wq.Not(_matching_part(query.query))
    return query


def _scoring_part(query: wq.Query) -> wq.Query | None:
    """The scoring-only parts of ``query`` (AndMaybe's optional sides, outside any Not), OR'd.

    The relevance pass runs over documents already known to match, so only these need visiting.
    """
    if isinstance(query, wq.AndMaybe):
        return query.b
    if isinstance(query, wq.And | wq.Or):
        parts = [p for p in (_scoring_part(q) for q in query.subqueries) if p is not None]
        return (parts[0] if len(parts) == 1 else wq.Or(parts)) if parts else None
    return None


def _yyyymmdd(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.year * 10000 + value.month * 100 + value.day


def _as_datetime(value, end):
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, date):
        if end:
            return datetime(value.year, value.month, value.day, 23, 59, 59)
        return datetime(value.year, value.month, value.day)
    return value


class ChineseWhooshEngine(BaseEngine):
    backend = ChineseWhooshSearchBackend
    query = ChineseWhooshSearchQuery
