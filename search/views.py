"""The search page and the JSON API; thin: the form cleans, the service searches."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode

from archive.models import Article
from search.forms import SearchForm
from search.related import related_articles
from search.service import EXPORT_LIMIT, document_dict, place_dicts, run_search

FILTER_LABELS = {
    "place": "地点",
    "district": "区县",
    "street": "街道",
    "source": "来源",
    "issuer": "发文机关",
    "date_from": "起",
    "date_to": "止",
}


def _search(request):
    form = SearchForm(request.GET or None)
    params = form.search_params() if request.GET else SearchForm({}).search_params()
    outcome = run_search(params, notes=form.notes)
    return form, params, outcome


def _url(request, **changes) -> str:
    query = {k: v for k, v in request.GET.items() if v and k != "page"}
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return reverse("search:search") + ("?" + urlencode(query) if query else "")


def search_page(request):
    form, params, outcome = _search(request)
    active = []
    for name, label in FILTER_LABELS.items():
        value = params.get(name)
        if not value:
            continue
        if name in ("district", "street"):
            shown = "、".join(p.name for p in value)
        elif name == "place":
            shown = value.name
        else:
            shown = str(value)
        active.append({"label": label, "value": shown, "remove_url": _url(request, **{name: None})})
    facets = {
        name: [
            {"name": v.name, "count": v.count, "value": v.value, "url": _url(request, **{name: v.value})}
            for v in outcome.facets[name]
        ]
        for name in ("district", "street", "source", "issuer")
    }
    # A year narrows by date range.
    facets["year"] = [
        {
            "name": v.name,
            "count": v.count,
            "value": v.value,
            "url": _url(request, date_from=f"{v.value}-01-01", date_to=f"{v.value}-12-31"),
        }
        for v in outcome.facets["year"]
    ]
    page_links = {
        "previous": _url(request, page=str(outcome.page - 1)) if outcome.has_previous else None,
        "next": _url(request, page=str(outcome.page + 1)) if outcome.has_next else None,
    }
    suggestions = []
    if outcome.suggestion:
        suggestions.append({"text": f"您是不是要找“{outcome.suggestion}”", "url": _url(request, q=outcome.suggestion)})
    if not outcome.count:
        for item in active:
            suggestions.append({"text": f"去掉条件“{item['label']}：{item['value']}”", "url": item["remove_url"]})
        if len(params["q"]) > 2:
            shorter = params["q"][: max(2, len(params["q"]) // 2)]
            suggestions.append({"text": f"换个短一点的关键词，如“{shorter}”", "url": _url(request, q=shorter)})
    return render(
        request,
        "search/search.html",
        {
            "form": form,
            "params": params,
            "outcome": outcome,
            "active": active,
            "facets": facets,
            "page_links": page_links,
            "suggestions": suggestions,
            "export_limit": EXPORT_LIMIT,
            "sort_links": [
                {"value": v, "label": label, "url": _url(request, sort=v), "current": params["sort"] == v}
                for v, label in (("relevance", "相关度"), ("newest", "最新"), ("oldest", "最早"))
            ],
        },
    )


def api_search(request):
    form, params, outcome = _search(request)
    data = {
        "count": outcome.count,
        "page": outcome.page,
        "num_pages": outcome.num_pages,
        "results": [
            {
                "id": hit.article.pk,
                "title": hit.article.title,
                "url": request.build_absolute_uri(hit.article.get_absolute_url()),
                "published": hit.article.published.isoformat() if hit.article.published else None,
                "published_at": hit.article.published_at.isoformat() if hit.article.published_at else None,
                "source": hit.article.source.name if hit.article.source else None,
                "places": place_dicts(hit.article),
                "snippet": str(hit.snippet),
            }
            for hit in outcome.hits
        ],
        "facets": {name: [[v.name, v.count] for v in values] for name, values in outcome.facets.items()},
        "messages": outcome.notes,
        "suggestion": outcome.suggestion,
    }
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def api_article(request, pk: int):
    article = get_object_or_404(Article.objects.visible_to(request.user).select_related("source"), pk=pk)
    data = {
        "id": article.pk,
        "title": article.title,
        "body": article.body,
        "published": article.published.isoformat() if article.published else None,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "source": {"name": article.source.name, "account_id": article.source.account_id} if article.source else None,
        "original_url": article.original_link,  # web addresses only
        "reprint_note": article.reprint_note,
        # 发文字号, 发文机关, 成文日期, 索引号, 主题分类 of a government document; null when unknown.
        "document": document_dict(article),
        "places": place_dicts(article),
        "duplicate_of": article.duplicate_of_id,
        "status": article.status,
        "related": [
            {"id": a.pk, "title": a.title, "url": request.build_absolute_uri(a.get_absolute_url())}
            for a in related_articles(article)
        ],
    }
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
