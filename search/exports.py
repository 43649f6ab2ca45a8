"""A search's results as an Atom feed, CSV or JSON: the search page's parameters, the same order."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode

from archive.feeds import FEED_ITEMS, ArticleFeed
from search.forms import SearchForm
from search.service import EXPORT_LIMIT, document_dict, matching_articles, place_dicts

CSV_COLUMNS = [
    "id",
    "title",
    "published",
    "published_at",
    "source",
    "account_id",
    "places",
    "url",
    "original_url",
    # A government document's 发文字号, 发文机关, 成文日期, 索引号, 主题分类 (empty when unknown).
    "doc_number",
    "issuing_body",
    "written_date",
    "index_number",
    "subject_category",
    "body",
]
# A cell starting with one of these is a formula to a spreadsheet program (Excel reads the
# full-width forms as the ASCII ones): OWASP's advice is to start such a cell with a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def cleaned(request) -> tuple[dict, dict]:
    """(parameters for the service, the non-empty raw parameters to echo back)."""
    form = SearchForm(request.GET)
    params = form.search_params()
    echo = {k: v for k, v in request.GET.items() if v and k != "page"}
    return params, echo


def _describe(echo: dict) -> str:
    return "；".join(f"{k}={v}" for k, v in echo.items()) or "全部报道"


class SearchFeed(ArticleFeed):
    """``/search/feed/?q=…``: the newest matches (or the requested order)."""

    def get_object(self, request):
        params, echo = cleaned(request)
        if not params["sort"]:
            params["sort"] = "newest"
        return params, echo

    def title(self, obj) -> str:
        return f"地方治理报道档案：检索 {_describe(obj[1])}"

    def link(self, obj) -> str:
        return reverse("search:search") + ("?" + urlencode(obj[1]) if obj[1] else "")

    def items(self, obj):
        return matching_articles(obj[0], FEED_ITEMS)[0]


def _filename(echo: dict, extension: str) -> str:
    parts = [f"{k}-{v}" for k, v in echo.items() if k != "format"]
    stem = "_".join(["archive-search", *parts, date.today().isoformat()])
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in stem)[:150] + "." + extension


def _row(request, article) -> dict:
    return row(article, absolute=request.build_absolute_uri)


def row(article, *, absolute) -> dict:
    """An article as an export's row; ``absolute`` makes a path a full address."""
    return {
        "id": article.pk,
        "title": article.title,
        "published": article.published.isoformat() if article.published else None,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "source": article.source.name if article.source else None,
        "account_id": article.source.account_id if article.source else None,
        "places": place_dicts(article),
        "url": absolute(article.get_absolute_url()),
        "original_url": article.original_link,  # web addresses only
        "document": document_dict(article),
        "body": article.body,
    }


def csv_writer(out) -> csv.DictWriter:
    """A CSV writer of export rows on ``out``, its header written."""
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    return writer


def write_csv_rows(writer: csv.DictWriter, rows) -> None:
    for item in rows:
        cells = {k: v for k, v in item.items() if k != "document"}
        cells.update(item["document"], places="、".join(p["name"] for p in item["places"]))
        writer.writerow({name: csv_cell(value) for name, value in cells.items()})


def csv_cell(value):
    """Return a CSV cell's value, with a quote before text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export(request, fmt: str) -> HttpResponse:
    """Up to ``EXPORT_LIMIT`` results as CSV or JSON; the parameters are in the file name and the header."""
    params, echo = cleaned(request)
    articles, count = matching_articles(params, EXPORT_LIMIT)
    rows = [_row(request, a) for a in articles]
    header = {
        "parameters": echo,
        "count": count,
        "exported": len(rows),
        "limit": EXPORT_LIMIT,
    }
    if fmt == "json":
        body = json.dumps({**header, "results": rows}, ensure_ascii=False, indent=1)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        out = io.StringIO()
        out.write("\ufeff")  # a byte-order mark, so spreadsheet programs read the Chinese as UTF-8
        write_csv_rows(csv_writer(out), rows)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, _filename(echo, fmt))
    response["X-Search-Parameters"] = urlencode(echo)
    response["X-Result-Count"] = str(count)
    response["X-Exported-Rows"] = str(len(rows))
    response["X-Export-Limit"] = str(EXPORT_LIMIT)
    return response
