"""What every search engine takes and gives.

An engine stores :class:`Document` s and answers a :class:`SearchRequest`: the query tree of
:mod:`search.query` (parsed once, by the caller), filters, a sort, a page and the facets wanted.
The answer is a :class:`SearchResult`: the exact number of matches, the page's hits (id, score,
highlight spans) and exact facet counts over every match.

The query language's meaning, which every engine keeps:

* a :class:`~search.query.Term` matches a document whose field holds the term verbatim, after
  folding (:func:`search.analysis.fold`: full-width forms and case), a character or more, any
  punctuation or space inside the term standing for any break between letter/digit runs (each
  run must occur; :func:`search.analysis.chunks`). Field ``text`` is title and body;
* ``And`` / ``Or`` / ``Not`` are set intersection, union and complement;
* filters narrow by exact values; dates are inclusive; an undated document never matches a
  date filter and sorts last in both date orders;
* a document's ``public_since`` is the (aware) moment it last became public on the site; the
  filter ``public_since`` keeps the documents that became public at or after that moment (what a
  saved-search alert asks for), compared to the microsecond (:func:`epoch_micros`); a document
  without the value never matches it; ``public_until`` keeps those that became public at or
  before a moment, and those without the value (a snapshot of the results at that moment);
* ``relevance`` ranks by the engine's own scoring of the query's words, ties newest first;
  without a query it is ``newest``.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from search.analysis import chunks, fold
from search.query import Node, positive_terms

# Facets an engine counts, by name: places by statistical code, the source's name, each 发文机关,
# the year of publication.
FACETS = ("province", "city", "district", "street", "community", "source", "issuer", "year")
PLACE_LEVELS = ("province", "city", "district", "street", "community")
SORTS = ("relevance", "newest", "oldest")


class QueryTooComplex(ValueError):
    """The query has more OR combinations than the engine answers."""


@dataclass(frozen=True)
class Document:
    """One article as the index holds it."""

    id: int
    title: str
    text: str  # title and body: what a query without a field searches
    source: str | None = None
    published: date | None = None
    places: dict[str, tuple[str, ...]] = field(default_factory=dict)  # level -> codes, containing places too
    doc_number: str | None = None  # the 发文字号 in its normalised form
    issuers: tuple[str, ...] = ()
    public_since: datetime | None = None  # aware: when the article last became public

    @property
    def year(self) -> str | None:
        return str(self.published.year) if self.published else None


@dataclass(frozen=True)
class Filters:
    """Every filter must hold; within one, any of its values."""

    places: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (level, codes): in any of these places
    source: str | None = None
    issuer: str | None = None
    doc_number: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    public_since: datetime | None = None  # aware: became public at or after this moment
    # Aware: became public at or before this moment, or at a moment not known (indexed before
    # it was recorded): a snapshot, so that paging through a search is not shifted by new articles.
    public_until: datetime | None = None
    exclude_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class SearchRequest:
    tree: Node | None = None  # None: every document
    filters: Filters = Filters()
    sort: str = "relevance"
    offset: int = 0
    limit: int = 20
    facets: tuple[str, ...] = ()
    highlight: bool = True  # give each hit's highlight spans (a caller that marks text itself says False)

    def __post_init__(self):
        if self.sort not in SORTS:
            raise ValueError(f"unknown sort {self.sort!r}; one of {SORTS}")
        unknown = set(self.facets) - set(FACETS)
        if unknown:
            raise ValueError(f"unknown facets {sorted(unknown)}; known: {FACETS}")

    @property
    def effective_sort(self) -> str:
        return "newest" if self.sort == "relevance" and self.tree is None else self.sort


@dataclass
class Hit:
    id: int
    score: float
    # (start, end) character spans of the query's terms in the stored title and text.
    highlights: dict[str, list[tuple[int, int]]] = field(default_factory=dict)


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # most first, then by value

    @property
    def ids(self) -> list[int]:
        return [hit.id for hit in self.hits]


class Engine(abc.ABC):
    """A search engine: a store of documents and the answers to requests over them."""

    name = "engine"

    @abc.abstractmethod
    def index(self, documents: Iterable[Document]) -> None:
        """Add or replace these documents (by id), all visible to searches when this returns."""

    @abc.abstractmethod
    def delete(self, ids: Iterable[int]) -> None:
        """Remove the documents with these ids; ids not indexed are ignored."""

    @abc.abstractmethod
    def clear(self) -> None:
        """Remove every document."""

    @abc.abstractmethod
    def count(self) -> int:
        """How many documents are indexed."""

    @abc.abstractmethod
    def missing(self, ids: Iterable[int]) -> list[int]:
        """Those of these ids with no document."""

    @abc.abstractmethod
    def search(self, request: SearchRequest) -> SearchResult:
        """The request's page of hits, the exact total and facet counts over all matches."""

    @abc.abstractmethod
    def similar(self, id: int, *, limit: int, exclude: Sequence[int] = ()) -> list[int]:
        """Ids of the documents most like document ``id`` (never itself nor ``exclude``), best first."""

    def suggest(self, text: str) -> str | None:
        """The query ``text`` with a misspelt word corrected when that finds something; None if not."""
        return None

    def close(self) -> None:  # noqa: B027 - most engines hold nothing to let go of
        """Let go of connections and open files."""


# -- shared by the engines ------------------------------------------------------------------------


def highlight_spans(text: str, runs: Iterable[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of the folded runs in ``text``; longer runs win.

    Folding keeps the length, so the spans are the original text's.
    """
    folded = fold(text)
    taken = bytearray(len(folded))
    spans = []
    for run in sorted(set(runs), key=lambda r: (-len(r), r)):
        start = folded.find(run)
        while start >= 0:
            end = start + len(run)
            if not any(taken[start:end]):
                taken[start:end] = b"\x01" * (end - start)
                spans.append((start, end))
            start = folded.find(run, start + 1)
    return sorted(spans)


def hit_highlights(tree: Node | None, title: str, text: str) -> dict[str, list[tuple[int, int]]]:
    """Where the query's positive terms occur in a hit's title and text."""
    terms = positive_terms(tree)
    out = {}
    for name, value in (("title", title), ("text", text)):
        runs = [run for term in terms if term.field in ("text", name) for run in chunks(term.text)]
        out[name] = highlight_spans(value or "", runs) if runs else []
    return out


def yyyymmdd(value: date | None) -> int | None:
    """A date as the number 20210617 (what the engines sort and filter dates by)."""
    return None if value is None else value.year * 10000 + value.month * 100 + value.day


def epoch_micros(value: datetime | None) -> int | None:
    """An aware moment as whole microseconds since 1970 UTC (what the engines store and compare
    ``public_since`` by): exact, so an article made public a moment before a saved search was
    saved is not taken for one made public after it."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"public_since must be an aware datetime, not {value!r}")
    return (value - _EPOCH) // timedelta(microseconds=1)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def sorted_facet(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Facet values, most documents first, then by value."""
    return sorted(((value, count) for value, count in counts.items() if count), key=lambda vc: (-vc[1], vc[0]))
