"""Reading pages: home, article, places, sources, the date archive. Thin: counts come from ``browse``."""

from __future__ import annotations

import calendar
from datetime import date

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from search.related import related_articles

from . import browse, versions
from .charts import month_chart
from .models import Article, Place, Source

ARTICLES_PER_PAGE = 30


def _month_url(month: date) -> str:
    return reverse("archive:month", args=[month.year, month.month])


class CountedPaginator(Paginator):
    """A paginator told how many articles there are (counted once and cached) instead of counting per page.

    ``object_list`` may be a function of where the page ends, giving the articles to list: for a
    place, the cheaper query depends on how deep the page is (``browse.place_articles``).
    """

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self._count = count

    @property
    def count(self) -> int:
        return self._count

    def page(self, number):
        number = self.validate_number(number)
        if callable(self.object_list):
            self.object_list = self.object_list(min(number * self.per_page, self.count))
        return super().page(number)


def _article_page(request, articles, count: int):
    """The requested page of ``articles`` (a queryset, or a function of the page's end), ``count`` in all."""
    listing = (lambda end: articles(end).for_listing()) if callable(articles) else articles.for_listing()
    return CountedPaginator(listing, ARTICLES_PER_PAGE, count).get_page(request.GET.get("page"))


def home(request):
    figures = versions.cached("home", browse.home_figures)
    context = {**figures, "chart": month_chart(figures["monthly"], link=_month_url)}
    return render(request, "archive/home.html", context)


def article_detail(request, pk: int):
    queryset = Article.objects.visible_to(request.user).select_related("source", "duplicate_of")
    article = get_object_or_404(queryset, pk=pk)
    # Where it happened: the tagged places and the places containing them, by level.
    by_level = {}
    for place in browse.with_containing_places(article.places.all()):
        by_level.setdefault(place.level, []).append(place)
    levels = [(Place.Level(level).label, by_level[level]) for level in browse.LEVEL_ORDER if level in by_level]
    previous, following = browse.neighbours(article)
    # The same report published by other accounts: the canonical article and its duplicates.
    canonical = article.duplicate_of or article
    copies = (
        Article.objects.visible_to(request.user)
        .filter(duplicate_of=canonical)
        .select_related("source")
        .order_by(F("published").asc(nulls_last=True), "pk")  # as the original was chosen: earliest first
    )
    group = [canonical, *copies]
    context = {
        "article": article,
        "place_levels": levels,
        "related": related_articles(article),
        "previous": previous,
        "next": following,
        "also_published": [a for a in group if a.pk != article.pk],
        "unlinked_address": browse.unlinked_address(article),
    }
    return render(request, "archive/article.html", context)


def article_raw(request, pk: int):
    """Exactly what was ingested for an article, shown as text: curators (and superusers) only.

    A visitor who is not signed in is sent to the admin's sign-in page; a signed-in user without
    the permission gets 403.
    """
    if not (request.user.is_active and request.user.is_staff):
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if not request.user.has_perm("archive.view_raw_record"):
        raise PermissionDenied("Only curators may see the raw records.")
    article = get_object_or_404(Article, pk=pk)
    return render(request, "archive/article_raw.html", {"article": article})


def place_detail(request, code: str):
    place = get_object_or_404(Place.objects.select_related("parent"), code=code)
    figures = browse.cached_place_figures(place)
    page = _article_page(request, lambda end: browse.place_articles(place, figures, end), figures["count"])
    context = {
        "place": place,
        "ancestors": place.ancestors(),
        "children": figures["children"],
        "page": page,
        "reasons": browse.place_reasons(place, page.object_list),
        "chart": month_chart(figures["monthly"]),
        "level_label": Place.Level(place.level).label,
    }
    return render(request, "archive/place.html", context)


def place_index(request):
    """The provinces, with article counts: the top of the place tree."""
    children = versions.cached("places", lambda: browse.child_places(None))
    return render(request, "archive/place_index.html", {"children": children})


def source_index(request):
    rows = browse.sources_with_counts(Article.objects.public())
    return render(request, "archive/source_index.html", {"rows": rows})


def source_detail(request, pk: int):
    source = get_object_or_404(Source.objects.select_related("home_place"), pk=pk)
    figures = versions.cached(f"source:{source.pk}", lambda: browse.source_figures(source))
    context = {
        "source": source,
        "count": figures["count"],
        "page": _article_page(request, Article.objects.public().filter(source=source), figures["count"]),
        "chart": month_chart(figures["monthly"], link=_month_url),
    }
    return render(request, "archive/source.html", context)


def archive_year(request, year: int):
    if not 1 <= year <= 9999:
        raise Http404("no such year")
    articles = Article.objects.public().filter(published__year=year)
    count, monthly = browse.count_and_months(articles)
    months = dict(monthly)
    context = {
        "year": year,
        "count": count,
        "months": [(date(year, m, 1), months.get(date(year, m, 1), 0)) for m in range(1, 13)],
        "page": _article_page(request, articles, count),
        "years": versions.cached("years", lambda: browse.yearly_counts(Article.objects.public())),
    }
    return render(request, "archive/year.html", context)


def archive_month(request, year: int, month: int):
    if not (1 <= year <= 9999 and 1 <= month <= 12):
        raise Http404("no such month")
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    articles = Article.objects.public().filter(published__range=(first, last))
    count = articles.count()
    context = {
        "month": first,
        "count": count,
        "page": _article_page(request, articles, count),
        "previous": _shifted_month(first, -1),
        "next": _shifted_month(first, +1),
    }
    return render(request, "archive/month.html", context)


def _shifted_month(month: date, step: int) -> date | None:
    """The first day of the month ``step`` (±1) months away, or None past the calendar (year 1 to 9999)."""
    index = month.year * 12 + month.month - 1 + step
    year, number = divmod(index, 12)
    return date(year, number + 1, 1) if 1 <= year <= 9999 else None
