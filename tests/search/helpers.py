"""Asking the archive's configured engine, as the service does."""

from __future__ import annotations

from search.backends import current_engine
from search.engine import Filters, SearchRequest, SearchResult
from search.query import parse_query


def result(text: str = "", *, limit: int = 10_000, **kwargs) -> SearchResult:
    filters = kwargs.pop("filters", Filters())
    return current_engine().search(SearchRequest(tree=parse_query(text).tree, filters=filters, limit=limit, **kwargs))


def found(text: str = "", **kwargs) -> set[int]:
    return set(result(text, **kwargs).ids)
