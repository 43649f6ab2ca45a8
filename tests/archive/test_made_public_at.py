"""``Article.made_public_at``: stamped whenever an article becomes public, and only then.

Saved-search alerts send the articles that became public since the last alert, so the stamp must
move when a hidden article is published again or a duplicate stands on its own again, and must not
move for an edit of an article that stays public.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from archive import curation
from archive.models import Article
from search.engine import Filters
from tests.search.helpers import found

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2025, 1, 6, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock(monkeypatch):
    """A settable ``timezone.now``: ``clock.at(moment)``; each reading is a second later than the last."""

    class Clock:
        now = T0

        def at(self, moment):
            self.now = moment

        def __call__(self):
            self.now += dt.timedelta(seconds=1)
            return self.now

    fake = Clock()
    monkeypatch.setattr(timezone, "now", fake)
    return fake


def ingest(*paths):
    call_command("ingest", *map(str, paths), "--no-progress")


def make(title: str, **fields) -> Article:
    return Article.objects.create(
        title=title, body=f"{title}。", raw=title, raw_format="jsonl", raw_hash=title, content_hash=title, **fields
    )


def test_ingest_stamps_the_articles_it_creates_public_and_not_their_duplicates(test_data, tmp_path, clock):
    ingest(test_data / "seed.txt")
    repost = (test_data / "seed.txt").read_text(encoding="utf-8").replace("yuechengZG", "sxzugong")
    (tmp_path / "repost.txt").write_text(repost.replace("越城组工", "绍兴组工"), encoding="utf-8")
    ingest(tmp_path / "repost.txt")

    original, copy = Article.objects.order_by("pk")
    assert copy.duplicate_of == original
    assert original.made_public_at is not None and T0 < original.made_public_at <= original.created_at
    assert copy.made_public_at is None


def test_a_stored_copy_that_ingest_sets_apart_is_stamped_when_it_stands_alone(tmp_path, clock):
    """Ingest re-points stored copies with a queryset update (no save()): one set apart is public now."""
    title = "上市公司重要公告汇总及今日市场要闻"

    def feed(name, *rows):
        lines = [
            json.dumps({"title": title, "account": a, "published": d, "url": u}, ensure_ascii=False) for a, d, u in rows
        ]
        (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        ingest(tmp_path / name)

    feed("a.jsonl", ("甲", "2021-05-01", "https://example.org/1"), ("乙", "2021-05-02", "https://example.org/2"))
    first, copy = Article.objects.order_by("pk")
    assert copy.duplicate_of == first and copy.made_public_at is None
    # Four days now carry the title: a recurring one, so the pair is split (dedupe's rule).
    feed("b.jsonl", ("丙", "2021-05-09", "https://example.org/3"), ("丁", "2021-05-20", "https://example.org/4"))

    copy.refresh_from_db()
    assert copy.duplicate_of is None and copy.made_public_at > first.made_public_at


def test_publishing_a_hidden_article_again_stamps_it_anew(clock):
    article = make("东浦街道开展水质监测")
    first = article.made_public_at
    assert first is not None

    curation.set_status([article], Article.Status.HIDDEN)
    assert Article.objects.get(pk=article.pk).made_public_at == first  # hiding keeps the last time
    curation.set_status([Article.objects.get(pk=article.pk)], Article.Status.PUBLISHED)

    again = Article.objects.get(pk=article.pk).made_public_at
    assert again > first


def test_editing_a_public_article_keeps_its_stamp(clock):
    article = make("北海街道党工委召开会议")
    stamped = article.made_public_at
    article = Article.objects.get(pk=article.pk)
    article.title = "北海街道党工委召开全体会议"
    article.save()
    article.body = "会议内容。"
    article.save(update_fields=["body", "status"])  # status written unchanged: still no new stamp
    curation.set_status([article], Article.Status.PUBLISHED)  # already published: nothing to do

    assert Article.objects.get(pk=article.pk).made_public_at == stamped


def test_a_duplicate_set_apart_again_is_stamped_anew(clock):
    original = make("柯城区府山街道开展志愿服务")
    article = make("府山街道志愿服务（转载）")
    first = article.made_public_at

    curation.merge(original, [article])
    article = Article.objects.get(pk=article.pk)
    assert article.duplicate_of == original and article.made_public_at == first
    curation.not_a_duplicate([article])

    assert Article.objects.get(pk=article.pk).made_public_at > first
    assert Article.objects.get(pk=original.pk).made_public_at == original.made_public_at


def test_an_article_loaded_without_its_status_is_stamped_when_published(clock):
    article = make("迪荡街道开展消防演练", status=Article.Status.HIDDEN)
    assert article.made_public_at is None
    article = Article.objects.only("title").get(pk=article.pk)
    article.status = Article.Status.PUBLISHED
    article.save(update_fields=["status"])
    assert Article.objects.get(pk=article.pk).made_public_at is not None


def test_the_search_index_holds_when_each_article_became_public(clock, django_capture_on_commit_callbacks):
    """What an alert asks: the articles that became public since a moment, a republished one among them."""
    with django_capture_on_commit_callbacks(execute=True):  # the index is written once each change commits
        early, late = make("东浦街道开展水质监测"), make("北海街道党工委召开会议")
    with django_capture_on_commit_callbacks(execute=True):
        curation.set_status([early], Article.Status.HIDDEN)
    assert found("街道") == {late.pk}
    since = clock() + dt.timedelta(seconds=1)
    clock.at(since)
    with django_capture_on_commit_callbacks(execute=True):
        curation.set_status([Article.objects.get(pk=early.pk)], Article.Status.PUBLISHED)

    assert found("街道") == {early.pk, late.pk}
    assert found("街道", filters=Filters(public_since=since)) == {early.pk}


def test_the_migration_stamps_public_articles_with_their_creation_time():
    public, hidden = make("东浦街道开展水质监测"), make("北海街道党工委召开会议", status=Article.Status.HIDDEN)
    copy = make("东浦街道开展水质监测（转载）", duplicate_of=public)
    Article.objects.update(made_public_at=None)

    migration = importlib.import_module("archive.migrations.0013_article_made_public_at")
    migration.stamp_public_articles(apps, None)

    stamped = dict(Article.objects.values_list("pk", "made_public_at"))
    assert stamped == {public.pk: Article.objects.get(pk=public.pk).created_at, hidden.pk: None, copy.pk: None}
