"""Slow curation work goes to the background worker: the request answers at once, the worker does it.

The real database queue (django-tasks-db) and its real worker (``db_worker --batch``), the real
SQLite database with real commits, and the real Chinese search index.
"""

from __future__ import annotations

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from archive.models import Article, IngestRun, Source
from tests.archive.test_admin_ingest import RECORDS, make_staff

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def curator_client(client):
    client.force_login(make_staff("curator", curator=True))
    return client


def text_of(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", response.content.decode()))


def api_titles(client, q: str) -> list[str]:
    return [row["title"] for row in client.get(reverse("search:api-search"), {"q": q}).json()["results"]]


def test_an_upload_is_queued_and_the_worker_ingests_it(curator_client, task_queue):
    url = reverse("admin:archive_ingestrun_upload")
    response = curator_client.post(url, {"file": SimpleUploadedFile("越城.jsonl", RECORDS)}, follow=True)

    # The request only kept the file and queued it: the curator lands on the task, waiting.
    [task] = DBTaskResult.objects.all()
    assert response.redirect_chain[-1][0] == reverse("admin:django_tasks_database_dbtaskresult_change", args=[task.pk])
    page = text_of(response)
    assert "已收到 越城.jsonl" in page and "导入上传的文件" in page and "排队中" in page
    assert not IngestRun.objects.exists() and not Article.objects.exists()

    task_queue()  # the worker

    run = IngestRun.objects.get()
    assert (run.origin, run.status, run.started_by.username) == (IngestRun.Origin.UPLOAD, "completed", "curator")
    assert "东浦街道开展水质监测" in api_titles(curator_client, "水质")
    page = text_of(curator_client.get(reverse("admin:django_tasks_database_dbtaskresult_change", args=[task.pk])))
    assert "完成" in page and f"导入批次 {run.pk}：存储 2 条，被拒 1 条（原因：invalid_json）。" in page


def test_curators_see_queued_done_and_failed_tasks(curator_client, task_queue, corpus):
    source = Source.objects.order_by("pk").first()
    regeotag = reverse("admin:archive_source_regeotag", args=[source.pk])
    assert curator_client.post(regeotag).status_code == 302
    listing = reverse("admin:django_tasks_database_dbtaskresult_changelist")
    assert "排队中" in text_of(curator_client.get(listing))

    # A second one whose source is gone before the worker reaches it: it fails, and says why.
    doomed = Source.objects.create(name="将被删除的来源")
    assert curator_client.post(reverse("admin:archive_source_regeotag", args=[doomed.pk])).status_code == 302
    doomed.delete()
    task_queue()

    page = text_of(curator_client.get(listing))
    assert "重新地理标注来源的报道" in page and "完成" in page and "失败" in page
    failed = DBTaskResult.objects.get(status="FAILED")
    detail = text_of(curator_client.get(reverse("admin:django_tasks_database_dbtaskresult_change", args=[failed.pk])))
    assert "DoesNotExist" in detail
    done = DBTaskResult.objects.get(status="SUCCESSFUL")
    assert done.return_value["source"] == source.pk


def test_staff_outside_the_curator_group_cannot_see_tasks(client, task_queue):
    client.force_login(make_staff("visitor", curator=False))
    assert client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist")).status_code == 403


def test_cleaning_many_articles_again_is_queued_and_the_worker_does_it(curator_client, task_queue, corpus, monkeypatch):
    from archive.admin import articles as article_admin

    monkeypatch.setattr(article_admin, "AT_ONCE", 1)  # more than this is left to the worker
    chosen = list(Article.objects.order_by("pk")[:2])
    cleaned = {a.pk: a.body for a in chosen}
    Article.objects.filter(pk__in=cleaned).update(body="残留的页面文字")  # as an older cleaner left them
    data = {"action": "reclean", "_selected_action": list(cleaned)}
    page = text_of(curator_client.post(reverse("admin:archive_article_changelist"), data, follow=True))
    assert "2 篇报道已交给后台任务重新清理" in page
    assert set(Article.objects.filter(pk__in=cleaned).values_list("body", flat=True)) == {"残留的页面文字"}

    task_queue()
    assert {a.pk: a.body for a in Article.objects.filter(pk__in=cleaned)} == cleaned
    listing = text_of(curator_client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist")))
    assert "从原始记录重新清理所选报道" in listing and "有变化 2 篇，原本如此 0 篇。" in listing
