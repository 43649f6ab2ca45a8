"""Text hygiene: invisible controls (bidi overrides, zero widths, BOMs) never reach what is stored or shown.

Ingest and the admin both save through ``archive.receivers.store_clean_text`` / ``archive.text.xml_safe``.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from archive.ingest.pipeline import ingest_paths
from archive.models import Article
from archive.text import xml_safe
from tests.archive.test_admin_curation import page
from tests.archive.test_admin_save import curator_client, post_as_browser  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

# A title as a prankster or a broken editor leaves it: U+202E shows the rest of the line backwards
# ("发布会召开" as "开召会布发"), the isolates and zero widths are invisible but break search.
TRICKY_TITLE = "淳安县\u202e乡村振兴\u202c工作\u200b推进会\u2066召开\u2069\ufeff\u2060"
INVISIBLE = {chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A), *range(0x200B, 0x2010)]}
INVISIBLE |= {"\ufeff", "\u2060", "\u00ad"}


def test_a_title_with_a_bidi_override_is_stored_and_shown_without_it(tmp_path, client):
    record = {
        "title": TRICKY_TITLE,
        "body": "第一段：淳安\u200b县召开\u202e乡村振兴工作推进会。\n\n第二段：部署\u2067下一阶段\u2069任务。",
        "account": "千岛湖\u200d发布",
        "published": "2022-03-01",
        "url": "https://example.com/chunan/1.html",
    }
    path = tmp_path / "tricky.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    ingest_paths([path])

    article = Article.objects.get()
    assert article.title == "淳安县乡村振兴工作推进会召开"
    assert article.body == "第一段：淳安县召开乡村振兴工作推进会。\n\n第二段：部署下一阶段任务。"
    assert article.source.name == "千岛湖发布"
    shown = client.get(article.get_absolute_url()).content.decode()
    assert "淳安县乡村振兴工作推进会召开" in shown
    assert not set(shown) & INVISIBLE
    assert json.loads(article.raw)["title"] == TRICKY_TITLE  # the raw record stays as read


def test_an_admin_edit_pasting_a_bidi_override_is_stored_without_it(curator_client, tmp_path):  # noqa: F811
    path = tmp_path / "plain.jsonl"
    path.write_text(json.dumps({"title": "府山街道议事会", "body": "居民议事。", "account": "越城发布"}) + "\n")
    ingest_paths([path])
    article = Article.objects.get()
    url = reverse("admin:archive_article_change", args=[article.pk])

    post_as_browser(curator_client, url, title="府山街道\u202e议事会\u200b纪实")

    article.refresh_from_db()
    assert article.title == "府山街道议事会纪实"
    assert "府山街道议事会纪实" in page(curator_client, article.get_absolute_url())


def test_a_body_keeps_its_paragraphs_and_tabs_and_a_title_is_one_line():
    assert xml_safe("第一段\u200b。\n\n第二段\t表格\u2028第三行") == "第一段。\n\n第二段\t表格\n第三行"
    assert xml_safe("标题\n第二行\t末尾", one_line=True) == "标题 第二行 末尾"
    assert xml_safe("控制\x85符\x9b号") == "控制符号"  # C1 controls (mojibake's leftovers) too
