"""Signals the archive sends; the search app listens (data flows one way: archive → search)."""

from django.dispatch import Signal

# Sent after an ingest batch commits, with ``ids``: the articles stored in it, and ``unchanged``:
# those already stored before (a re-run), which the index may have missed if a run was killed.
articles_stored = Signal()

# Sent by curation (``archive.curation``) with ``ids``: articles changed in ways that send no model
# signal (bulk writes, re-geotagging) or that must be indexed again. Inside a transaction the
# search app indexes them once it commits.
articles_changed = Signal()
