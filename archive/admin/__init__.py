"""The curators' admin: articles, sources and places, and the ingest review (one module each)."""

from . import articles, ingest, places, sources, tasks  # noqa: F401 - each registers its models
