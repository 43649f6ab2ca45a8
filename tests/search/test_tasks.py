"""Index writes leave the request: they are queued on commit and the worker writes them.

The real database queue and worker, real commits (transactional tests), the real index.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult
from haystack import connections

from archive.models import Article, Source
from search.engine import Filters
from tests.search.helpers import found

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_edit_is_queued_on_commit_and_written_by_the_worker(test_data, task_queue):
    from archive.ingest.pipeline import ingest_paths

    ingest_paths([test_data / "seed.txt"])  # ingest (a command, not a request) indexes its batches itself
    article = Article.objects.get()
    assert found("和美越城") == set()

    with transaction.atomic():
        article.title = "改过的标题：和美越城"
        article.save()
        assert not DBTaskResult.objects.exists()  # nothing queued before the commit
    [task] = DBTaskResult.objects.all()
    assert task.status == "READY" and task.queue_name == "index"
    assert found("和美越城") == set()  # the save did not write the index

    task_queue()
    assert found("和美越城") == {article.pk}
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"

    with pytest.raises(RuntimeError), transaction.atomic():
        article.title = "回滚的标题"
        article.save()
        raise RuntimeError
    assert DBTaskResult.objects.count() == 1  # a rolled-back change queues nothing


def test_a_source_rename_is_reindexed_by_the_worker(test_data, task_queue):
    from archive.ingest.pipeline import ingest_paths

    ingest_paths([test_data / "localgov_sample.jsonl"])
    source = Source.objects.filter(articles__status="published").distinct().first()
    count = Article.objects.public().filter(source=source).count()
    source.name = "改名后的公众号"
    source.save()
    assert not found(filters=Filters(source="改名后的公众号"))
    task_queue()
    assert len(found(filters=Filters(source="改名后的公众号"))) == count > 0
    assert DBTaskResult.objects.get().return_value == {"source": source.pk, "articles": count}


def test_a_write_that_finds_the_index_locked_is_queued_again_not_lost(test_data, task_queue, monkeypatch):
    from django.utils import timezone

    from archive.ingest.pipeline import ingest_paths
    from search.engine import whoosh_engine

    ingest_paths([test_data / "seed.txt"])
    article = Article.objects.get()
    article.title = "索引被占用时改的标题"
    article.save()

    backend = connections["default"].get_backend()
    lock = backend.index.lock("WRITELOCK")  # as a long merge of an ingest beside the worker holds it
    assert lock.acquire()
    monkeypatch.setattr(whoosh_engine, "WRITER_TIMEOUT", 0.2)
    try:
        task_queue()
    finally:
        lock.release()
    first, again = DBTaskResult.objects.order_by("enqueued_at")
    assert first.status == "SUCCESSFUL" and first.return_value == {"articles": 1, "requeued": True}
    assert again.status == "READY" and again.run_after > timezone.now()
    assert found("索引被占用时改的标题") == set()

    DBTaskResult.objects.filter(pk=again.pk).update(run_after=timezone.now())  # its time has come
    task_queue()
    assert found("索引被占用时改的标题") == {article.pk}
