"""Searching government documents on the real index: by 发文字号 in any writing, by 发文机关."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from archive.models import Article
from tests.conftest import ingest_corpus, write_jsonl
from tests.search.helpers import result_titles

PAGE_TITLE = "绍兴市越城区人民政府关于印发越城区2020年老旧小区改造工作实施方案的通知"
NOTICE_TITLE = "关于做好2021年度防汛防台工作的通知"


@pytest.fixture
def govdoc_corpus(db, tmp_path, test_data):
    from archive.ingest.pipeline import ingest_paths

    ingest_corpus(tmp_path, test_data)
    # A third document from the same issuer, and one that only cites the first one's number.
    more = write_jsonl(
        tmp_path / "more.jsonl",
        [
            {
                "title": "绍兴市越城区人民政府关于公布第一批历史建筑名单的通知",
                "body": "越政发〔2020〕9号\n\n各街道办事处：\n\n根据《历史文化名城名镇名村保护条例》，经区政府研究，"
                "现将第一批历史建筑名单予以公布，请各街道做好日常保护和修缮管理工作。\n\n"
                "绍兴市越城区人民政府\n2020年6月1日",
                "account": "越城发布",
                "published": "2020-06-03",
            },
            {
                "title": "府山街道落实老旧小区改造方案",
                "body": "府山街道根据越政发〔2020〕3号文件要求，召开老旧小区改造推进会。",
                "account": "越城发布",
                "published": "2020-04-01",
            },
        ],
    )
    summary = ingest_paths([test_data / "govdoc_xxgk_2020.html", test_data / "govdoc_notice_dump.txt", more])
    assert summary.stored == 4
    return Article.objects.public()


def page(client, **params):
    response = client.get(reverse("search:search"), params)
    assert response.status_code == 200
    return response.content.decode()


def api(client, **params):
    return client.get(reverse("search:api-search"), params).json()


def titles(html: str) -> list[str]:
    return result_titles(html)


@pytest.mark.parametrize("query", ["越政发〔2020〕3号", "越政发[2020]3号", "越政发2020年3号", "越政发（2020）3号"])
def test_search_by_document_number_finds_the_document(client, govdoc_corpus, query):
    assert titles(page(client, q=query)) == [PAGE_TITLE]


def test_a_number_no_document_has_is_searched_as_text(client, govdoc_corpus):
    found = titles(page(client, q="越政发〔2019〕77号"))
    assert found == []
    assert api(client, q="第一批历史建筑")["count"] == 1


def test_issuer_facet_shows_counts_and_the_filter_narrows(client, govdoc_corpus):
    html = page(client)
    facet = re.search(r'<section class="facet" data-facet="issuer">(.*?)</section>', html, re.S)
    assert facet and "<h2>发文机关</h2>" in facet.group(1)
    link = re.search(r'<a href="([^"]*)">绍兴市越城区人民政府</a> <span class="count">(\d+)</span>', facet.group(1))
    assert link and link.group(2) == "2"
    assert re.search(r'>绍兴市越城区人民政府办公室</a> <span class="count">1</span>', facet.group(1))

    narrowed = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert sorted(titles(narrowed)) == sorted([PAGE_TITLE, "绍兴市越城区人民政府关于公布第一批历史建筑名单的通知"])
    assert "发文机关：绍兴市越城区人民政府" in narrowed  # an active, removable filter
    total = api(client)["count"]
    data = api(client, issuer="绍兴市越城区人民政府")
    assert data["count"] == 2 < total
    assert ["绍兴市越城区人民政府", 2] in data["facets"]["issuer"]


def test_unknown_issuer_is_ignored_with_a_note(client, govdoc_corpus):
    data = api(client, issuer="不存在的局")
    assert data["count"] == api(client)["count"]
    assert any("没有发文机关为“不存在的局”的文件" in m for m in data["messages"])


def test_article_api_gives_the_document_fields(client, govdoc_corpus):
    article = Article.objects.get(doc_number="越政发[2020]3号")
    data = client.get(reverse("search:api-article", args=[article.pk])).json()
    assert data["document"] == {
        "doc_number": "越政发[2020]3号",
        "issuing_body": "绍兴市越城区人民政府",
        "written_date": "2020-03-05",
        "index_number": "11330602002562436B/2020-123456",
        "subject_category": "城乡建设、环境保护/城乡建设（含住房）",
    }


def test_exports_carry_the_document_fields(client, govdoc_corpus):
    import csv
    import io

    rows = client.get(reverse("search:export-json"), {"issuer": "绍兴市越城区人民政府"}).json()["results"]
    page = next(row for row in rows if row["title"] == PAGE_TITLE)
    assert page["document"]["doc_number"] == "越政发[2020]3号"
    assert page["document"]["written_date"] == "2020-03-05"

    text = client.get(reverse("search:export-csv"), {"q": "越政发〔2020〕3号"}).content.decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    row = next(row for row in table if row["title"] == PAGE_TITLE)
    assert (row["doc_number"], row["issuing_body"], row["written_date"]) == (
        "越政发[2020]3号",
        "绍兴市越城区人民政府",
        "2020-03-05",
    )
    assert row["index_number"] == "11330602002562436B/2020-123456"
