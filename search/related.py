"""Related articles: more-like-this from the index, topped up by same place or source, close in date."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Q

from archive.models import Article, Place
from search.backends import current_engine

log = logging.getLogger(__name__)

RELATED_LIMIT = 8
CACHE_SECONDS = 6 * 3600
NEAR_DAYS = 365


def _excluded(article: Article) -> set[int]:
    """The article, the one it repeats, and every copy of either."""
    roots = {article.pk} | ({article.duplicate_of_id} if article.duplicate_of_id else set())
    copies = Article.objects.filter(duplicate_of__in=roots).values_list("pk", flat=True)
    return roots | set(copies)


def _more_like_this(article: Article, excluded: set[int], limit: int) -> list[int]:
    try:
        return current_engine().similar(article.pk, limit=limit, exclude=sorted(excluded - {article.pk}))
    except Exception:  # the index may be missing or locked; the top-up still gives a list
        log.exception("more-like-this failed for article %s", article.pk)
        return []


def _neighbours(article: Article, excluded: set[int], limit: int) -> list[int]:
    """Same street, then district, then source; nearest in date first."""
    places = list(article.places.filter(level__in=[Place.Level.STREET, Place.Level.DISTRICT]))
    streets = [p.pk for p in places if p.level == Place.Level.STREET]
    districts = [p.pk for p in places if p.level == Place.Level.DISTRICT]
    ranked: list[int] = []
    for condition in (
        Q(places__in=streets) if streets else None,
        Q(places__in=districts) if districts else None,
        Q(source=article.source_id) if article.source_id else None,
    ):
        if condition is None or len(ranked) >= limit:
            continue
        candidates = Article.objects.public().filter(condition).exclude(pk__in=excluded | set(ranked))
        if article.published:
            window = Q(
                published__range=(
                    article.published - timedelta(days=NEAR_DAYS),
                    article.published + timedelta(days=NEAR_DAYS),
                )
            )
            candidates = candidates.filter(window)
        rows = list(candidates.values_list("pk", "published").distinct()[:200])
        if article.published:
            rows.sort(key=lambda row: (abs((row[1] - article.published).days) if row[1] else 10**6, -row[0]))
        else:
            rows.sort(key=lambda row: -row[0])
        ranked.extend(pk for pk, _ in rows[: limit - len(ranked)])
    return ranked


def related_ids(article: Article, limit: int = RELATED_LIMIT) -> list[int]:
    key = f"related:v1:{article.pk}:{article.updated_at.timestamp() if article.updated_at else 0}"
    ids = cache.get(key)
    if ids is None:
        excluded = _excluded(article)
        ids = _more_like_this(article, excluded, limit)
        if len(ids) < limit:
            ids += _neighbours(article, excluded | set(ids), limit - len(ids))
        cache.set(key, ids, CACHE_SECONDS)
    return ids


def related_articles(article: Article, limit: int = RELATED_LIMIT) -> list[Article]:
    """Up to ``limit`` public articles related to ``article``; never itself or its duplicates."""
    ids = related_ids(article, limit)
    found = Article.objects.public().filter(pk__in=ids).select_related("source").in_bulk()
    return [found[pk] for pk in ids if pk in found]
