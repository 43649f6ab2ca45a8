"""The API's answers: a page of a search (any depth, by cursor), a page of every article, one article.

Endpoints (:mod:`api.v1`) stay thin: they pass the request's parameters here.
"""

from __future__ import annotations

from datetime import datetime

from django.http import QueryDict
from django.utils import timezone
from django.utils.http import urlencode

from api import cursors
from archive.models import Article
from search.forms import SearchForm, search_query
from search.related import related_articles
from search.service import document_dict, place_dicts, results_slice


def summary(article: Article, absolute) -> dict:
    return {
        "id": article.pk,
        "title": article.title,
        "url": absolute(article.get_absolute_url()),
        "published": article.published,
        "published_at": article.published_at,
        "made_public_at": article.made_public_at,
        "source": article.source.name if article.source else None,
        "places": place_dicts(article),
    }


def search_page(*, query: QueryDict, limit: int, cursor: str, absolute, path: str) -> dict:
    """One page of a search; ``next_cursor`` walks on to its last result."""
    pairs = search_query(query)
    digest = cursors.parameters_digest(pairs)
    if cursor:
        offset, until = cursors.read_search_cursor(cursor, digest=digest)
    else:
        offset, until = 0, timezone.now()
    form = SearchForm(QueryDict(urlencode(pairs)))
    params = form.search_params()
    found = results_slice(params, offset=offset, limit=limit, until=until, facets=not cursor)
    following = None
    if offset + limit < found.count:
        following = cursors.search_cursor(offset=offset + limit, until=until, digest=digest)
    return {
        "count": found.count,
        "results": [{**summary(hit.article, absolute), "snippet": str(hit.snippet)} for hit in found.hits],
        "next_cursor": following,
        "next": _next_url(absolute, path, pairs, limit, following),
        "facets": ({name: [vars(v) for v in values] for name, values in found.facets.items()} if not cursor else None),
        "messages": list(dict.fromkeys(form.notes + found.notes)),
    }


def articles_page(*, limit: int, cursor: str, since: datetime | None, absolute, path: str) -> dict:
    """Every public article, by id (oldest first), ``limit`` at a time."""
    after = cursors.read_articles_cursor(cursor) if cursor else 0
    rows = Article.objects.public().filter(pk__gt=after)
    if since is not None:
        rows = rows.filter(made_public_at__gte=since)
    page = list(rows.order_by("pk").select_related("source").prefetch_related("places")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    following = cursors.articles_cursor(page[-1].pk) if more and page else None
    extra = [("since", since.isoformat())] if since else []
    return {
        "results": [summary(a, absolute) for a in page],
        "next_cursor": following,
        "next": _next_url(absolute, path, extra, limit, following),
    }


def article_detail(article: Article, absolute) -> dict:
    return {
        "id": article.pk,
        "title": article.title,
        "body": article.body,
        "url": absolute(article.get_absolute_url()),
        "published": article.published,
        "published_at": article.published_at,
        "made_public_at": article.made_public_at,
        "source": {"name": article.source.name, "account_id": article.source.account_id} if article.source else None,
        "original_url": article.original_link,
        "reprint_note": article.reprint_note,
        "document": document_dict(article),
        "places": place_dicts(article),
        "duplicate_of": article.duplicate_of_id,
        "related": [
            {"id": a.pk, "title": a.title, "url": absolute(a.get_absolute_url())} for a in related_articles(article)
        ],
    }


def _next_url(absolute, path: str, pairs, limit: int, following: str | None) -> str | None:
    if following is None:
        return None
    query = [*pairs, ("limit", str(limit)), ("cursor", following)]
    return absolute(path + "?" + urlencode(query))
