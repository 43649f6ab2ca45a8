"""Rebuild the search index beside the live one and swap it in: searches never see it half-built.

Public function: :func:`rebuild_index` (the ``rebuild_index`` command calls it).

1. A staging index is written from the database in a folder beside the live one
   (``<index>.rebuild``); the live index keeps answering searches and taking writes meanwhile.
2. Every write to the live index while the staging folder exists is also noted in its journal
   (:func:`note_changes`, called by the backend), and those articles are written again to the
   staging index from the database, until the journal stops growing.
3. Holding the live index's write lock, the last journal entries are applied and the staging
   segments become the live index's only segments in one new generation
   (:func:`search.whoosh_internals.adopt_segments`).

A rebuild killed at any point leaves the live index as it was; the next rebuild clears the
leftover staging folder and starts again.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from haystack import connections

from archive.models import Article
from search import indexing
from search.whoosh_internals import adopt_segments

STAGING_SUFFIX = ".rebuild"
JOURNAL = "changes.journal"
CATCH_UP_ROUNDS = 5


def staging_folder(live_path: str | os.PathLike) -> Path:
    return Path(str(live_path).rstrip("/") + STAGING_SUFFIX)


def note_changes(live_path: str, identifiers) -> None:
    """During a rebuild, journal the documents written to the live index (called by the backend)."""
    journal = staging_folder(live_path) / JOURNAL
    if not journal.parent.is_dir():
        return
    data = "".join(f"{i}\n" for i in identifiers).encode()
    try:
        fd = os.open(journal, os.O_WRONLY | os.O_APPEND)
    except FileNotFoundError:
        return  # the rebuild just finished (or is starting): it reads the database itself
    try:
        os.write(fd, data)  # one append: lines from several processes never interleave
    finally:
        os.close(fd)


def _journal_ids(journal: Path, offset: int) -> tuple[set[int], int]:
    with open(journal, "rb") as f:
        f.seek(offset)
        data = f.read()
    complete = data[: data.rfind(b"\n") + 1]
    ids = {int(line.rsplit(b".", 1)[1]) for line in complete.split() if line.startswith(b"archive.article.")}
    return ids, offset + len(complete)


def rebuild_index(*, using: str = "default", batch_size: int = 1000, progress: Callable | None = None) -> int:
    """Build a fresh index of every public article and swap it in for the live one; return how many."""
    live = connections[using].get_backend()
    if not hasattr(live, "path"):
        return _rebuild_in_place(live, using=using, batch_size=batch_size, progress=progress)
    live.setup()
    staging_path = staging_folder(live.path)
    if staging_path.exists():
        shutil.rmtree(staging_path)  # a killed rebuild's leftovers
    staging_path.mkdir(parents=True)
    journal = staging_path / JOURNAL
    journal.touch()
    try:
        options = {**connections[using].options, "PATH": str(staging_path)}
        staging = type(live)(using, **options)
        staging.setup()
        ids = _write_every_article(staging, using=using, batch_size=batch_size, progress=progress)

        # Writes made to the live index meanwhile: the same articles again, from the database.
        offset = 0

        def catch_up(_staging_ix=None) -> bool:
            nonlocal offset
            changed, offset = _journal_ids(journal, offset)
            if changed:
                indexing.sync_articles(changed, using=using, backend=staging)
            return bool(changed)

        for _ in range(CATCH_UP_ROUNDS):
            if not catch_up():
                break
        adopt_segments(live.index.refresh(), staging.index, before_swap=catch_up)  # the last ones, locked
        live.index = live.index.refresh()
        return len(ids)
    finally:
        shutil.rmtree(staging_path, ignore_errors=True)


def _write_every_article(backend, *, using: str, batch_size: int, progress: Callable | None) -> list[int]:
    """Write every public article to ``backend`` from the database, in batches; return their ids."""
    index = connections[using].get_unified_index().get_index(Article)
    ids = list(index.index_queryset(using).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        indexing.sync_articles(ids[start : start + batch_size], using=using, backend=backend)
        if progress is not None:
            progress(min(start + batch_size, len(ids)), len(ids))
    return ids


def _rebuild_in_place(backend, *, using: str, batch_size: int, progress: Callable | None) -> int:
    """A server engine (Typesense): write every public article again (an upsert, so searches keep
    finding each one meanwhile), then delete what the index holds that is no longer public."""
    ids = _write_every_article(backend, using=using, batch_size=batch_size, progress=progress)
    stale = backend.engine.all_ids() - set(Article.objects.public().values_list("pk", flat=True))
    backend.engine.delete(sorted(stale))
    return len(ids)
