"""Slow curation work, run by the background worker (``manage.py db_worker``) instead of a request.

Each task takes plain values (ids, a path) and returns a summary the admin shows on the task's
page (后台任务). The admin queues them with :func:`run_or_queue`, which also tells whether the
task already finished (a backend that runs tasks at once, as the tests use).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django_tasks import TaskResultStatus, task

from archive import curation
from archive.ingest.pipeline import retry_rejections
from archive.ingest.uploads import ingest_stored_upload
from archive.models import IngestRejection, Source


def _user(user_id: int | None):
    return get_user_model().objects.filter(pk=user_id).first() if user_id else None


@task()
def ingest_upload(path: str, user_id: int | None) -> dict:
    """Ingest a file a curator uploaded (kept under ``DATA_DIR/uploads``) in a new run."""
    return ingest_stored_upload(path, user=_user(user_id)).as_dict()


@task()
def retry_records(rejection_ids: list[int], user_id: int | None) -> dict:
    """Retry rejected records (as corrected by a curator) in one new run."""
    rejections = list(IngestRejection.objects.filter(pk__in=rejection_ids).order_by("pk"))
    return retry_rejections(rejections, user=_user(user_id)).as_dict()


@task()
def regeotag_source(source_id: int, user_id: int | None) -> dict:
    """Geotag a source's articles again (after its home place changed), in batches."""
    source = Source.objects.get(pk=source_id)
    ids = list(curation.source_articles(source).order_by("pk").values_list("pk", flat=True))
    changed, unchanged = curation.regeotag_in_batches(ids=ids, user=_user(user_id))
    return {"source": source_id, "source_name": source.name, "changed": changed, "unchanged": unchanged}


@task()
def regeotag_articles(article_ids: list[int], user_id: int | None) -> dict:
    """Geotag the chosen articles again (the admin action)."""
    changed, unchanged = curation.regeotag_in_batches(ids=sorted(article_ids), user=_user(user_id))
    return {"changed": changed, "unchanged": unchanged}


@task()
def reclean_articles(article_ids: list[int], keep_curated: bool, user_id: int | None) -> dict:
    """Clean the chosen articles again from their raw records (the admin action, for many articles)."""
    outcome = curation.reclean_in_batches(ids=sorted(article_ids), keep_curated=keep_curated, user=_user(user_id))
    return {"changed": outcome.changed, "unchanged": outcome.unchanged, "problems": outcome.problems[:50]}


def run_or_queue(task_object, *args):
    """Queue the task; return its result handle, and whether it has already finished successfully."""
    result = task_object.enqueue(*args)
    return result, result.status == TaskResultStatus.SUCCESSFUL
