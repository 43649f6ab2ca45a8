"""Counts for the browsing pages: articles per month, per place, per source.

Each function takes a queryset of articles (usually ``Article.objects.public()`` narrowed to a
place, a source or a period) so the same numbers serve the home page, place and source pages and
the date archive. A place counts every article tagged with it or with a place inside it.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr, TruncMonth

from .models import CODE_LENGTHS, Article, Place, Source

LEVEL_ORDER = list(CODE_LENGTHS)


def with_containing_places(places) -> list[Place]:
    """``places`` and every place containing one of them (by code prefix), ordered by code."""
    codes = {code for p in places for code in p.containing_codes().values()}
    return list(Place.objects.filter(code__in=codes).order_by("code"))


def monthly_counts(articles: QuerySet) -> list[tuple[date, int]]:
    """(first day of the month, articles) for each month with dated articles, oldest first."""
    rows = (
        articles.exclude(published=None)
        .annotate(month=TruncMonth("published"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    return [(_as_date(row["month"]), row["n"]) for row in rows]


def yearly_counts(articles: QuerySet) -> list[tuple[int, int]]:
    """(year, articles) for each year with dated articles, oldest first."""
    return years_of(monthly_counts(articles))


def years_of(monthly: list[tuple[date, int]]) -> list[tuple[int, int]]:
    """Monthly counts summed by year."""
    years: dict[int, int] = {}
    for month, n in monthly:
        years[month.year] = years.get(month.year, 0) + n
    return sorted(years.items())


def _as_date(value) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def place_counts(articles: QuerySet, level: str, within: Place | None = None) -> dict[str, int]:
    """{code of a place at ``level``: articles tagged with it or a place inside it}, optionally within a place."""
    size = CODE_LENGTHS[level]
    tagged = {"places__level__in": _levels_from(level)}
    if within is not None:
        tagged["places__code__startswith"] = within.code
    # One join from the articles, not ``article_id IN (subquery)``: SQLite runs that as a probe
    # per place and article, minutes at 100,000 articles; the join takes about a second.
    rows = (
        articles.filter(**tagged)
        .values(prefix=Substr("places__code", 1, size))
        .annotate(n=Count("id", distinct=True))
        .order_by()
    )
    return {row["prefix"]: row["n"] for row in rows if len(row["prefix"]) == size}


def _levels_from(level: str) -> list[str]:
    return LEVEL_ORDER[LEVEL_ORDER.index(level) :]


def top_places(articles: QuerySet, level: str, limit: int = 10) -> list[tuple[Place, int]]:
    """The places of ``level`` with the most articles, most first."""
    counts = place_counts(articles, level)
    codes = sorted(counts, key=lambda code: (-counts[code], code))[:limit]
    places = {p.code: p for p in Place.objects.filter(code__in=codes).select_related("parent")}
    return [(places[code], counts[code]) for code in codes if code in places]


def child_places(articles: QuerySet, place: Place | None) -> list[tuple[Place, int]]:
    """The places directly inside ``place`` (provinces for None) with article counts; those with articles first."""
    children = Place.objects.filter(parent=place) if place else Place.objects.filter(level=Place.Level.PROVINCE)
    children = list(children)
    if not children:
        return []
    counts = place_counts(articles, children[0].level, within=place)
    rows = [(child, counts.get(child.code, 0)) for child in children]
    return sorted(rows, key=lambda row: (row[1] == 0, row[0].code))


def source_counts(articles: QuerySet) -> dict[int, int]:
    """{source id: articles}."""
    rows = articles.exclude(source=None).values("source").annotate(n=Count("id")).order_by()
    return {row["source"]: row["n"] for row in rows}


def sources_with_counts(articles: QuerySet) -> list[tuple[Source, int]]:
    """Every source with at least one of the articles, most articles first."""
    counts = source_counts(articles)
    sources = Source.objects.filter(pk__in=counts).select_related("home_place")
    return sorted(((s, counts[s.pk]) for s in sources), key=lambda row: (-row[1], row[0].name))


def places_with_articles(articles: QuerySet) -> int:
    """How many places have at least one of the articles tagged."""
    return articles.filter(places__isnull=False).values("places").distinct().count()


def home_figures() -> dict:
    """What the home page shows of the whole archive: totals, months, years, latest, top places."""
    articles = Article.objects.public()
    monthly = monthly_counts(articles)
    return {
        "total": articles.count(),
        "source_total": len(source_counts(articles)),
        "place_total": places_with_articles(articles),
        "latest": list(articles.select_related("source")[:10]),
        "monthly": monthly,
        "years": years_of(monthly),
        "top_districts": top_places(articles, Place.Level.DISTRICT),
        "top_streets": top_places(articles, Place.Level.STREET),
    }


def neighbours(article: Article) -> tuple[Article | None, Article | None]:
    """The previous (older) and next (newer) public article of the same source, by date then id."""
    if article.source_id is None or article.published is None:
        return None, None
    same = Article.objects.public().filter(source_id=article.source_id).exclude(pk=article.pk).exclude(published=None)
    older = same.filter(published__lt=article.published) | same.filter(published=article.published, pk__lt=article.pk)
    newer = same.filter(published__gt=article.published) | same.filter(published=article.published, pk__gt=article.pk)
    previous = older.order_by("-published", "-pk").first()
    following = newer.order_by("published", "pk").first()
    return previous, following
