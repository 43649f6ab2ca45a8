"""Write articles to the search index: the one place that decides what is indexed."""

from __future__ import annotations

from collections.abc import Iterable

from haystack import connections

from archive.models import Article


def _index_and_backend(using="default"):
    index = connections[using].get_unified_index().get_index(Article)
    return index, connections[using].get_backend()


def sync_articles(ids: Iterable[int], using: str = "default", backend=None) -> None:
    """Index the public ones of these articles and drop the rest (hidden, duplicates, deleted).

    ``backend``: another index than the connection's (the staging index of a rebuild).
    """
    ids = set(ids)
    if not ids:
        return
    index, live = _index_and_backend(using)
    backend = backend or live
    public = list(index.index_queryset(using).filter(pk__in=ids))
    gone = ids - {a.pk for a in public}
    if public:
        backend.update(index, public)
    if gone:
        backend.remove_many([f"{Article._meta.label_lower}.{pk}" for pk in gone])


def index_missing(ids: Iterable[int], using: str = "default") -> int:
    """Index those of these public articles the index lacks (a run killed between commits); return how many."""
    index, backend = _index_and_backend(using)
    label = Article._meta.label_lower
    missing = backend.missing_identifiers([f"{label}.{pk}" for pk in ids])
    if not missing:
        return 0
    articles = list(index.index_queryset(using).filter(pk__in=[int(i.rsplit(".", 1)[1]) for i in missing]))
    if articles:
        backend.update(index, articles)
    return len(articles)
