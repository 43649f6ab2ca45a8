"""Run a search: cleaned parameters in, a page of articles with snippets and named facets out.

Views (the HTML page and the JSON API) stay thin: both call :func:`run_search`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime

from archive.models import Article, Place
from search.backends import current_engine
from search.engine import Filters, SearchRequest, SearchResult
from search.engine.base import QueryTooComplex
from search.forms import MAX_PAGE, PAGE_SIZE
from search.highlight import mark, snippet
from search.query import ParsedQuery, parse_query

FACETS = ("district", "street", "source", "issuer", "year")
FACET_LIMIT = 30
EXPORT_LIMIT = 1000  # rows in a CSV/JSON export of a search


@dataclass
class FacetValue:
    value: str  # what goes in the URL: a place code, a source name, a year
    name: str  # what the reader sees
    count: int


@dataclass
class Hit:
    article: Article
    snippet: str
    score: float
    title: str = ""  # the title, escaped, the query's terms in <mark>


@dataclass
class SearchOutcome:
    query: ParsedQuery
    count: int
    page: int
    num_pages: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    notes: list[str] = field(default_factory=list)
    suggestion: str | None = None  # the query with misspelt words corrected, when it found nothing

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def start_index(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.hits else 0


def _filters(params: dict) -> Filters:
    places = []
    for name in ("district", "street"):
        codes = tuple(place.code for place in params.get(name) or ())
        if codes:
            places.append((name, codes))
    place = params.get("place")
    if place is not None:
        places.append((place.level, (place.code,)))
    return Filters(
        places=tuple(places),
        source=params.get("source") or None,
        issuer=params.get("issuer") or None,
        date_from=params.get("date_from"),
        date_to=params.get("date_to"),
    )


def _request(params: dict, parsed: ParsedQuery, *, offset: int, limit: int, facets=FACETS) -> SearchRequest:
    filters = _filters(params)
    tree = parsed.tree
    doc_number = params.get("doc_number")
    if doc_number:
        # The document with that 发文字号; a number no document has is searched as text.
        numbered = replace(filters, doc_number=doc_number)
        if current_engine().search(SearchRequest(filters=numbered, limit=0)).total:
            filters, tree = numbered, None
    sort = params.get("sort") or ("relevance" if tree is not None else "newest")
    # No highlight spans: the service marks the snippets itself, from the articles it shows.
    return SearchRequest(
        tree=tree, filters=filters, sort=sort, offset=offset, limit=limit, facets=tuple(facets), highlight=False
    )


def _answer(request: SearchRequest, notes: list[str]) -> SearchResult:
    try:
        return current_engine().search(request)
    except QueryTooComplex:
        notes.append("检索式中的“或”组合太多，请减少“或”连接的词语后再试。")
        return SearchResult(total=0, hits=[], facets={})


def _articles(ids: list[int]) -> dict[int, Article]:
    return Article.objects.public().filter(pk__in=ids).select_related("source").prefetch_related("places").in_bulk()


def _hits(result: SearchResult, terms: list[str]) -> list[Hit]:
    """The result's public articles in its order, each with its marked title and snippet."""
    articles = _articles(result.ids)
    return [
        Hit(
            article=articles[hit.id],
            snippet=snippet(articles[hit.id].body or "", terms),
            score=hit.score,
            title=mark(articles[hit.id].title, terms),
        )
        for hit in result.hits
        if hit.id in articles
    ]


def run_search(params: dict, notes: list[str] | None = None) -> SearchOutcome:
    """Search with the form's cleaned parameters; never raises for odd input."""
    parsed = parse_query(params.get("q") or "")
    notes = list(notes or []) + parsed.messages
    page = max(1, min(int(params.get("page") or 1), MAX_PAGE))
    result = _answer(_request(params, parsed, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE), notes)
    num_pages = max(1, min(MAX_PAGE, math.ceil(result.total / PAGE_SIZE)))
    if not result.hits and result.total and page > num_pages:
        notes.append(f"没有第 {page} 页，已显示最后一页（第 {num_pages} 页）。")
        page = num_pages
        result = _answer(_request(params, parsed, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE), notes)
    suggestion = None
    if not result.total and parsed.tree is not None:
        suggestion = current_engine().suggest(parsed.text)
    hits = _hits(result, parsed.highlight_terms)
    return SearchOutcome(
        query=parsed,
        count=result.total,
        page=page,
        num_pages=num_pages,
        hits=hits,
        facets=_named_facets(result.facets),
        notes=list(dict.fromkeys(notes)),
        suggestion=suggestion,
    )


def _named_facets(facet_counts: dict) -> dict[str, list[FacetValue]]:
    raw = {name: (facet_counts.get(name) or [])[:FACET_LIMIT] for name in FACETS}
    codes = [value for name in ("district", "street") for value, _ in raw[name]]
    places = {p.code: p for p in Place.objects.filter(code__in=codes).select_related("parent")}
    out: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        values = []
        for value, count in raw[name]:
            if value is None:
                continue
            label = str(value)
            if name in ("district", "street"):
                place = places.get(value)
                if place is None:
                    continue
                label = place.name
            values.append(FacetValue(value=str(value), name=label, count=count))
        if name == "year":
            values.sort(key=lambda v: v.value, reverse=True)
        out[name] = values
    # Two streets of one name (府山街道 in 越城区 and in 柯城区): tell them apart by their district.
    seen: dict[str, int] = {}
    for value in out["street"]:
        seen[value.name] = seen.get(value.name, 0) + 1
    for value in out["street"]:
        place = places.get(value.value)
        if seen[value.name] > 1 and place and place.parent:
            value.name = f"{value.name}（{place.parent.name}）"
    return out


def place_dicts(article: Article) -> list[dict]:
    """The article's places as the API and the exports give them: name, level, code; by code."""
    places = sorted(article.places.all(), key=lambda p: p.code)
    return [{"name": p.name, "level": p.level, "code": p.code} for p in places]


def document_dict(article: Article) -> dict:
    """发文字号, 发文机关, 成文日期, 索引号 and 主题分类 of a government document, as the API and exports give them."""
    return {
        "doc_number": article.doc_number,
        "issuing_body": article.issuing_body,
        "written_date": article.written_date.isoformat() if article.written_date else None,
        "index_number": article.index_number,
        "subject_category": article.subject_category,
    }


def matching_articles(params: dict, limit: int) -> tuple[list[Article], int]:
    """The first ``limit`` articles of a search, in its order (newest first without a query), and the total."""
    parsed = parse_query(params.get("q") or "")
    result = _answer(_request(params, parsed, offset=0, limit=limit, facets=()), [])
    return articles_in_order(result.ids), result.total


@dataclass
class Slice:
    """Results ``offset`` to ``offset + limit`` of a search as it stood at a moment (for cursors)."""

    count: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    notes: list[str]


def results_slice(params: dict, *, offset: int, limit: int, until: datetime, facets: bool = False) -> Slice:
    """A slice of the search's results among the articles public at ``until``, any depth.

    Paging with the same ``until`` is not shifted by articles made public meanwhile (the engines'
    ``public_until`` filter), so a script walking every result sees each once.
    """
    parsed = parse_query(params.get("q") or "")
    notes = list(parsed.messages)
    request = _request(params, parsed, offset=offset, limit=limit, facets=FACETS if facets else ())
    request = replace(request, filters=replace(request.filters, public_until=until))
    result = _answer(request, notes)
    hits = _hits(result, parsed.highlight_terms)
    named = _named_facets(result.facets) if facets else {}
    return Slice(count=result.total, hits=hits, facets=named, notes=list(dict.fromkeys(notes)))


@dataclass
class NewMatches:
    """What a saved search's run asks the engine: the newest matches made public since a time."""

    parsed: ParsedQuery
    ids: list[int]  # newest first, at most the limit asked for
    total: int  # every match made public since then


def new_matches(params: dict, *, since: datetime, limit: int, exclude: tuple[int, ...] = ()) -> NewMatches:
    """The search's public articles that became public at or after ``since``, newest first, but ``exclude``.

    One engine query: the search's own filters and query, plus the engine's ``public_since``
    filter, so matching is the engine's whatever the size of the archive.
    """
    parsed = parse_query(params.get("q") or "")
    request = _request({**params, "sort": "newest"}, parsed, offset=0, limit=limit, facets=())
    request = replace(request, filters=replace(request.filters, public_since=since, exclude_ids=tuple(exclude)))
    result = _answer(request, [])
    return NewMatches(parsed=parsed, ids=result.ids, total=result.total)


def articles_in_order(ids: list[int]) -> list[Article]:
    """The public articles with these ids, in this order (any no longer public left out)."""
    found = _articles(ids)
    return [found[pk] for pk in ids if pk in found]


def matching_ids(text: str, limit: int) -> list[int]:
    """Ids of the public articles best matching ``text`` (Chinese segmentation and substrings), at most ``limit``.

    For the admin's article search: the index holds public articles only, so the admin adds
    title matches among the rest from the database.
    """
    parsed = parse_query(text)
    if parsed.tree is None:
        return []
    return _answer(SearchRequest(tree=parsed.tree, limit=limit, highlight=False), []).ids
