"""Fixtures of the API's tests: staff with tokens, and many small articles, indexed for real."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from django.utils import timezone

from api.tokens import create_token
from tests.alerts.conftest import reader  # noqa: F401 (a fixture: a staff reader)


@pytest.fixture
def staff(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("script-wu", email="wu@example.org", password="x-test-pw-7781")


@pytest.fixture
def token(staff):
    return create_token(user=staff, name="统计脚本")[1]


def make_articles(count: int, *, word: str = "垃圾分类", start=None) -> list[int]:
    """``count`` public articles holding ``word`` (with the 越城发布 source), indexed; their ids."""
    from archive.models import Article, Source
    from search.indexing import sync_articles

    source, _ = Source.objects.get_or_create(name="越城发布")
    moment = start or timezone.now() - timedelta(days=1)
    rows = []
    for i in range(count):
        text = f"{word}工作简报第{i}期"
        rows.append(
            Article(
                title=text,
                body=f"{text}：各街道推进{word}，第{i}次督导。",
                published=date(2020, 1, 1) + timedelta(days=i % 1500),
                source=source,
                raw=text,
                raw_format="jsonl",
                raw_hash=hashlib.sha256(f"{word}-{i}-{moment}".encode()).hexdigest(),
                made_public_at=moment + timedelta(microseconds=i),
            )
        )
    created = Article.objects.bulk_create(rows, batch_size=2000)
    ids = [a.pk for a in created]
    for first in range(0, len(ids), 2000):
        sync_articles(ids[first : first + 2000])
    return ids
