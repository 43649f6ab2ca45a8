"""The 阅读原文 link: only a web page (http, https) is ever linked, whatever a record or an old row holds.

A record's address runs in the reader's browser when it is a link: ``javascript:alert(1)`` is a
script on our page. Such an address stays in the raw record and the article page shows it as
plain text. Real SQLite, the real pipeline and index, the Django test client.
"""

from __future__ import annotations

import html
import importlib
import json
import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from archive.ingest.pipeline import ingest_paths
from archive.models import Article
from tests.archive.test_admin_curation import change_form_data, post_change
from tests.conftest import write_jsonl

pytestmark = pytest.mark.django_db

HOSTILE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " \x01\tjavascript:alert(1)",
    "java\nscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "ftp://example.com/a.txt",
]
GOOD = "https://mp.weixin.qq.com/s/abcDEF"
UNLINKED = "原文地址（非网页链接，未加链接）："


TOPICS = ["水质监测", "垃圾分类", "消防演练", "志愿服务", "老旧小区改造", "加装电梯", "防汛检查", "文明创建"]


def records(urls):
    return [
        {"title": f"东浦街道{topic}", "body": f"东浦街道开展{topic}工作。{topic}是今年的重点。", "url": url}
        for topic, url in zip(TOPICS, urls, strict=True)
    ]


@pytest.fixture
def ingested(tmp_path):
    ingest_paths([write_jsonl(tmp_path / "urls.jsonl", records([*HOSTILE, GOOD]))])
    return {json.loads(a.raw)["url"]: a for a in Article.objects.all()}


def text_of(page: str) -> str:
    """The page as a reader sees it: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def links(page: str) -> list[str]:
    return re.findall(r'<a [^>]*href="([^"]*)"', page)


def article_page(client, article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_only_a_web_address_is_stored_and_linked_as_the_original(client, ingested):
    good = ingested[GOOD]
    assert good.original_url == GOOD
    page = article_page(client, good)
    assert f'<a href="{GOOD}" rel="noopener nofollow">阅读原文</a>' in page
    assert UNLINKED not in page
    for url in HOSTILE:
        article = ingested[url]
        assert article.original_url == "", url
        page = article_page(client, article)
        assert "阅读原文" not in page, url
        assert not [href for href in links(page) if not href.startswith(("/", "#", "http"))], url
        assert "<script>alert(1)</script>" not in page


def test_the_address_that_is_not_a_web_page_is_shown_as_plain_text(client, ingested):
    page = article_page(client, ingested["javascript:alert(1)"])
    assert f"{UNLINKED}javascript:alert(1)" in text_of(page)
    page = article_page(client, ingested["data:text/html,<script>alert(1)</script>"])
    assert f"{UNLINKED}data:text/html,<script>alert(1)</script>" in text_of(page)
    assert "<script>alert(1)</script>" not in page  # as text, not as markup


def test_the_api_and_exports_give_no_address_that_is_not_a_web_page(client, ingested):
    for url, article in ingested.items():
        data = client.get(reverse("search:api-article", args=[article.pk])).json()
        assert data["original_url"] == (url if url == GOOD else ""), url
    exported = json.loads(client.get(reverse("search:export-json")).content)["results"]
    assert {row["original_url"] for row in exported} == {GOOD, ""}


def test_an_old_row_holding_a_script_address_is_not_linked(client, ingested):
    """Defence in depth: a value written past validation (before this fix, a script) is shown as text."""
    article = ingested[GOOD]
    for url in ("javascript:alert(1)", "JAVASCRIPT:alert(1)", "\x01javascript:alert(1)", "data:text/html,x"):
        Article.objects.filter(pk=article.pk).update(original_url=url)
        page = article_page(client, article)
        assert "阅读原文" not in page and 'href="javascript' not in page.lower(), url
        assert UNLINKED in page, url
        data = client.get(reverse("search:api-article", args=[article.pk])).json()
        assert data["original_url"] == "", url


@pytest.fixture
def superuser_client(client):
    client.force_login(User.objects.create_superuser("root", password="pw-not-used"))
    return client


@pytest.mark.parametrize("url", [*HOSTILE, "data:text/html;base64,PHNjcmlwdD4="])
def test_a_curator_cannot_save_an_address_that_is_not_a_web_page(superuser_client, ingested, url):
    article = ingested[GOOD]
    change_url = reverse("admin:archive_article_change", args=[article.pk])
    data = {**change_form_data(superuser_client.get(change_url)), "original_url": url}
    response = superuser_client.post(change_url, data)
    assert response.status_code == 200  # the form again, with the error
    assert "原文链接只能是以 http:// 或 https:// 开头的网页地址" in response.content.decode()
    article.refresh_from_db()
    assert article.original_url == GOOD


def test_a_curator_can_still_save_a_web_address(superuser_client, ingested):
    article = ingested["javascript:alert(1)"]
    post_change(superuser_client, article, original_url="https://www.sxyc.gov.cn/art/2021/5/4/1.html")
    article.refresh_from_db()
    assert article.original_url == "https://www.sxyc.gov.cn/art/2021/5/4/1.html"
    page = article_page(superuser_client, article)
    assert 'href="https://www.sxyc.gov.cn/art/2021/5/4/1.html"' in page and UNLINKED not in page


def test_the_migration_moves_script_addresses_out_of_the_link_and_keeps_them_readable(client, ingested):
    migration = importlib.import_module("archive.migrations.0008_safe_original_urls")
    from django.apps import apps

    for url, article in ingested.items():  # as rows stored before this fix held them
        Article.objects.filter(pk=article.pk).update(original_url=url.strip() if url != GOOD else url)
    migration.move_non_web_urls(apps, None)
    for url, article in ingested.items():
        article.refresh_from_db()
        assert article.original_url == (GOOD if url == GOOD else ""), url
    # The address is still where a curator (and a reader, as text) sees it: the raw record.
    article = ingested["javascript:alert(1)"]
    assert f"{UNLINKED}javascript:alert(1)" in text_of(article_page(client, article))
    assert "javascript:alert(1)" in article.raw
