"""Counts for the browsing pages: articles per month, per place, per source.

Most functions take a queryset of articles (usually ``Article.objects.public()`` narrowed to a
place, a source or a period) so the same numbers serve the home page, place and source pages and
the date archive. A place counts every public article tagged with it or with a place inside it.

At 100,000 articles the shape of each query matters more than its count: SQLite stores an
article's status after its long body and raw record, so any query that reads article rows to
filter them reads most of the database. The queries here are answered from indexes.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr

from . import versions
from .ingest.parse import original_address
from .models import CODE_LENGTHS, Article, ArticlePlace, Place, Source
from .text import xml_safe
from .weblinks import is_web_url

LEVEL_ORDER = list(CODE_LENGTHS)


def with_containing_places(places) -> list[Place]:
    """``places`` and every place containing one of them (by code prefix), ordered by code."""
    codes = {code for p in places for code in p.containing_codes().values()}
    return list(Place.objects.filter(code__in=codes).order_by("code"))


def place_label(place: Place, names: dict[str, str]) -> str:
    """The place's name, level, the places containing it (``names``: {code: name}) and code.

    "府山街道 · 乡级 · 浙江省 衢州市 柯城区 · 330802003": names repeat across the country.
    """
    chain = [names.get(code, code) for code in place.containing_codes().values() if code != place.code]
    parts = [place.name, Place.Level(place.level).label.split("（")[0]]
    if chain:
        parts.append(" ".join(chain))
    parts.append(place.code)
    return " · ".join(parts)


def unlinked_address(article: Article) -> str:
    """The address given for the article's original when it is not a web page's: shown as text, never linked.

    ``javascript:``, ``data:`` and the like: ingest leaves them in the raw record, and a row stored
    before it did holds one in ``original_url`` still. Nothing when a curator emptied the field.
    """
    if article.original_url:
        return "" if article.original_link else xml_safe(article.original_url, one_line=True)
    if "original_url" in (article.curated_fields or ()):
        return ""
    address = original_address(article.raw_format, article.raw)
    return "" if is_web_url(address) else xml_safe(address, one_line=True)


def monthly_counts(articles: QuerySet) -> list[tuple[date, int]]:
    """(first day of the month, articles) for each month with dated articles, oldest first."""
    return count_and_months(articles)[1]


def count_and_months(articles: QuerySet) -> tuple[int, list[tuple[date, int]]]:
    """How many articles, and the monthly counts of the dated ones, from one query.

    Grouped by day in SQL and summed by month here: SQLite truncates a date to its month with a
    Python function called for every row, while the day groups come straight off a date index.
    """
    rows = articles.values_list("published").annotate(n=Count("id")).order_by("published")
    total, months = 0, {}
    for day, n in rows:
        total += n
        if day is not None:
            month = date(day.year, day.month, 1)
            months[month] = months.get(month, 0) + n
    return total, sorted(months.items())


def yearly_counts(articles: QuerySet) -> list[tuple[int, int]]:
    """(year, articles) for each year with dated articles, oldest first."""
    return years_of(monthly_counts(articles))


def years_of(monthly: list[tuple[date, int]]) -> list[tuple[int, int]]:
    """Monthly counts summed by year."""
    years: dict[int, int] = {}
    for month, n in monthly:
        years[month.year] = years.get(month.year, 0) + n
    return sorted(years.items())


def place_counts(level: str, within: Place | None = None) -> dict[str, int]:
    """{code of a place at ``level``: public articles tagged with it or a place inside it}, optionally within a place.

    Read off the tags alone (the places' code range, then the tags' place index), never the
    articles' rows: SQLite would follow each long article past its body to learn if it is public.
    """
    size = CODE_LENGTHS[level]
    tags = ArticlePlace.objects.of_public_articles()
    if within is not None:
        tags = tags.below(within, strictly=True)
    rows = tags.values(prefix=Substr("place__code", 1, size)).annotate(n=Count("article", distinct=True)).order_by()
    # Tags of places above ``level`` have shorter codes: they count for no place at this level.
    return {row["prefix"]: row["n"] for row in rows if len(row["prefix"]) == size}


def top_places(level: str, limit: int = 10) -> list[tuple[Place, int]]:
    """The places of ``level`` with the most public articles, most first."""
    counts = place_counts(level)
    codes = sorted(counts, key=lambda code: (-counts[code], code))[:limit]
    places = {p.code: p for p in Place.objects.filter(code__in=codes).select_related("parent")}
    return [(places[code], counts[code]) for code in codes if code in places]


def child_places(place: Place | None) -> list[tuple[Place, int]]:
    """The places directly inside ``place`` (provinces for None) with public articles; those with articles first."""
    children = Place.objects.filter(parent=place) if place else Place.objects.filter(level=Place.Level.PROVINCE)
    children = list(children)
    if not children:
        return []
    counts = place_counts(children[0].level, within=place)
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
        "top_districts": top_places(Place.Level.DISTRICT),
        "top_streets": top_places(Place.Level.STREET),
    }


def place_figures(place: Place) -> dict:
    """What a place's page shows besides the list: its article count, the months, the places inside it."""
    public = Article.objects.public()
    count, monthly = count_and_months(public.in_place(place))
    return {"count": count, "monthly": monthly, "children": child_places(place), "archive_total": public.count()}


def cached_place_figures(place: Place) -> dict:
    """``place_figures``, cached until the articles change (shared by the place's page and feed)."""
    return versions.cached(f"place:{place.code}", lambda: place_figures(place))


def place_articles(place: Place, figures: dict, end: int) -> QuerySet:
    """The place's public articles, asked the cheaper way for a page that ends at the ``end``-th one.

    Walking the date index tests about ``end * archive_total / count`` articles; collecting the
    place's articles first reads about ``count`` tags. So a district with most of the archive
    walks to its first pages, and a small place, or a deep page, collects.
    """
    walk = end * figures["archive_total"] < figures["count"] ** 2
    return Article.objects.public().in_place(place, walk=walk)


def place_reasons(place: Place, articles) -> dict[int, str]:
    """{article id: why it is on the place's page} for the listed articles the text does not tie to the place itself.

    An article is on a place's page when it is tagged with the place or a place inside it. Tagged
    with the place itself from its text, it needs no word; otherwise the page says what put it
    there: a place inside (经由下辖的府山街道) or a curator (整理人员标注). Geotagging reads only the
    title and body; a source's home place is never a tag, only context for short forms.
    """
    ids = [a.pk for a in articles]
    if not ids:
        return {}
    links = ArticlePlace.objects.filter(article_id__in=ids, place__code__startswith=place.code).select_related("place")
    by_article: dict[int, list[ArticlePlace]] = {}
    for link in links:
        by_article.setdefault(link.article_id, []).append(link)
    reasons = {}
    for pk, rows in by_article.items():
        own = [r for r in rows if r.place.code == place.code]
        if own and not own[0].manual:
            continue
        if own:
            reasons[pk] = f"未在正文中自动识别出{place.name}：整理人员标注"
            continue
        inside = sorted({r.place.name for r in rows})
        shown = "、".join(inside[:3]) + ("等" if len(inside) > 3 else "")
        reasons[pk] = f"正文未直接出现{place.name}：经由下辖的{shown}"
    return reasons


def source_figures(source: Source) -> dict:
    """What a source's page shows besides the list: its article count and the months."""
    count, monthly = count_and_months(Article.objects.public().filter(source=source))
    return {"count": count, "monthly": monthly}


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
