"""Saving in the admin changes only what a curator changed, with the form posted as a browser posts it.

A browser sends every line break of a textarea as CRLF (HTML's form submission normalises them),
whatever the text held. Each test GETs the change form, POSTs its values back exactly so, and then
looks at what readers and curators see: the article's paragraphs, its history, what is marked as
corrected by hand.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.urls import reverse

from archive.ingest.pipeline import ingest_paths
from archive.models import Article, IngestRejection, IngestRun, Place, Source
from archive.roles import CURATORS, ensure_curator_group
from tests.archive.test_admin_curation import CommittingClient, _form_errors, change_form_data, page
from tests.conftest import write_jsonl

pytestmark = pytest.mark.django_db

PARAGRAPHS = [f"第{n}段：府山街道开展第{n}次志愿服务活动，走访独居老人{n}户，帮助解决实际困难。" for n in range(1, 11)]


@pytest.fixture
def curator_client(db):
    if not Group.objects.filter(name=CURATORS).exists():
        ensure_curator_group()
    user = User.objects.create_user("zhang", password="pw-for-tests-only", is_staff=True)
    user.groups.add(Group.objects.get(name=CURATORS))
    client = CommittingClient()
    client.force_login(user)
    return client


@pytest.fixture
def article(tmp_path) -> Article:
    """An article of ten paragraphs, ingested through the real pipeline."""
    record = {
        "title": "府山街道志愿服务十件事",
        "body": "\n\n".join(PARAGRAPHS),
        "account": "柯城发布",
        "published": "2020-07-15",
        "url": "https://mp.weixin.qq.com/s/abc",
    }
    ingest_paths([write_jsonl(tmp_path / "ten.jsonl", [record])])
    article = Article.objects.get(title=record["title"])
    assert len(article.paragraphs()) == len(PARAGRAPHS)
    return article


def as_a_browser_posts(data: dict) -> dict:
    """The form's values with every line break as CRLF, as a browser submits them."""
    return {
        name: re.sub(r"\r\n|\r|\n", "\r\n", value) if isinstance(value, str) else value for name, value in data.items()
    }


def post_as_browser(client, url: str, **changes):
    data = as_a_browser_posts({**change_form_data(client.get(url)), **changes})
    response = client.post(url, data)
    assert response.status_code == 302, _form_errors(response)
    return response


def shown_paragraphs(client, article: Article) -> list[str]:
    body = page(client, article.get_absolute_url()).split('<div class="body">', 1)[1].split("</div>", 1)[0]
    return re.findall(r"<p>(.*?)</p>", body, flags=re.S)


def log_entries(article: Article) -> int:
    return LogEntry.objects.filter(object_id=str(article.pk), content_type__model="article").count()


def test_saving_an_article_without_edits_changes_nothing(curator_client, article):
    before = Article.objects.get(pk=article.pk)
    history = article.history.count()
    logged = log_entries(article)

    post_as_browser(curator_client, reverse("admin:archive_article_change", args=[article.pk]))

    assert shown_paragraphs(curator_client, article) == PARAGRAPHS
    after = Article.objects.get(pk=article.pk)
    assert after.body == before.body and "\r" not in after.body
    assert after.curated_fields == before.curated_fields
    assert after.updated_at == before.updated_at
    assert article.history.count() == history
    assert log_entries(article) == logged


def test_editing_the_title_records_only_the_title(curator_client, article):
    post_as_browser(
        curator_client, reverse("admin:archive_article_change", args=[article.pk]), title="府山街道志愿服务纪实"
    )

    assert shown_paragraphs(curator_client, article) == PARAGRAPHS
    article.refresh_from_db()
    assert article.title == "府山街道志愿服务纪实" and "\r" not in article.body
    assert article.curated_fields == ["title"]
    edit, ingested = article.history.order_by("-history_date", "-history_id")[:2]
    assert edit.diff_against(ingested, excluded_fields=["curated_fields"]).changed_fields == ["title"]
    logged = LogEntry.objects.filter(object_id=str(article.pk)).latest("action_time").get_change_message()
    history = page(curator_client, reverse("admin:archive_article_history", args=[article.pk]))
    assert "府山街道志愿服务纪实" in history and logged in history
    assert "标题" in logged and "正文" not in logged


def test_editing_a_paragraph_keeps_the_others_apart(curator_client, article):
    url = reverse("admin:archive_article_change", args=[article.pk])
    body = article.body.replace("走访独居老人3户", "走访独居老人30户")

    post_as_browser(curator_client, url, body=body)

    shown = shown_paragraphs(curator_client, article)
    assert len(shown) == len(PARAGRAPHS) and "走访独居老人30户" in shown[2]
    article.refresh_from_db()
    assert article.body == body and article.curated_fields == ["body"]


def test_cleaning_again_after_an_unedited_save_keeps_the_paragraphs(curator_client, article):
    post_as_browser(curator_client, reverse("admin:archive_article_change", args=[article.pk]))
    Article.objects.filter(pk=article.pk).update(body="残留的页面文字")  # as an older cleaner left it

    curator_client.post("/admin/archive/article/", {"action": "reclean", "_selected_action": [article.pk]})

    assert shown_paragraphs(curator_client, article) == PARAGRAPHS


def test_adding_a_place_logs_the_place_and_leaves_the_fields_history_alone(curator_client, article):
    history = article.history.count()
    before = Article.objects.get(pk=article.pk)
    added = Place.objects.get(code="330602002")  # 府山街道, 越城区
    url = reverse("admin:archive_article_change", args=[article.pk])
    data = change_form_data(curator_client.get(url))
    new = int(data["place_links-TOTAL_FORMS"])
    data.update({"place_links-TOTAL_FORMS": str(new + 1), f"place_links-{new}-place": str(added.pk)})

    response = curator_client.post(url, as_a_browser_posts(data))

    assert response.status_code == 302, _form_errors(response)
    assert added in article.places.all()
    after = Article.objects.get(pk=article.pk)
    assert after.body == before.body and after.curated_fields == before.curated_fields
    assert article.history.count() == history
    assert after.updated_at > before.updated_at  # the page changed: its places
    shown = page(curator_client, reverse("admin:archive_article_history", args=[article.pk]))
    assert "府山街道（330602002）" in shown  # the admin log names the place added


def test_a_body_saved_with_crlf_by_a_script_keeps_its_paragraphs(curator_client, article):
    article.body = "\r\n\r\n".join(PARAGRAPHS)
    article.save()

    assert shown_paragraphs(curator_client, article) == PARAGRAPHS


def test_saving_a_source_without_edits_changes_nothing(curator_client, article):
    source = article.source
    Source.objects.filter(pk=source.pk).update(description="越城区府山街道的公众号。\n发布街道动态。")
    history = source.history.count()

    post_as_browser(curator_client, reverse("admin:archive_source_change", args=[source.pk]))

    source.refresh_from_db()
    assert source.description == "越城区府山街道的公众号。\n发布街道动态。"
    assert source.history.count() == history


def test_editing_a_source_description_keeps_its_line_breaks_as_lf(curator_client, article):
    source = article.source
    url = reverse("admin:archive_source_change", args=[source.pk])

    post_as_browser(curator_client, url, description="第一行\n第二行")

    source.refresh_from_db()
    assert source.description == "第一行\n第二行"


@pytest.fixture
def rejection() -> IngestRejection:
    run = IngestRun.objects.create(status=IngestRun.Status.COMPLETED)
    raw = '{"title": "东浦街道开展水质监测",\n"body": "守护一江清水。"\r\n'  # a record's own, mixed line ends
    return IngestRejection.objects.create(
        run=run,
        path="broken.jsonl",
        position="line 1",
        reason="invalid_json",
        message="…",
        raw=raw,
        raw_size=len(raw.encode()),
    )


def test_saving_a_rejected_record_without_edits_keeps_it_exactly(curator_client, rejection):
    raw = rejection.raw

    post_as_browser(curator_client, reverse("admin:archive_ingestrejection_change", args=[rejection.pk]))

    rejection.refresh_from_db()
    assert rejection.raw == raw


def test_a_corrected_record_is_stored_with_lf_line_ends(curator_client, rejection):
    url = reverse("admin:archive_ingestrejection_change", args=[rejection.pk])

    post_as_browser(curator_client, url, raw='{"title": "东浦街道开展水质监测",\n"body": "守护一江清水。"}')

    rejection.refresh_from_db()
    assert rejection.raw == '{"title": "东浦街道开展水质监测",\n"body": "守护一江清水。"}'
    assert rejection.raw_size == len(rejection.raw.encode())


def test_a_corrected_record_whose_lines_all_end_in_crlf_keeps_them(curator_client, rejection):
    raw = "<html>\r\n<title>东浦\r\n"  # a page saved on Windows
    IngestRejection.objects.filter(pk=rejection.pk).update(raw=raw, raw_size=len(raw.encode()))
    url = reverse("admin:archive_ingestrejection_change", args=[rejection.pk])

    post_as_browser(curator_client, url, raw="<html>\n<title>东浦街道</title>\n")

    rejection.refresh_from_db()
    assert rejection.raw == "<html>\r\n<title>东浦街道</title>\r\n"
