"""Atom feeds: the latest articles, and those of a place or a source (the search feed is in ``search``)."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.functional import Promise
from django.utils.text import Truncator

from . import browse
from .ingest.dates import CHINA_TZ
from .models import NEWEST_FIRST, Article, Place, Source
from .text import xml_safe

FEED_ITEMS = 30
# The feed's and the items' values that may hold several lines; the others are one line.
_MULTILINE = {"description", "subtitle", "content"}


def _safe(name: str, value):
    """A feed value without the characters XML cannot hold (strings, and the strings in a list)."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        return xml_safe(value, one_line=name not in _MULTILINE)
    if isinstance(value, list | tuple):
        return [_safe(name, v) for v in value]
    return value


class XMLSafeAtom1Feed(Atom1Feed):
    """An Atom feed that leaves out what XML cannot hold, from whatever its values come from.

    Django refuses to write a control character (a 500 for every reader of the feed): an
    article saved past ``save()``, or a search query typed into the feed's URL, must not do that.
    """

    def __init__(self, title, link, description, **kwargs):
        values = {"title": title, "link": link, "description": description, **kwargs}
        super().__init__(**{name: _safe(name, value) for name, value in values.items()})

    def add_item(self, title, link, description, **kwargs):
        values = {"title": title, "link": link, "description": description, **kwargs}
        super().add_item(**{name: _safe(name, value) for name, value in values.items()})


class ArticleFeed(Feed):
    """Items are articles; subclasses say which."""

    feed_type = XMLSafeAtom1Feed

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return Truncator(item.body).chars(300)

    def item_link(self, item: Article) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Article):
        # The real moment in China time (+08:00) when the record gave it; a date alone is that day's start.
        if item.published_at is not None:
            return item.published_at
        day = item.published or timezone.localdate(item.created_at)
        return datetime.combine(day, time(0, 0), tzinfo=CHINA_TZ)

    def item_updateddate(self, item: Article):
        return item.updated_at

    def item_author_name(self, item: Article) -> str | None:
        return item.source.name if item.source else None

    def _latest(self, articles):
        return list(articles.select_related("source").order_by(*NEWEST_FIRST)[:FEED_ITEMS])


class LatestFeed(ArticleFeed):
    title = "地方治理报道档案：最新报道"
    subtitle = "最新收录的区、街道、乡镇工作报道"

    def link(self) -> str:
        return reverse("archive:home")

    def items(self):
        return self._latest(Article.objects.public())


class _ObjectFeed(ArticleFeed):
    """The newest articles of one place or source, named after it."""

    model = None
    lookup = "pk"

    def get_object(self, request, key):
        return get_object_or_404(self.model, **{self.lookup: key})

    def title(self, obj) -> str:
        return f"地方治理报道档案：{obj.name}"

    def link(self, obj) -> str:
        return obj.get_absolute_url()

    def items(self, obj):
        return self._latest(self.articles(obj))

    def articles(self, obj):
        raise NotImplementedError


class PlaceFeed(_ObjectFeed):
    model = Place
    lookup = "code"

    def articles(self, obj: Place):
        return browse.place_articles(obj, browse.cached_place_figures(obj), FEED_ITEMS)


class SourceFeed(_ObjectFeed):
    model = Source

    def articles(self, obj: Source):
        return Article.objects.public().filter(source=obj)
