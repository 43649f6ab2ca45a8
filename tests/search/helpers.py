"""Asking the archive's configured engine, as the service does."""

from __future__ import annotations

from search.backends import current_engine
from search.engine import Filters, SearchRequest, SearchResult
from search.query import parse_query
from search.substring import segment_docs


def result(text: str = "", *, limit: int = 10_000, **kwargs) -> SearchResult:
    filters = kwargs.pop("filters", Filters())
    return current_engine().search(SearchRequest(tree=parse_query(text).tree, filters=filters, limit=limit, **kwargs))


def found(text: str = "", **kwargs) -> set[int]:
    return set(result(text, **kwargs).ids)


def substring_docs(searcher, fieldname: str, text: str) -> set[int]:
    """The index-wide document numbers whose n-gram field ``fieldname`` holds every chunk of ``text``
    (:func:`search.substring.segment_docs` over every segment, deleted documents left out)."""
    found = set()
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        found.update(d + offset for d in segment_docs(reader, fieldname, text).tolist() if not reader.is_deleted(d))
    return found


def result_titles(html: str) -> list[str]:
    """The search page's result titles as a reader reads them (the marks of the query's terms taken off)."""
    import re

    return [re.sub(r"</?mark>", "", t) for t in re.findall(r'<h2><a href="/articles/\d+/">(.*?)</a></h2>', html)]
