"""The search engine interface and its two engines.

* :mod:`search.engine.base`: what every engine takes and gives (documents, a request made of the
  query tree of :mod:`search.query` plus filters, sort, page and facets; hits with scores and
  highlight spans, exact totals and facet counts), and :class:`~search.engine.base.Engine`.
* :mod:`search.engine.whoosh`: the embedded engine (a Whoosh folder under ``DATA_DIR``).
* :mod:`search.engine.typesense`: the clustered engine (a Typesense server or Raft cluster).

Nothing here imports Django, Haystack or the archive: :mod:`search.backends` connects an engine
to Haystack's index declaration and commands, :mod:`search.service` asks it questions.
"""

from search.engine.base import FACETS, Document, Engine, Filters, Hit, SearchRequest, SearchResult

__all__ = ["FACETS", "Document", "Engine", "Filters", "Hit", "SearchRequest", "SearchResult"]
