"""sitemap.xml: public articles, places with articles, sources with articles."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Article, ArticlePlace, Place, Source


class StaticSitemap(Sitemap):
    def items(self):
        return ["archive:home", "archive:places", "archive:sources", "search:search"]

    def location(self, item):
        return reverse(item)


class ArticleSitemap(Sitemap):
    limit = 10_000

    def items(self):
        return Article.objects.public().order_by("pk").only("pk", "updated_at")

    def lastmod(self, item):
        return item.updated_at


class PlaceSitemap(Sitemap):
    def items(self):
        used = ArticlePlace.objects.filter(article__in=Article.objects.public().values("pk")).values("place_id")
        return Place.objects.filter(pk__in=used).order_by("code")


class SourceSitemap(Sitemap):
    def items(self):
        return Source.objects.filter(pk__in=Article.objects.public().values("source_id")).order_by("pk")


SITEMAPS = {"pages": StaticSitemap, "articles": ArticleSitemap, "places": PlaceSitemap, "sources": SourceSitemap}
