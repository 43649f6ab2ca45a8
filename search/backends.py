"""Haystack's side of search: what the index declaration prepares goes to the configured engine.

Haystack earns its place for writing: the :class:`~search.search_indexes.ArticleIndex` declaration
(what an article's document holds), the signal processor, and ``update_index`` / ``clear_index`` /
``rebuild_index``. Reading does not go through Haystack: :mod:`search.service` asks the engine
(:mod:`search.engine`) directly, with the query tree parsed once. So each engine has one small
Haystack backend here, which turns Haystack's prepared dicts into
:class:`~search.engine.Document` s, and :func:`current_engine` gives the configured engine.

Configured as ``search.backends.ChineseWhooshEngine`` (the embedded default) or
``search.backends.TypesenseEngine`` (``SEARCH_ENGINE=typesense``; see the README).
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from haystack.backends import BaseEngine, BaseSearchBackend, BaseSearchQuery
from haystack.utils import get_identifier

from search.engine.base import PLACE_LEVELS, Document, Engine
from search.rebuild import note_changes


def document_from_prepared(prepared: dict) -> Document:
    """The engine document of what :class:`~search.search_indexes.ArticleIndex` prepared."""
    published = prepared.get("published")
    if isinstance(published, datetime):
        published = published.date()
    elif isinstance(published, str):
        published = date.fromisoformat(published[:10])
    return Document(
        id=int(prepared["django_id"]),
        title=prepared.get("title") or "",
        text=prepared.get("text") or "",
        source=prepared.get("source") or None,
        published=published,
        places={level: tuple(prepared.get(level) or ()) for level in PLACE_LEVELS if prepared.get(level)},
        doc_number=prepared.get("doc_number") or None,
        issuers=tuple(prepared.get("issuer") or ()),
        public_since=_aware(prepared.get("public_since")),
    )


def _aware(value: datetime | str | None) -> datetime | None:
    """A prepared moment (a datetime or an ISO string) as an aware datetime; naive ones are in ``TIME_ZONE``."""
    if not value:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value, timezone.get_default_timezone())


def _pk(obj_or_string) -> int:
    return int(get_identifier(obj_or_string).rsplit(".", 1)[1])


class EngineBackend(BaseSearchBackend):
    """Writes through an :class:`~search.engine.Engine`; searching is :mod:`search.service`'s."""

    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.options = connection_options
        self._engine: Engine | None = None

    def make_engine(self) -> Engine:
        raise NotImplementedError

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self.make_engine()
        return self._engine

    def setup(self):
        _ = self.engine

    def documents(self, index, iterable) -> list[Document]:
        from haystack.exceptions import SkipDocument

        docs = []
        for obj in iterable:
            try:
                docs.append(document_from_prepared(index.full_prepare(obj)))
            except SkipDocument:
                continue
        return docs

    def update(self, index, iterable, commit=True):
        """Index (or re-index) the objects in one batch."""
        self.engine.index(self.documents(index, iterable))

    def remove(self, obj_or_string, commit=True):
        self.remove_many([obj_or_string])

    def remove_many(self, objs_or_strings):
        """Delete documents by object or identifier (``archive.article.12``), in one batch."""
        self.engine.delete([_pk(o) for o in objs_or_strings])

    def clear(self, models=None, commit=True):
        self.engine.clear()

    def missing_identifiers(self, identifiers) -> list[str]:
        """Those of the identifiers (``archive.article.12``) with no document in the index."""
        by_pk = {_pk(i): i for i in identifiers}
        return [by_pk[pk] for pk in self.engine.missing(list(by_pk))]

    def search(self, query_string, **kwargs):
        raise NotImplementedError("search through search.service (the engine interface), not SearchQuerySet")

    def more_like_this(self, model_instance, **kwargs):
        raise NotImplementedError("related articles come from search.related (the engine's similar())")


class ChineseWhooshBackend(EngineBackend):
    """The embedded engine: a Whoosh folder (``PATH``), written by ``PROCS`` processes, its postings
    kept in at most ``CACHE_MB`` megabytes per process."""

    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.path = connection_options["PATH"]
        self.procs = max(1, int(connection_options.get("PROCS", 1)))
        self.cache_mb = connection_options.get("CACHE_MB")

    def make_engine(self) -> Engine:
        from search.engine.whoosh_engine import WhooshEngine

        path = self.path
        return WhooshEngine(
            path, procs=self.procs, cache_mb=self.cache_mb, on_write=lambda ids: note_changes(path, ids)
        )

    @property
    def index(self):
        """The Whoosh index (rebuilds swap segments into it)."""
        return self.engine.ix

    @index.setter
    def index(self, value):
        self.engine.ix = value


class TypesenseBackend(EngineBackend):
    """The clustered engine: ``NODES`` (``http://host:port`` each), ``API_KEY``, ``COLLECTION``."""

    def make_engine(self) -> Engine:
        from search.engine.typesense_engine import TypesenseEngine

        return TypesenseEngine(
            nodes=list(self.options["NODES"]),
            api_key=self.options["API_KEY"],
            collection=self.options.get("COLLECTION", "articles"),
        )


class ChineseWhooshEngine(BaseEngine):
    backend = ChineseWhooshBackend
    query = BaseSearchQuery


class TypesenseEngine(BaseEngine):
    backend = TypesenseBackend
    query = BaseSearchQuery


def current_engine(using: str = "default") -> Engine:
    """The engine of Haystack connection ``using`` (``default``: the archive's)."""
    from haystack import connections

    return connections[using].get_backend().engine
