"""Index writes, run by the background worker after the change they follow has committed.

Web processes never write the index: a curator's save queues :func:`index_articles` on commit and
answers at once; the worker (``manage.py db_worker``) writes. Public function:
:func:`queue_index` (from :mod:`search.signals`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task
from whoosh.index import LockError

from search import indexing

CHUNK = 2000  # ids per task: a source of 25,000 articles is reindexed in a dozen steps
RETRY_AFTER = timedelta(seconds=5)


def _written_or_requeued(task_object, args: tuple, write: Callable[[], None]) -> bool:
    """Run ``write``; if the index stays locked past the writer's timeout (a long merge of an ingest
    running beside), queue the task again a few seconds later instead of failing, so the database
    change is never left unindexed. Return whether it was queued again.
    """
    try:
        write()
    except LockError:
        if not task_object.get_backend().supports_defer:
            raise
        task_object.using(run_after=timezone.now() + RETRY_AFTER).enqueue(*args)
        return True
    return False


@task(queue_name="index")
def index_articles(ids: list[int]) -> dict:
    """Index the public ones of these articles and drop the rest from the index."""
    if _written_or_requeued(index_articles, (ids,), lambda: indexing.sync_articles(ids)):
        return {"articles": len(ids), "requeued": True}
    return {"articles": len(ids)}


@task(queue_name="index")
def index_source(source_id: int) -> dict:
    """Index again every public article of a source (after a rename: its name is in the index)."""
    from archive.models import Article

    ids = list(Article.objects.public().filter(source_id=source_id).values_list("pk", flat=True))

    def write():
        for start in range(0, len(ids), CHUNK):
            indexing.sync_articles(ids[start : start + CHUNK])

    if _written_or_requeued(index_source, (source_id,), write):
        return {"source": source_id, "articles": len(ids), "requeued": True}
    return {"source": source_id, "articles": len(ids)}


def queue_index(ids: Iterable[int]) -> None:
    """Queue these articles for indexing once the current transaction commits (at once outside one)."""
    ids = sorted(set(ids))
    if not ids:
        return

    def enqueue():
        for start in range(0, len(ids), CHUNK):
            index_articles.enqueue(ids[start : start + CHUNK])

    transaction.on_commit(enqueue)


def queue_source_index(source_id: int) -> None:
    transaction.on_commit(lambda: index_source.enqueue(source_id))
