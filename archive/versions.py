"""A version number for the articles, kept in the database, and figures cached under it.

Every process sees the same number, so a figure cached in one web process is dropped as soon as
a curator's edit (any process) or an ingest batch (another process) changes the articles.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F

from .models import ContentVersion

ARTICLES = "articles"
CACHE_SECONDS = 24 * 3600  # an unchanged archive keeps its figures a day; a change drops them at once

T = TypeVar("T")


def current(key: str = ARTICLES) -> int:
    """The version now (0 before the first change)."""
    return ContentVersion.objects.filter(key=key).values_list("value", flat=True).first() or 0


def bump(key: str = ARTICLES) -> None:
    """Mark the articles changed (in the caller's transaction: a rollback undoes it)."""
    if ContentVersion.objects.filter(key=key).update(value=F("value") + 1):
        return
    try:
        with transaction.atomic():
            ContentVersion.objects.create(key=key, value=1)
    except IntegrityError:  # created meanwhile by another process
        ContentVersion.objects.filter(key=key).update(value=F("value") + 1)


def cached(name: str, compute: Callable[[], T], key: str = ARTICLES) -> T:
    """``compute()``, cached until the version of ``key`` changes."""
    cache_key = f"{name}:{key}:v{current(key)}"
    value = cache.get(cache_key)
    if value is None:
        value = compute()
        cache.set(cache_key, value, CACHE_SECONDS)
    return value
