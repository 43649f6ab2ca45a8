"""The home page's figures are cached, and an ingest or a curator's edit shows on the very next request."""

import re

import pytest

from archive.ingest.pipeline import ingest_paths
from archive.models import Article, ArticlePlace
from tests.conftest import write_jsonl


def home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def total(page: str) -> int:
    return int(re.search(r"收录 <strong>(\d+)</strong> 篇报道", page).group(1))


def district_count(page: str, name: str) -> int:
    row = rf'>{name}</a> <span class="meta">[^<]*</span> <span class="count">(\d+) 篇'
    return int(re.search(row, page).group(1))


@pytest.mark.django_db
def test_a_second_visit_reuses_the_figures(client, corpus, django_assert_max_num_queries):
    first = home(client)
    with django_assert_max_num_queries(2):  # the articles' version; the session is not touched
        second = home(client)
    assert second == first


@pytest.mark.django_db
def test_an_ingest_shows_on_the_next_visit(client, corpus, tmp_path):
    before = home(client)
    new = {
        "title": "迪荡街道开展消防演练",
        "body": "迪荡街道组织辖区商户开展消防演练。",
        "account": "越城发布",
        "published": "2026-02-01",
    }
    ingest_paths([write_jsonl(tmp_path / "new.jsonl", [new])], index=False)
    after = home(client)
    assert total(after) == total(before) + 1
    assert "迪荡街道开展消防演练" in after and "迪荡街道开展消防演练" not in before
    assert "2026年2月：1 篇" in after


@pytest.mark.django_db
def test_hiding_an_article_shows_on_the_next_visit(client, corpus):
    newest = corpus.exclude(published=None).order_by("-published", "-id").first()
    before = home(client)
    assert newest.title in before
    newest.status = Article.Status.HIDDEN
    newest.save()
    after = home(client)
    assert total(after) == total(before) - 1 and newest.title not in after


@pytest.mark.django_db
def test_a_curator_untagging_a_place_changes_its_count(client, seed_article):
    before = district_count(home(client), "越城区")
    for link in ArticlePlace.objects.filter(article=seed_article, place__code__startswith="330602"):
        link.delete()  # one by one, as the admin's inline deletes them
    assert district_count(home(client), "越城区") == before - 1
