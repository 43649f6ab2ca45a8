"""Exports past 1,000 rows: a background job (the worker, queued on commit) writes every result to a
file with a download link; only its owner sees it; the row cap holds."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client

from api.models import ExportJob
from api.tokens import create_token

from .conftest import make_articles

pytestmark = pytest.mark.django_db


def _client(key):
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def _start(client, django_capture_on_commit_callbacks, **body):
    with django_capture_on_commit_callbacks(execute=True):  # the worker takes it once the request commits
        response = client.post("/api/v1/exports", body, content_type="application/json")
    return response


def test_a_csv_export_of_1500_results_is_written_in_the_background(token, django_capture_on_commit_callbacks):
    ids = set(make_articles(1500))
    client = _client(token)
    started = _start(client, django_capture_on_commit_callbacks, query="q=垃圾分类&sort=oldest", format="csv")
    assert started.status_code == 202 and started.json()["status"] == "queued"
    status = client.get(f"/api/v1/exports/{started.json()['id']}").json()
    assert status["status"] == "done" and status["rows"] == status["total"] == 1500
    assert status["download"].endswith(f"/api/v1/exports/{status['id']}/download")
    download = client.get(status["download"].removeprefix("http://testserver"))
    assert download.status_code == 200 and download["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(download.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 1500 and {int(r["id"]) for r in rows} == ids
    assert rows[0]["source"] == "越城发布" and "垃圾分类" in rows[0]["title"]


def test_a_json_export_and_the_row_cap(token, settings, django_capture_on_commit_callbacks):
    make_articles(1200)
    settings.EXPORT_JOB_MAX_ROWS = 700
    client = _client(token)
    job = _start(client, django_capture_on_commit_callbacks, query="?q=垃圾分类", format="json").json()
    status = client.get(f"/api/v1/exports/{job['id']}").json()
    assert (status["rows"], status["total"]) == (700, 1200)
    body = json.loads(b"".join(client.get(f"/api/v1/exports/{job['id']}/download").streaming_content))
    assert body["count"] == 1200 and body["exported"] == 700 and len(body["results"]) == 700
    assert body["parameters"] == {"q": "垃圾分类"}


def test_exports_need_a_token_and_belong_to_their_owner(staff, token, django_capture_on_commit_callbacks):
    make_articles(3)
    anonymous = Client().post("/api/v1/exports", {"query": "q=垃圾分类"}, content_type="application/json")
    assert anonymous.status_code == 401 and "需要令牌" in anonymous.json()["detail"]
    job = _start(_client(token), django_capture_on_commit_callbacks, query="q=垃圾分类").json()
    from django.contrib.auth import get_user_model

    other = get_user_model().objects.create_user("other", password="x-test-pw-4410")
    stranger = _client(create_token(user=other, name="别人")[1])
    assert stranger.get(f"/api/v1/exports/{job['id']}").status_code == 404
    assert stranger.get(f"/api/v1/exports/{job['id']}/download").status_code == 404
    refused = _client(token).post("/api/v1/exports", {"query": "", "format": "xlsx"}, content_type="application/json")
    assert refused.status_code == 400 and "format 只能是 csv 或 json" in refused.json()["detail"]
    assert ExportJob.objects.count() == 1


def test_a_signed_in_user_exports_from_the_site_with_the_session(staff, django_capture_on_commit_callbacks):
    make_articles(2)
    client = Client()
    client.force_login(staff)
    job = _start(client, django_capture_on_commit_callbacks, query="q=垃圾分类", format="csv").json()
    assert client.get(f"/api/v1/exports/{job['id']}").json()["status"] == "done"


def test_the_search_page_offers_a_background_export_past_1000_results(reader, django_capture_on_commit_callbacks):
    make_articles(1001)
    client = Client()
    assert "后台导出全部" not in client.get("/search/", {"q": "垃圾分类"}).content.decode()  # signed out
    client.force_login(reader)
    page = client.get("/search/", {"q": "垃圾分类", "page": "2"}).content.decode()
    assert "后台导出全部 1001 篇（CSV）" in page
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/alerts/exports/new/", {"q": "垃圾分类", "format": "csv"})
    assert started.status_code == 302
    listing = client.get(started["Location"]).content.decode()
    job = ExportJob.objects.get(user=reader)
    assert job.query == "q=%E5%9E%83%E5%9C%BE%E5%88%86%E7%B1%BB" and job.rows == 1001
    assert "已完成" in listing and f"/api/v1/exports/{job.pk}/download" in listing
    download = client.get(f"/api/v1/exports/{job.pk}/download")
    assert len(b"".join(download.streaming_content).decode("utf-8-sig").strip().splitlines()) >= 1002


def test_old_export_files_are_deleted_when_a_new_export_starts(token, staff, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from api import exports

    make_articles(2)
    client = _client(token)
    first = _start(client, django_capture_on_commit_callbacks, query="q=垃圾分类").json()
    old = ExportJob.objects.get(pk=first["id"])
    path = exports.folder() / old.file
    assert path.exists()
    ExportJob.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=8))
    _start(client, django_capture_on_commit_callbacks, query="q=垃圾分类")
    assert not path.exists() and not ExportJob.objects.filter(pk=old.pk).exists()
    assert ExportJob.objects.count() == 1
