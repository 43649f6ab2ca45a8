"""The private Atom feed of a saved search: its newest matches, at a signed address."""

from __future__ import annotations

from django.http import Http404

from alerts import links
from alerts.services import search_params
from archive.feeds import FEED_ITEMS, ArticleFeed
from search.service import matching_articles


class SavedSearchFeed(ArticleFeed):
    def get_object(self, request, token: str):
        saved_search = links.saved_search_for(token, links.FEED)
        if saved_search is None:
            raise Http404("没有这个订阅源：链接不完整，或这个检索已被删除。")
        return saved_search

    def title(self, obj) -> str:
        return f"地方治理报道档案：{obj.name}"

    def link(self, obj) -> str:
        return obj.search_url()

    def items(self, obj):
        params = search_params(obj)
        params["sort"] = "newest"
        return matching_articles(params, FEED_ITEMS)[0]
