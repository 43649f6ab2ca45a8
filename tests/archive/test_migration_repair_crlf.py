"""Migration 0006 repairs the articles that unedited admin saves left with CRLF line ends.

Articles are ingested through the real pipeline, then damaged as the admin used to damage them
(with the models as they were at 0005: body written back with CRLF, ``curated_fields`` marked,
history rows), and the migration is applied on the real database. The tests then read the pages
and fields a reader and a curator see.

Django's ``MigrationExecutor`` would migrate back to 0005 and forward again; on SQLite a schema
editor cannot be opened inside the transaction every test runs in, and a transactional test would
empty the gazetteer the other tests need. So the migration is applied with ``Migration.apply``,
the executor's own step, on the project state at 0005: 0006 changes no schema, only rows.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from archive.ingest.pipeline import ingest_paths
from archive.models import Article, Source
from archive.receivers import AS_INGESTED
from tests.conftest import write_jsonl

pytestmark = pytest.mark.django_db

MIGRATION = ("archive", "0006_repair_crlf_bodies")
BEFORE = ("archive", "0005_curation")


def paragraphs(n: int, topic: str) -> list[str]:
    return [f"{topic}第{i}段：东浦街道开展{topic}工作，走访群众{i}户，收集意见建议。" for i in range(1, n + 1)]


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


@pytest.fixture
def old_models():
    """The models as they were at 0005, and a function that applies 0006 to the database."""
    loader = MigrationLoader(connection)
    state = loader.project_state(BEFORE)

    def migrate():
        loader.get_migration(*MIGRATION).apply(state.clone(), connection.schema_editor())

    return state.apps, migrate


@pytest.fixture
def ingested(tmp_path) -> dict[str, Article]:
    topics = ["垃圾分类", "河道保洁", "老旧小区", "志愿服务", "平安巡逻"]
    rows = [
        {"title": f"东浦街道{t}工作纪实", "body": "\n\n".join(paragraphs(10, t)), "account": "东浦发布"} for t in topics
    ]
    ingest_paths([write_jsonl(tmp_path / "articles.jsonl", rows)])
    return {t: Article.objects.get(title=f"东浦街道{t}工作纪实") for t in topics}


def history_row(HistoricalArticle, article: Article, *, kind: str, reason: str | None, **values):
    fields = {
        f.attname: getattr(article, f.attname) for f in HistoricalArticle._meta.fields if hasattr(article, f.attname)
    }
    return HistoricalArticle.objects.create(
        **{**fields, **values},
        history_date=article.created_at + (timedelta(0) if reason == AS_INGESTED else timedelta(minutes=5)),
        history_type=kind,
        history_change_reason=reason,
    )


def shown_paragraphs(client, article: Article) -> int:
    page = client.get(article.get_absolute_url()).content.decode()
    body = page.split('<div class="body">', 1)[1].split("</div>", 1)[0]
    return len(re.findall(r"<p>", body))


def test_repair_gives_back_the_paragraphs_and_forgets_marks_that_were_only_line_ends(client, old_models, ingested):
    apps, migrate = old_models
    OldArticle, HistoricalArticle = apps.get_model("archive", "Article"), apps.get_model("archive", "HistoricalArticle")
    saved_unedited, edited, no_history, edited_before_baselines, untouched = ingested.values()

    # Saved without edits: the ingested state in history, then the CRLF save.
    history_row(HistoricalArticle, saved_unedited, kind="~", reason=AS_INGESTED)
    history_row(HistoricalArticle, saved_unedited, kind="~", reason=None, body=crlf(saved_unedited.body))
    OldArticle.objects.filter(pk=saved_unedited.pk).update(body=crlf(saved_unedited.body), curated_fields=["body"])
    # A real correction of the title and of a paragraph, saved with CRLF.
    history_row(HistoricalArticle, edited, kind="~", reason=AS_INGESTED)
    corrected = edited.body.replace("走访群众3户", "走访群众30户")
    OldArticle.objects.filter(pk=edited.pk).update(
        title="河道保洁工作纪实（更正）", body=crlf(corrected), curated_fields=["body", "title"]
    )
    # Saved without edits, with no history to compare with: cleaned again from its raw record.
    OldArticle.objects.filter(pk=no_history.pk).update(body=crlf(no_history.body), curated_fields=["body"])
    # A real correction made before the ingested state was recorded: its first history row is the edit.
    history_row(HistoricalArticle, edited_before_baselines, kind="~", reason=None, body="改写过的正文")
    OldArticle.objects.filter(pk=edited_before_baselines.pk).update(body="改写过的正文\r\n", curated_fields=["body"])
    OldSource = apps.get_model("archive", "Source")
    OldSource.objects.filter(name="东浦发布").update(description="东浦街道的公众号。\r\n发布街道动态。")
    histories = {a.pk: HistoricalArticle.objects.filter(id=a.pk).count() for a in ingested.values()}
    untouched_at = Article.objects.get(pk=untouched.pk).updated_at

    migrate()

    for article in (saved_unedited, edited, no_history, untouched):
        assert shown_paragraphs(client, article) == 10
    assert not Article.objects.filter(body__contains="\r").exists()
    assert Article.objects.get(pk=saved_unedited.pk).curated_fields == []
    assert Article.objects.get(pk=no_history.pk).curated_fields == []
    fixed = Article.objects.get(pk=edited.pk)
    assert fixed.body == corrected and fixed.curated_fields == ["body", "title"]
    assert Article.objects.get(pk=edited_before_baselines.pk).curated_fields == ["body"]
    assert Article.objects.get(pk=untouched.pk).updated_at == untouched_at
    assert Source.objects.get(name="东浦发布").description == "东浦街道的公众号。\n发布街道动态。"
    # History is not rewritten.
    assert {a.pk: a.history.count() for a in ingested.values()} == histories


def test_repair_follows_0005_and_leaves_nothing_for_makemigrations():
    loader = MigrationLoader(connection)
    assert loader.get_migration(*MIGRATION).dependencies == [BEFORE]
    assert MIGRATION in loader.applied_migrations
    from django.core.management import call_command

    call_command("makemigrations", "archive", "--check", "--dry-run", verbosity=0)
