"""The clustered engine: Typesense (a server, or a Raft cluster of them), through its Python client.

Typesense has no analyser for exact Chinese substrings, so the documents carry their own tokens
and every query is phrases of them (:func:`tokens`): each folded letter or digit is a token, a
break between letter/digit runs is the token ``brk``, and the title's and the source's tokens are
written again after the text's, each character marked ``t`` or ``s`` (``t城``: only ever a token
made here, since a text character is always alone). A term is then one exact phrase per run
(``"城 区"``, ``"t城 t区"``), and a document matches a phrase only where those characters stand
together in that field: the same documents the embedded engine's substring postings find.

One Typesense search answers a conjunction: its terms are phrases ANDed in ``q``, its negated
ones ``-"…"``. A tree with ``Or`` becomes disjoint conjunctions (:func:`disjoint_pieces`: each
excludes those before it), so their totals and facet counts add up exactly (a value one piece
lists and another's 250-value list leaves out is counted there in one more round trip:
:meth:`TypesenseEngine._facets`), and a page is merged from the pieces' own first pages. Filters
are ``filter_by`` on exact fields. Typesense ignores a phrase that matches no document
(``"愿 志" "街 道"`` answers as ``"街 道"``), so each required phrase of a piece with other literals
is counted in the same round trip, and a piece with one that finds nothing is empty.

Relevance is Typesense's text match, ties newest first; "more like this" weighs the document's
most frequent words (stored in a words field) by tf × idf and ranks the documents found under the
most distinctive ones by the weights they share.
"""

from __future__ import annotations

import heapq
import json
import math
import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import product
from urllib.parse import urlsplit

from search.analysis import ChineseAnalyzer, chunks, letter_runs
from search.engine.base import (
    PLACE_LEVELS,
    Document,
    Engine,
    Filters,
    Hit,
    QueryTooComplex,
    SearchRequest,
    SearchResult,
    epoch_micros,
    hit_highlights,
    sorted_facet,
    yyyymmdd,
)
from search.query import And, Node, Not, Term

BREAK = "brk"
FIELD_MARKS = {"text": "", "title": "t", "source": "s"}
FACET_FIELDS = {"source": "source_exact", "year": "year", "issuer": "issuer"} | {p: p for p in PLACE_LEVELS}
NO_DATE_ASC, NO_DATE_DESC = 99_999_999, 0
MAX_PIECES = 64  # disjoint conjunctions a query may become
PAGE_MAX = 250  # Typesense's largest page
BATCH = 500
FACET_VALUES = 250
SIMILAR_WORDS = 12
SIMILAR_CANDIDATES = 40
SIMILAR_PER_WORD = 50  # documents asked for under each word
MARKED = re.compile(r"<mark>(.*?)</mark>")
NOTHING = {"found": 0, "hits": [], "facet_counts": []}  # the answer of a piece that cannot match
# Every search of the phrase tokens: exact phrases only (no typos, prefixes or dropped tokens), all
# matches counted, no highlighting (the spans come from the stored text).
PHRASE_SEARCH = {
    "query_by": "ng",
    "num_typos": 0,
    "prefix": False,
    "drop_tokens_threshold": 0,
    "typo_tokens_threshold": 0,
    "exhaustive_search": True,
    "highlight_fields": "pk",
}


def tokens(text: str | None, mark: str = "") -> str:
    """The phrase tokens of ``text``: its folded letters and digits one by one, ``brk`` between runs."""
    runs = letter_runs(text or "")
    return f" {BREAK} ".join(" ".join(mark + ch for ch in run) for run in runs)


# Fields added since the first collections were made: a collection without them gets them added
# (:meth:`TypesenseEngine._ensure`). ``public_since``: when the document became public, in
# microseconds since 1970 UTC, 0 when not known; a document written before the field existed has
# no value and matches neither ``public_since`` nor ``public_until`` until it is indexed again.
ADDED_FIELDS = ({"name": "public_since", "type": "int64", "optional": True},)


def _schema(name: str) -> dict:
    def facet(field, kind="string"):
        return {"name": field, "type": kind, "facet": True, "optional": True}

    return {
        "name": name,
        "fields": [
            {"name": "pk", "type": "int32"},
            {"name": "key", "type": "string"},  # the id again: Typesense 0.24 has no != on numbers or on id
            {"name": "ng", "type": "string"},
            {"name": "words", "type": "string", "optional": True},
            {"name": "title", "type": "string", "index": False, "optional": True},
            {"name": "text", "type": "string", "index": False, "optional": True},
            {"name": "published_asc", "type": "int32"},
            {"name": "published_desc", "type": "int32"},
            facet("source_exact"),
            facet("year"),
            {"name": "doc_number", "type": "string", "optional": True},
            facet("issuer", "string[]"),
            *(facet(level, "string[]") for level in PLACE_LEVELS),
            *ADDED_FIELDS,
        ],
        "default_sorting_field": "published_desc",
    }


def _words(text: str) -> list[str]:
    return [t.text for t in ChineseAnalyzer()(text or "", mode="index")]


def typesense_document(doc: Document) -> dict:
    ymd = yyyymmdd(doc.published)
    fields = {
        "id": str(doc.id),
        "pk": doc.id,
        "key": str(doc.id),
        "words": " ".join(w for w in _words(doc.text) if len(w) > 1),
        "title": doc.title or "",
        "text": doc.text or "",
        "published_asc": ymd or NO_DATE_ASC,
        "published_desc": ymd or NO_DATE_DESC,
        "issuer": list(doc.issuers),
    }
    # The fields' token runs must not join: a break between text, title and source.
    fields["ng"] = f" {BREAK} ".join(
        part for part in (tokens(doc.text), tokens(doc.title, "t"), tokens(doc.source, "s")) if part
    )
    for level in PLACE_LEVELS:
        fields[level] = sorted(doc.places.get(level) or ())
    if doc.source:
        fields["source_exact"] = doc.source
    if doc.year:
        fields["year"] = doc.year
    if doc.doc_number:
        fields["doc_number"] = doc.doc_number
    fields["public_since"] = epoch_micros(doc.public_since) if doc.public_since else 0
    return fields


# -- the query tree as disjoint conjunctions ----------------------------------------------------

Literal = tuple[str, str, bool]  # (field, folded run, negated)


def _dnf(node: Node, negated: bool = False) -> list[frozenset[Literal]]:
    if isinstance(node, Term):
        runs = chunks(node.text)
        if not runs:  # nothing searchable: matches nothing (and its negation everything)
            return [frozenset()] if negated else []
        if negated:  # not all runs: some run missing
            return [frozenset({(node.field, run, True)}) for run in runs]
        return [frozenset((node.field, run, False) for run in runs)]
    if isinstance(node, Not):
        return _dnf(node.child, not negated)
    parts = [_dnf(child, negated) for child in node.children]
    conjunctive = isinstance(node, And) != negated
    if conjunctive:
        result = [frozenset()]
        for part in parts:
            result = [a | b for a, b in product(result, part)]
            result = _consistent(result)
            if len(result) > MAX_PIECES:
                raise QueryTooComplex(len(result))
        return result
    return [conj for part in parts for conj in part]


def _consistent(conjunctions: Iterable[frozenset[Literal]]) -> list[frozenset[Literal]]:
    out = []
    for conj in conjunctions:
        if any((f, r, not n) in conj for f, r, n in conj):
            continue  # x and not x
        if conj not in out:
            out.append(conj)
    return out


def disjoint_pieces(tree: Node) -> list[frozenset[Literal]]:
    """Conjunctions of literals whose union is the tree's matches and that share no document."""
    dnf = _consistent(_dnf(tree))
    pieces: list[frozenset[Literal]] = []
    for k, conj in enumerate(dnf):
        current = [conj]
        for earlier in dnf[:k]:
            # not (l1 and l2 and …) = not l1, or l1 and not l2, or …: disjoint alternatives.
            literals = sorted(earlier)
            negation = [frozenset(literals[:i]) | {(f, r, not n)} for i, (f, r, n) in enumerate(literals)]
            current = _consistent(a | b for a, b in product(current, negation))
            if len(pieces) + len(current) > MAX_PIECES * 4:
                raise QueryTooComplex(len(current))
        pieces += current
    pieces = _consistent(pieces)
    if len(pieces) > MAX_PIECES:
        raise QueryTooComplex(len(pieces))
    return pieces


def _phrase(field: str, run: str) -> str:
    mark = FIELD_MARKS[field]
    return '"' + " ".join(mark + ch for ch in run) + '"'


def piece_query(piece: frozenset[Literal]) -> str:
    literals = sorted(piece, key=lambda literal: literal[2])  # required phrases first
    parts = [("-" if negated else "") + _phrase(field, run) for field, run, negated in literals]
    return " ".join(parts) if parts else "*"


def _value(value: str) -> str:
    return "`" + value.replace("`", "") + "`"


def filter_by(filters: Filters) -> str:
    parts = []
    for level, codes in filters.places:
        parts.append(f"{level}:=[{','.join(_value(c) for c in codes)}]")
    if filters.source:
        parts.append(f"source_exact:={_value(filters.source)}")
    if filters.issuer:
        parts.append(f"issuer:={_value(filters.issuer)}")
    if filters.doc_number:
        parts.append(f"doc_number:={_value(filters.doc_number)}")
    if filters.date_from or filters.date_to:
        low = (
            filters.date_from.year * 10000 + filters.date_from.month * 100 + filters.date_from.day
            if filters.date_from
            else 0
        )
        high = (
            filters.date_to.year * 10000 + filters.date_to.month * 100 + filters.date_to.day
            if filters.date_to
            else 99_991_231
        )
        parts.append(f"published_asc:[{low}..{high}]")
    if filters.public_since:
        parts.append(f"public_since:>={max(1, epoch_micros(filters.public_since))}")  # never 0: not known
    if filters.public_until:
        parts.append(f"public_since:<={epoch_micros(filters.public_until)}")
    if filters.exclude_ids:
        parts.append(f"key:!=[{','.join(_value(str(int(i))) for i in filters.exclude_ids)}]")
    return " && ".join(parts)


SORTS = {
    "newest": "published_desc:desc,pk:desc",
    "oldest": "published_asc:asc,pk:desc",
    "relevance": "_text_match:desc,published_desc:desc,pk:desc",
}


def _sort_key(sort: str, hit: dict) -> tuple:
    doc = hit["document"]
    if sort == "newest":
        return (-doc["published_desc"], -doc["pk"])
    if sort == "oldest":
        return (doc["published_asc"], -doc["pk"])
    return (-int(hit.get("text_match", 0)), -doc["published_desc"], -doc["pk"])


# -- the engine -----------------------------------------------------------------------------------


class TypesenseEngine(Engine):
    """Typesense at ``nodes`` (``http://127.0.0.1:8108``, …: every node of a cluster)."""

    name = "typesense"

    def __init__(self, *, nodes: Sequence[str], api_key: str, collection: str = "articles", timeout: float = 5.0):
        import typesense

        parsed = [urlsplit(node if "//" in node else f"http://{node}") for node in nodes]
        self.client = typesense.Client(
            {
                "nodes": [{"host": p.hostname, "port": p.port or 8108, "protocol": p.scheme or "http"} for p in parsed],
                "api_key": api_key,
                "connection_timeout_seconds": timeout,
                "num_retries": 8,
                "retry_interval_seconds": 0.5,
            }
        )
        self.collection_name = collection
        self._ready = False

    # -- store

    @property
    def collection(self):
        if not self._ready:
            self._ensure()
        return self.client.collections[self.collection_name]

    def _ensure(self):
        from typesense.exceptions import ObjectAlreadyExists, ObjectNotFound

        try:
            existing = self.client.collections[self.collection_name].retrieve()
        except ObjectNotFound:
            try:
                self.client.collections.create(_schema(self.collection_name))
            except ObjectAlreadyExists:
                pass
        else:
            self._add_fields(existing)
        self._ready = True

    def _add_fields(self, existing: dict) -> None:
        """Add the fields :data:`ADDED_FIELDS` a collection made before them lacks (its documents keep none)."""
        from typesense.exceptions import RequestMalformed

        have = {f["name"] for f in existing.get("fields", ())}
        missing = [f for f in ADDED_FIELDS if f["name"] not in have]
        if not missing:
            return
        try:
            self._retrying(lambda: self.client.collections[self.collection_name].update({"fields": missing}))
        except RequestMalformed:
            # Another process (or a retried request) added them first: "Field `public_since` is
            # already part of the schema".
            fields = self.client.collections[self.collection_name].retrieve()["fields"]
            if not {f["name"] for f in missing} <= {f["name"] for f in fields}:
                raise

    def _retrying(self, call, attempts: int = 20):
        """A request, tried again while a cluster elects a new leader (Typesense answers 503 or 500)."""
        import httpx
        from typesense.exceptions import HTTPStatus0Error, ServerError, ServiceUnavailable

        # A node that lost its leader can answer "HTTP/1.1 0" (httpx.RemoteProtocolError) or drop
        # the connection: those are tried again too, on the next node.
        retried = (ServiceUnavailable, ServerError, HTTPStatus0Error, httpx.TransportError, OSError)
        for attempt in range(attempts):
            try:
                return call()
            except retried:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.5)

    def index(self, documents: Iterable[Document]) -> None:
        docs = [typesense_document(doc) for doc in documents]
        for start in range(0, len(docs), BATCH):
            batch = docs[start : start + BATCH]
            results = self._retrying(lambda b=batch: self.collection.documents.import_(b, {"action": "upsert"}))
            failed = [r for r in results if not r.get("success")]
            if failed:
                raise RuntimeError(f"Typesense refused {len(failed)} of {len(batch)} documents: {failed[0]}")

    def delete(self, ids: Iterable[int]) -> None:
        ids = [int(i) for i in ids]
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            self._retrying(
                lambda b=batch: self.collection.documents.delete({"filter_by": f"pk:[{','.join(map(str, b))}]"})
            )

    def clear(self) -> None:
        from typesense.exceptions import ObjectNotFound

        try:
            self._retrying(lambda: self.client.collections[self.collection_name].delete())
        except ObjectNotFound:
            pass
        self._ready = False
        self._ensure()

    def count(self) -> int:
        return int(self.collection.retrieve()["num_documents"])

    def all_ids(self) -> set[int]:
        exported = self.collection.documents.export({"include_fields": "pk"})
        return {json.loads(line)["pk"] for line in exported.splitlines() if line.strip()}

    def missing(self, ids: Iterable[int]) -> list[int]:
        ids = [int(i) for i in ids]
        found: set[int] = set()
        for start in range(0, len(ids), PAGE_MAX):
            batch = ids[start : start + PAGE_MAX]
            result = self._search(
                {
                    "q": "*",
                    "filter_by": f"pk:[{','.join(map(str, batch))}]",
                    "per_page": PAGE_MAX,
                    "include_fields": "pk",
                }
            )
            found |= {hit["document"]["pk"] for hit in result["hits"]}
        return [i for i in ids if i not in found]

    # -- answer

    def _search(self, params: dict) -> dict:
        params = PHRASE_SEARCH | {k: v for k, v in params.items() if v not in (None, "")}
        return self._retrying(lambda: self.collection.documents.search(params))

    def _multi(self, searches: list[dict]) -> list[dict]:
        """Several searches in one request (Typesense's multi_search), in order."""
        base = PHRASE_SEARCH | {"collection": self.collection_name}
        body = {"searches": [base | {k: v for k, v in s.items() if v not in (None, "")} for s in searches]}
        results = self._retrying(lambda: self.client.multi_search.perform(body, {}))["results"]
        for result in results:
            if "error" in result:
                raise RuntimeError(f"Typesense refused a search: {result['error']}")
        return results

    def _first(self, params: dict, stop: int, sort: str, offset: int = 0) -> list[dict]:
        """Hits ``offset`` to ``stop`` of one search, page by page."""
        want = stop - offset
        if want <= 0:
            return []
        if offset % want == 0 and want <= PAGE_MAX:
            result = self._search(params | {"per_page": want, "page": offset // want + 1, "sort_by": SORTS[sort]})
            return result["hits"]
        hits: list[dict] = []
        page = 1
        while len(hits) < stop:
            result = self._search(params | {"per_page": PAGE_MAX, "page": page, "sort_by": SORTS[sort]})
            hits += result["hits"]
            if len(result["hits"]) < PAGE_MAX:
                break
            page += 1
        return hits[offset:stop]

    def search(self, request: SearchRequest) -> SearchResult:
        pieces = [None] if request.tree is None else disjoint_pieces(request.tree)
        if not pieces:
            return SearchResult(total=0, hits=[], facets={name: [] for name in request.facets})
        sort = request.effective_sort
        base = {
            "filter_by": filter_by(request.filters),
            "include_fields": "pk,published_asc,published_desc" + (",title,text" if request.highlight else ""),
        }
        if request.facets:
            base |= {"facet_by": ",".join(FACET_FIELDS[f] for f in request.facets), "max_facet_values": FACET_VALUES}
        queries = [base | {"q": "*" if piece is None else piece_query(piece)} for piece in pieces]
        stop = request.offset + request.limit
        total, answers = 0, []  # (the piece's search, its result)

        def tally(params, result):
            nonlocal total
            total += result["found"]
            answers.append((params, result))

        # Typesense ignores a phrase that matches no document instead of finding nothing, so a
        # conjunction holding one would answer as if it were not there: each required phrase of a
        # piece with other literals is counted in the same round trip, and a piece with one that
        # finds nothing is empty.
        checks = list(
            dict.fromkeys(
                literal for piece in pieces if piece and len(piece) > 1 for literal in piece if not literal[2]
            )
        )
        check_params = [
            {"q": _phrase(field, run), "filter_by": base["filter_by"], "per_page": 0} for field, run, _ in checks
        ]

        def answered(searches: list[dict]) -> list[dict]:
            """The searches' results, one per piece; a piece that cannot match finds nothing."""
            if not check_params and len(searches) == 1:
                return [self._search(searches[0])]
            results = self._multi(searches + check_params)
            absent = {lit for lit, r in zip(checks, results[len(searches) :], strict=True) if not r["found"]}
            return [NOTHING if piece and piece & absent else r for piece, r in zip(pieces, results, strict=False)]

        want = request.limit
        if len(queries) == 1 and want and request.offset % want == 0 and want <= PAGE_MAX:
            page_params = {"per_page": want, "page": request.offset // want + 1, "sort_by": SORTS[sort]}
            result = answered([queries[0] | page_params])[0]
            tally(queries[0], result)
            page = result["hits"]
        elif len(queries) == 1:
            result = answered([queries[0] | {"per_page": 0}])[0]
            tally(queries[0], result)
            page = self._first(queries[0], stop, sort, request.offset) if want and result["found"] else []
        elif stop <= PAGE_MAX:
            # Every piece's first hits, found and facets in one round trip; the page is merged from them.
            page_params = {"per_page": stop, "page": 1, "sort_by": SORTS[sort]}
            streams = []
            for params, result in zip(queries, answered([params | page_params for params in queries]), strict=True):
                tally(params, result)
                streams.append(result["hits"])
            page = list(heapq.merge(*streams, key=lambda hit: _sort_key(sort, hit)))[request.offset : stop]
        else:
            streams = []
            for result, params in zip(answered([p | {"per_page": 0} for p in queries]), queries, strict=True):
                tally(params, result)
                if result["found"] and want:
                    streams.append(self._first(params, min(stop, result["found"]), sort))
            page = list(heapq.merge(*streams, key=lambda hit: _sort_key(sort, hit)))[request.offset : stop]
        hits = []
        for hit in page:
            doc = hit["document"]
            score = float(hit.get("text_match", 0)) if sort == "relevance" else 0.0
            highlights = (
                hit_highlights(request.tree, doc.get("title", ""), doc.get("text", "")) if request.highlight else {}
            )
            hits.append(Hit(id=int(doc["pk"]), score=score, highlights=highlights))
        return SearchResult(total=total, hits=hits, facets=self._facets(request.facets, answers))

    def _facets(self, names: Sequence[str], answers: list[tuple[dict, dict]]) -> dict[str, list[tuple[str, int]]]:
        """Each facet's counts over the pieces' answers, most first.

        Typesense lists a piece's ``FACET_VALUES`` most frequent values. With one piece those are
        the top values, exactly counted. With several, a value listed for one piece may be left out
        of another's list: it is counted there too (one more round trip for all such values), and
        only values at least as frequent as any value no list holds could be (the sum of the full
        lists' smallest counts) are kept, so what is shown is exact and nothing more frequent is
        missing.
        """
        by_field = [
            {f["field_name"]: {item["value"]: item["count"] for item in f["counts"]} for f in r.get("facet_counts", [])}
            for _, r in answers
        ]
        lists = {name: [dict(fields.get(FACET_FIELDS[name], {})) for fields in by_field] for name in names}
        floors = {name: sum(min(c.values()) for c in lists[name] if len(c) >= FACET_VALUES) for name in names}
        recounts = []  # (facet, piece, values listed for another piece to count there)
        for name in names:
            listed = set().union(*lists[name])
            for piece, counted in enumerate(lists[name]):
                if len(counted) >= FACET_VALUES and listed - counted.keys():
                    recounts.append((name, piece, sorted(listed - counted.keys())))
        if recounts:
            searches = []
            for name, piece, values in recounts:
                params, field = answers[piece][0], FACET_FIELDS[name]
                only = f"{field}:=[{','.join(_value(v) for v in values)}]"
                searches.append(
                    params
                    | {
                        "filter_by": " && ".join(filter(None, (params.get("filter_by"), only))),
                        "facet_by": field,
                        "max_facet_values": len(values),
                        "per_page": 0,
                    }
                )
            for (name, piece, values), result in zip(recounts, self._multi(searches), strict=True):
                wanted = set(values)
                for f in result.get("facet_counts", []):
                    lists[name][piece].update((i["value"], i["count"]) for i in f["counts"] if i["value"] in wanted)
        out = {}
        for name in names:
            summed = sum(map(Counter, lists[name]), Counter())
            out[name] = sorted_facet({v: c for v, c in summed.items() if c >= floors[name]})
        return out

    def similar(self, id: int, *, limit: int, exclude: Sequence[int] = ()) -> list[int]:
        """Documents sharing most of document ``id``'s most frequent words (two characters or more)."""
        from typesense.exceptions import ObjectNotFound

        if limit <= 0:
            return []
        try:
            doc = self.collection.documents[str(int(id))].retrieve()
        except ObjectNotFound:
            return []
        frequency: dict[str, int] = {}
        for word in (doc.get("words") or "").split():
            frequency[word] = frequency.get(word, 0) + 1
        candidates = sorted(frequency, key=lambda w: (-frequency[w], -len(w), w))[:SIMILAR_CANDIDATES]
        if not candidates:
            return []
        # Each frequent word's document frequency and newest documents, in one round trip. A document
        # found under any of the most distinctive words scores their tf × idf weights, so sharing a few
        # of them counts, not only a run of them (Typesense drops a query's words only from its ends).
        excluded = filter_by(Filters(exclude_ids=(int(id), *exclude)))
        answers = self._multi(
            [
                {
                    "q": word,
                    "query_by": "words",
                    "filter_by": excluded,
                    "per_page": SIMILAR_PER_WORD,
                    "include_fields": "pk,published_desc",
                    "sort_by": "_text_match:desc,published_desc:desc",
                }
                for word in candidates
            ]
        )
        size = max(1, max(answer.get("out_of", 0) for answer in answers))  # the collection's size
        weight = {
            word: frequency[word] * math.log(1 + size / max(1, answer.get("found", 0)))
            for word, answer in zip(candidates, answers, strict=True)
        }
        words = sorted(candidates, key=lambda w: (-weight[w], w))[:SIMILAR_WORDS]
        score: dict[int, float] = {}
        newest: dict[int, int] = {}
        for word, answer in zip(candidates, answers, strict=True):
            if word in words:
                for hit in answer["hits"]:
                    pk = hit["document"]["pk"]
                    score[pk] = score.get(pk, 0.0) + weight[word]
                    newest[pk] = hit["document"].get("published_desc", 0)
        # The documents holding most of those words together (found under a word or not), scored
        # exactly by the words each one matched.
        together = self._search(
            {
                "q": " ".join(words),
                "query_by": "words",
                "drop_tokens_threshold": len(words) + 1000,
                "exhaustive_search": False,
                "filter_by": excluded,
                "per_page": min(max(2 * limit, 20), PAGE_MAX),
                "include_fields": "pk,published_desc",
                "highlight_fields": "words",
                "highlight_full_fields": "words",  # every match marked, not only the snippet's
                "sort_by": "_text_match:desc,published_desc:desc",
            }
        )
        for hit in together["hits"]:
            pk = hit["document"]["pk"]
            matched = {w for h in hit.get("highlights", ()) for w in MARKED.findall(h.get("value", ""))}
            score[pk] = max(score.get(pk, 0.0), sum(weight[w] for w in words if w in matched))
            newest[pk] = hit["document"].get("published_desc", 0)
        ranked = sorted(score, key=lambda pk: (-score[pk], -newest[pk], pk))
        return ranked[:limit]

    def close(self) -> None:
        pass
