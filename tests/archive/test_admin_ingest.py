"""Ingest review in the admin, as a curator uses it: upload a file, read the run, fix and retry a record.

Real SQLite, the real Chinese Whoosh index (emptied per test) and the Django test client.
"""

from __future__ import annotations

import gzip
import html
import io
import json
import os
import re
import time

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from archive.models import Article, IngestRejection, IngestRun
from archive.roles import CURATORS, ensure_curator_group
from tests.conftest import EXTRA
from tests.search.helpers import result_titles

pytestmark = pytest.mark.django_db

GOOD = [EXTRA[0], EXTRA[2]]  # 东浦街道开展水质监测, 柯城区府山街道开展志愿服务
FIXED = json.dumps(EXTRA[1], ensure_ascii=False)  # 北海街道党工委召开会议
BROKEN = FIXED[:-1]  # the closing brace lost: invalid JSON


def jsonl(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


RECORDS = jsonl(json.dumps(GOOD[0], ensure_ascii=False), BROKEN, json.dumps(GOOD[1], ensure_ascii=False))


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    """Uploads are kept under DATA_DIR: a temporary one, never the user's."""
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


def make_staff(username: str, *, curator: bool) -> User:
    user = User.objects.create_user(username, password="pw-not-used", is_staff=True)
    if curator:
        group = Group.objects.filter(name=CURATORS).first()
        if group is None:
            ensure_curator_group()
            group = Group.objects.get(name=CURATORS)
        user.groups.add(group)
    return user


@pytest.fixture
def curator():
    return make_staff("curator", curator=True)


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


def upload(client, name: str, content: bytes):
    url = reverse("admin:archive_ingestrun_upload")
    return client.post(url, {"file": SimpleUploadedFile(name, content)}, follow=True)


def page_text(response) -> str:
    """The page as a reader sees it: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", response.content.decode()))


def search_titles(client, q: str) -> list[str]:
    page = client.get(reverse("search:search"), {"q": q}).content.decode()
    return result_titles(page)


def api_titles(client, q: str) -> list[str]:
    return [row["title"] for row in client.get(reverse("search:api-search"), {"q": q}).json()["results"]]


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- upload ------------------------------------------------------------------------------------


def test_ingest_run_list_offers_upload_and_shows_counts(curator_client):
    upload(curator_client, "records.jsonl", RECORDS)
    page = curator_client.get(reverse("admin:archive_ingestrun_changelist"))
    assert page.status_code == 200
    assert reverse("admin:archive_ingestrun_upload") in page.content.decode()
    assert "上传记录" in page.content.decode()
    text = page_text(page)
    assert "后台上传" in text and "curator" in text and "records.jsonl" in text


def test_uploaded_records_are_stored_indexed_and_summarised_on_the_run_page(curator_client, curator, settings):
    response = upload(curator_client, "越城 records.jsonl", RECORDS)

    run = IngestRun.objects.get()
    assert response.redirect_chain[-1][0] == reverse("admin:archive_ingestrun_change", args=[run.pk])
    assert (run.origin, run.started_by, run.status) == (IngestRun.Origin.UPLOAD, curator, IngestRun.Status.COMPLETED)
    text = page_text(response)
    assert re.search(r"stored\s+2\b", text) and re.search(r"rejected\s+1\b", text)
    assert "invalid_json" in text
    assert (
        f"已导入 越城 records.jsonl（导入批次 {run.pk}）：存储 2 条，被拒 1 条（原因：invalid_json）。"
        in messages_of(response)
    )

    # The upload is kept as the raw file its articles came from.
    kept = settings.DATA_DIR / "uploads"
    [saved] = kept.iterdir()
    assert saved.name.endswith("-越城_records.jsonl") and saved.read_bytes() == RECORDS
    assert run.paths == [str(saved)]
    assert set(Article.objects.values_list("source_file", flat=True)) == {str(saved)}

    assert "东浦街道开展水质监测" in search_titles(curator_client, "水质")
    assert "柯城区府山街道开展志愿服务" in api_titles(curator_client, "志愿服务")


def test_run_page_lists_rejections_with_path_position_reason_linked(curator_client):
    upload(curator_client, "records.jsonl", RECORDS)
    run = IngestRun.objects.get()
    rejection = IngestRejection.objects.get()

    page = curator_client.get(reverse("admin:archive_ingestrun_change", args=[run.pk]))
    body = page.content.decode()
    assert f"! {rejection.path} line 2: invalid_json: line 2 is not valid JSON" in page_text(page)
    assert reverse("admin:archive_ingestrejection_change", args=[rejection.pk]) in body
    assert 'name="_save"' not in body  # read-only
    assert curator_client.post(reverse("admin:archive_ingestrun_delete", args=[run.pk])).status_code == 403


def test_uploading_the_same_file_again_stores_no_duplicates(curator_client):
    upload(curator_client, "records.jsonl", RECORDS)
    response = upload(curator_client, "records.jsonl", RECORDS)

    assert re.search(r"unchanged\s+2\b", page_text(response))
    assert IngestRun.objects.filter(origin=IngestRun.Origin.UPLOAD).count() == 2
    assert IngestRun.objects.first().unchanged == 2  # newest first
    assert Article.objects.count() == 2


def test_gzipped_upload_is_read(curator_client):
    response = upload(curator_client, "records.jsonl.gz", gzip.compress(RECORDS))
    assert re.search(r"stored\s+2\b", page_text(response))


LONG_NAME = "越城区" * 30  # 90 Chinese characters: 270 bytes of UTF-8, more than a file name may have


@pytest.mark.parametrize(
    "name,content,extension",
    [
        (f"{LONG_NAME}.jsonl", RECORDS, ".jsonl"),
        (f"{LONG_NAME}.jsonl.gz", gzip.compress(RECORDS), ".jsonl.gz"),
        (f"{'府山街道' * 60}.txt.gz", gzip.compress(RECORDS), ".txt.gz"),
        (f"a{'é' * 200}.json", RECORDS, ".json"),
    ],
    ids=["90-chinese", "90-chinese-gz", "240-chinese-gz", "two-byte-letters"],
)
def test_an_upload_with_a_long_chinese_name_is_kept_under_a_shortened_name(
    curator_client, settings, name, content, extension
):
    response = upload(curator_client, name, content)

    assert response.status_code == 200
    run = IngestRun.objects.get()
    assert (run.status, run.stored, run.rejected) == (IngestRun.Status.COMPLETED, 2, 1)
    assert any(f"已导入 {name}（导入批次 {run.pk}）：存储 2 条" in m for m in messages_of(response))
    [saved] = (settings.DATA_DIR / "uploads").iterdir()
    assert len(os.fsencode(saved.name)) <= 255
    assert saved.name.endswith(extension)
    stem = name[: -len(extension)]
    kept = saved.name[: -len(extension)].split("-", 2)[-1]
    assert kept and stem.startswith(kept)  # the start of the name, no character cut in half
    assert set(Article.objects.values_list("source_file", flat=True)) == {str(saved)}


def test_too_large_upload_is_refused_with_the_limit_and_nothing_stored(curator_client, settings):
    settings.INGEST_UPLOAD_MAX_BYTES = 100

    response = upload(curator_client, "records.jsonl", RECORDS)

    assert response.status_code == 200
    text = page_text(response)
    assert f"文件有 {len(RECORDS):,} 字节" in text and "上传最多 100 字节" in text
    assert not IngestRun.objects.exists() and not Article.objects.exists()
    assert not (settings.DATA_DIR / "uploads").exists()


def gzip_bomb(block: bytes, *, members: int) -> bytes:
    """Gzip data inflating to ``members`` times ``block``: one member repeated (cheap to make)."""
    return gzip.compress(block, compresslevel=9) * members


def test_a_gzip_bomb_is_refused_by_its_inflated_size_without_inflating_it(curator_client, settings):
    settings.INGEST_UPLOAD_MAX_BYTES = 8 * 1024 * 1024
    bomb = gzip_bomb(b"\0" * (16 * 1024 * 1024), members=256)  # 4 GiB of zeros in about 4 MB
    assert len(bomb) < settings.INGEST_UPLOAD_MAX_BYTES

    started = time.monotonic()
    response = upload(curator_client, "records.jsonl.gz", bomb)
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    text = page_text(response)
    assert "解压后超过 8,388,608 字节" in text and "上传最多 8,388,608 字节" in text
    assert not IngestRun.objects.exists() and not Article.objects.exists()
    assert not (settings.DATA_DIR / "uploads").exists()
    assert elapsed < 5, f"{elapsed:.1f} s: the whole bomb was inflated"


def test_a_gzipped_upload_under_the_limit_inflated_is_taken(curator_client, settings):
    settings.INGEST_UPLOAD_MAX_BYTES = len(RECORDS)
    response = upload(curator_client, "records.jsonl.gz", gzip.compress(RECORDS))
    assert re.search(r"stored\s+2\b", page_text(response))


def test_empty_upload_is_refused(curator_client):
    response = upload(curator_client, "records.jsonl", b"")
    assert "文件是空的" in page_text(response)
    assert not IngestRun.objects.exists()


def test_upload_needs_the_add_ingest_run_permission(client):
    staff = make_staff("reader", curator=False)
    staff.user_permissions.add(Permission.objects.get(codename="view_ingestrun"))
    client.force_login(staff)

    assert client.get(reverse("admin:archive_ingestrun_upload")).status_code == 403
    assert upload(client, "records.jsonl", RECORDS).status_code == 403
    assert "上传记录" not in client.get(reverse("admin:archive_ingestrun_changelist")).content.decode()
    assert not IngestRun.objects.exists()


# --- review and retry -------------------------------------------------------------------------


def test_fixed_record_saved_and_retried_becomes_a_searchable_article(curator_client, curator):
    upload(curator_client, "records.jsonl", RECORDS)
    rejection = IngestRejection.objects.get()
    url = reverse("admin:archive_ingestrejection_change", args=[rejection.pk])

    page = curator_client.get(url)
    assert 'name="_retry"' in page.content.decode()
    assert "invalid_json" in page_text(page) and BROKEN in html.unescape(page.content.decode())

    response = curator_client.post(url, {"raw": FIXED, "_retry": "Save and retry"}, follow=True)

    retry_run = IngestRun.objects.get(origin=IngestRun.Origin.RETRY)
    assert f"已重试 1 条记录（导入批次 {retry_run.pk}）：存储 1 条。" in messages_of(response)
    assert retry_run.started_by == curator
    article = Article.objects.get(title="北海街道党工委召开会议")
    assert (article.source_file, article.source_position) == (rejection.path, "line 2")
    rejection.refresh_from_db()
    assert (rejection.article, rejection.retried_in, rejection.raw) == (article, retry_run, FIXED)
    assert "北海街道党工委召开会议" in search_titles(curator_client, "党工委")

    listing = curator_client.get(reverse("admin:archive_ingestrejection_changelist"))
    assert reverse("admin:archive_article_change", args=[article.pk]) in listing.content.decode()


def test_retrying_an_unfixed_record_rejects_it_again_in_a_new_run(curator_client):
    upload(curator_client, "records.jsonl", RECORDS)
    old = IngestRejection.objects.get()

    response = curator_client.post(
        reverse("admin:archive_ingestrejection_changelist"),
        {"action": "retry_selected", "_selected_action": [old.pk]},
        follow=True,
    )

    retry_run = IngestRun.objects.get(origin=IngestRun.Origin.RETRY)
    expected = f"已重试 1 条记录（导入批次 {retry_run.pk}）：再次被拒 1 条（原因：invalid_json）。"
    assert expected in messages_of(response)
    new = IngestRejection.objects.get(run=retry_run)
    assert (new.path, new.position, new.reason) == (old.path, old.position, "invalid_json")
    old.refresh_from_db()
    assert old.retried_in == retry_run and old.article is None
    assert f"在批次 {retry_run.pk}中再次被拒" in page_text(response)
    assert Article.objects.count() == 2


def test_record_cut_off_at_ingest_cannot_be_retried(curator_client, settings):
    settings.INGEST_MAX_RECORD_BYTES = 1000
    huge = dict(EXTRA[0], body="水质监测。" * 6000)  # about 90 KB: more than the 64 KB a rejection keeps
    upload(curator_client, "records.jsonl", jsonl(json.dumps(huge, ensure_ascii=False)))
    rejection = IngestRejection.objects.get(reason="too_large")
    assert rejection.raw_is_truncated()
    runs = IngestRun.objects.count()
    url = reverse("admin:archive_ingestrejection_change", args=[rejection.pk])

    page = curator_client.get(url)
    assert 'name="_retry"' not in page.content.decode()
    assert "无法重试" in page_text(page) and "记录不完整" in page_text(page)

    response = curator_client.post(url, {"_retry": "Save and retry"}, follow=True)
    assert any("无法重试" in m and "记录不完整" in m for m in messages_of(response))
    response = curator_client.post(
        reverse("admin:archive_ingestrejection_changelist"),
        {"action": "retry_selected", "_selected_action": [rejection.pk]},
        follow=True,
    )
    assert any("无法重试" in m and "记录不完整" in m for m in messages_of(response))

    assert IngestRun.objects.count() == runs
    rejection.refresh_from_db()
    assert rejection.retried_in is None and rejection.article is None
    assert not Article.objects.exists()


def test_rejection_list_filters_by_reason_and_searches_messages(curator_client):
    upload(curator_client, "records.jsonl", RECORDS)
    changelist = reverse("admin:archive_ingestrejection_changelist")

    assert "records.jsonl" in page_text(curator_client.get(changelist, {"reason": "invalid_json"}))
    assert "records.jsonl" not in page_text(curator_client.get(changelist, {"reason": "too_large"}))
    assert "records.jsonl" not in page_text(curator_client.get(changelist, {"q": "没有这条"}))
    assert "未重试" in page_text(curator_client.get(changelist, {"q": "not valid JSON"}))


# --- one summary, two readers -----------------------------------------------------------------


def test_run_page_shows_the_summary_exactly_as_the_command_prints_it(curator_client, tmp_path):
    records = tmp_path / "records.jsonl"
    records.write_bytes(RECORDS)
    out = io.StringIO()
    with pytest.raises(CommandError):  # exit status 1: something was rejected
        call_command("ingest", str(records), "--no-progress", stdout=out)
    printed = out.getvalue().splitlines()
    assert printed[0].startswith("Ingest run") and any("invalid_json" in line for line in printed)

    run = IngestRun.objects.get()
    assert run.origin == IngestRun.Origin.COMMAND and run.started_by is None
    page = curator_client.get(reverse("admin:archive_ingestrun_change", args=[run.pk]))
    shown = re.search(r"<pre[^>]*>(.*?)</pre>", page.content.decode(), re.S).group(1)
    assert html.unescape(re.sub(r"<[^>]+>", "", shown)).splitlines() == printed
