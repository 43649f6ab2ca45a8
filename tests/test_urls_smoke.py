"""Every named URL of the project answers, on the test corpus, with what a user expects to see.

The URL names are read from the project's resolver (admin's own URLs excepted), so a new URL
without a row in ``CASES`` fails here by name instead of slipping by untested.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

EXCLUDED_NAMESPACES = {"admin"}  # Django's admin has its own tests; ours is configuration.


def named_urls(patterns=None, prefix: str = "") -> list[str]:
    """Every URL name in the project, with its namespaces (``archive:article``), in resolver order."""
    names = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in EXCLUDED_NAMESPACES:
                continue
            inner = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            names += named_urls(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.append(prefix + entry.name)
    return names


@dataclass
class Case:
    """How to open one named URL and what a user must then see.

    ``kwargs`` and ``shows`` take the corpus objects (``o.article``, ``o.district``, ``o.source``).
    """

    kind: str  # html | atom | xml | csv | json | post (a form's target: POST only) | redirect
    kwargs: Callable = lambda o: {}
    query: str = ""
    shows: Callable = lambda o: None
    staff_only: bool = False
    label: str = ""
    signed_in: bool = False  # a page of one's own (saved searches): anonymous users are sent to sign in
    status: int = 302  # what a POST answers (kind "post")
    json_body: dict | None = None  # a POST's JSON body (else an empty form)
    token: bool = False  # called with the admin user's API token


CASES: dict[str, list[Case]] = {
    "archive:home": [Case("html", shows=lambda o: "地方治理报道档案")],
    "archive:feed": [Case("atom", shows=lambda o: "最新报道")],
    "archive:article": [Case("html", kwargs=lambda o: {"pk": o.article.pk}, shows=lambda o: o.article.title)],
    "archive:article-raw": [
        Case("html", kwargs=lambda o: {"pk": o.article.pk}, shows=lambda o: "原始记录", staff_only=True)
    ],
    "archive:places": [Case("html", shows=lambda o: "浙江省")],
    "archive:place": [Case("html", kwargs=lambda o: {"code": o.district.code}, shows=lambda o: o.district.name)],
    "archive:place-feed": [Case("atom", kwargs=lambda o: {"key": o.district.code}, shows=lambda o: o.district.name)],
    "archive:sources": [Case("html", shows=lambda o: o.source.name)],
    "archive:source": [Case("html", kwargs=lambda o: {"pk": o.source.pk}, shows=lambda o: o.source.name)],
    "archive:source-feed": [Case("atom", kwargs=lambda o: {"key": o.source.pk}, shows=lambda o: o.source.name)],
    "archive:year": [
        Case("html", kwargs=lambda o: {"year": o.article.published.year}, shows=lambda o: o.article.title)
    ],
    "archive:month": [
        Case(
            "html",
            kwargs=lambda o: {"year": o.article.published.year, "month": o.article.published.month},
            shows=lambda o: o.article.title,
        )
    ],
    "search:search": [
        Case("html", label="browse", shows=lambda o: "浏览全部报道"),
        Case("html", label="query", query="q=东浦街道", shows=lambda o: "<mark>东浦街道</mark>"),
    ],
    "search:feed": [Case("atom", query="q=东浦街道", shows=lambda o: "东浦街道")],
    "search:export-csv": [Case("csv", query="q=东浦街道", shows=lambda o: "东浦街道")],
    "search:export-json": [Case("json", query="q=东浦街道", shows=lambda o: "东浦街道")],
    "search:api-search": [Case("json", query="q=东浦街道", shows=lambda o: "东浦街道")],
    "search:api-article": [Case("json", kwargs=lambda o: {"pk": o.article.pk}, shows=lambda o: o.article.title)],
    "sitemap": [Case("xml", shows=lambda o: "sitemap-articles.xml")],
    "login": [Case("html", shows=lambda o: "登录后可以保存检索")],
    "logout": [Case("post")],
    "alerts:list": [Case("html", signed_in=True, shows=lambda o: o.saved_search.name)],
    "alerts:new": [Case("html", signed_in=True, query="q=东浦街道", shows=lambda o: "关键词：东浦街道")],
    "alerts:edit": [
        Case("html", signed_in=True, kwargs=lambda o: {"pk": o.saved_search.pk}, shows=lambda o: "群机器人")
    ],
    "alerts:pause": [Case("post", kwargs=lambda o: {"pk": o.saved_search.pk})],
    "alerts:delete": [
        Case("html", signed_in=True, kwargs=lambda o: {"pk": o.saved_search.pk}, shows=lambda o: "确定删除")
    ],
    "alerts:webhook-add": [
        Case(
            "post",
            kwargs=lambda o: {"pk": o.saved_search.pk},
            status=400,
            shows=lambda o: "请填写机器人的 Webhook 地址",
        )
    ],
    "alerts:webhook-resume": [Case("post", kwargs=lambda o: {"pk": o.webhook.pk})],
    "alerts:webhook-delete": [Case("post", kwargs=lambda o: {"pk": o.webhook.pk})],
    "alerts:unsubscribe": [
        Case("html", kwargs=lambda o: {"token": o.token("unsubscribe")}, shows=lambda o: "要暂停保存的检索")
    ],
    "alerts:feed": [Case("atom", kwargs=lambda o: {"token": o.token("feed")}, shows=lambda o: "东浦街道")],
    "api:docs": [Case("html", shows=lambda o: "GET /api/v1/search")],
    "api:openapi": [Case("json", shows=lambda o: "/api/v1/exports/{job_id}/download")],
    "api:tokens": [Case("html", signed_in=True, shows=lambda o: "接口令牌")],
    "api:token-create": [Case("post")],
    "api:exports": [Case("html", signed_in=True, shows=lambda o: "#" + str(o.export_job.pk))],
    "api:export-start": [Case("post")],
    "api:token-revoke": [Case("post", kwargs=lambda o: {"pk": o.api_token.pk})],
    "api-v1-root": [Case("redirect", shows=lambda o: "/api/")],
    "api-v1:api-root": [Case("redirect", shows=lambda o: "/api/")],  # Ninja's name; the redirect answers it
    "api-v1:openapi-json": [Case("json", shows=lambda o: "/api/v1/search")],
    "api-v1:search": [Case("json", query="q=东浦街道", shows=lambda o: "东浦街道")],
    "api-v1:articles": [Case("json", shows=lambda o: o.article.title)],
    "api-v1:article": [Case("json", kwargs=lambda o: {"article_id": o.article.pk}, shows=lambda o: o.article.title)],
    "api-v1:export_create": [
        Case(
            "post",
            token=True,
            status=202,
            json_body={"query": "q=东浦街道", "format": "json"},
            shows=lambda o: "queued",
        )
    ],
    "api-v1:export_status": [
        Case("json", token=True, kwargs=lambda o: {"job_id": o.export_job.pk}, shows=lambda o: "done")
    ],
    "api-v1:export_download": [
        Case("json", token=True, kwargs=lambda o: {"job_id": o.export_job.pk}, shows=lambda o: o.article.title)
    ],
    "django.contrib.sitemaps.views.sitemap": [
        Case("xml", label="articles", kwargs=lambda o: {"section": "articles"}, shows=lambda o: o.article.pk),
        Case("xml", label="places", kwargs=lambda o: {"section": "places"}, shows=lambda o: o.district.code),
        Case("xml", label="sources", kwargs=lambda o: {"section": "sources"}, shows=lambda o: o.source.pk),
        Case("xml", label="pages", kwargs=lambda o: {"section": "pages"}, shows=lambda o: "/places/"),
    ],
}

CONTENT_TYPES = {
    "html": "text/html",
    "atom": "application/atom+xml",
    "xml": "application/xml",
    "csv": "text/csv",
    "json": "application/json",
}


def _params():
    for name in named_urls():
        cases = CASES.get(name)
        if cases is None:
            yield pytest.param(name, None, id=name)
            continue
        for case in cases:
            yield pytest.param(name, case, id=f"{name}[{case.label}]" if case.label else name)


@dataclass
class Objects:
    article: object
    district: object
    source: object
    saved_search: object  # the admin user's
    webhook: object
    api_token: object
    api_key: str
    export_job: object

    def token(self, purpose: str) -> str:
        from alerts import links

        return links.token(self.saved_search, {"unsubscribe": links.UNSUBSCRIBE, "feed": links.FEED}[purpose])


@pytest.fixture
def objects(seed_article, admin_user):
    from alerts.models import SavedSearch, Webhook
    from api import exports
    from api.models import ExportJob
    from api.tokens import create_token
    from archive.models import Place

    district = seed_article.places.filter(level=Place.Level.DISTRICT).first()
    assert district is not None and seed_article.source is not None and seed_article.published is not None
    saved = SavedSearch.objects.create(owner=admin_user, name="东浦街道的报道", query="q=东浦街道")
    webhook = Webhook.objects.create(saved_search=saved, kind="wecom", url="http://127.0.0.1:9/robot")
    api_token, api_key = create_token(user=admin_user, name="冒烟测试")
    job = exports.write(ExportJob.objects.create(user=admin_user, query="q=媒体聚焦", format="json"))
    return Objects(seed_article, district, seed_article.source, saved, webhook, api_token, api_key, job)


def test_the_table_names_only_urls_that_exist():
    stale = sorted(set(CASES) - set(named_urls()))
    assert not stale, f"CASES names URLs the project no longer has: {stale}"


@pytest.mark.django_db
@pytest.mark.parametrize("name,case", list(_params()))
def test_named_url_answers_with_what_a_user_sees(name, case, objects, client, admin_client):
    if case is None:
        pytest.fail(f"URL {name!r} has no row in CASES: say how to open it and what it shows")
    url = reverse(name, kwargs=case.kwargs(objects)) + (f"?{case.query}" if case.query else "")

    if case.kind == "redirect":
        response = client.get(url)
        assert response.status_code in (301, 302) and response["Location"] == case.shows(objects), url
        return
    headers = {"HTTP_AUTHORIZATION": f"Bearer {objects.api_key}"} if case.token else {}
    if case.kind == "post":
        assert client.get(url).status_code in (302, 401, 405), f"{url} must answer only a signed-in POST"
        if case.json_body is not None:
            response = admin_client.post(url, case.json_body, content_type="application/json", **headers)
        else:
            response = admin_client.post(url, **headers)
        assert response.status_code == case.status, f"{url} → {response.status_code}"
        if case.shows(objects) is not None:
            assert str(case.shows(objects)) in response.content.decode(), url
        return
    if case.signed_in:
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("login")), url
        response = admin_client.get(url)
    elif case.staff_only:
        anonymous = client.get(url)
        assert anonymous.status_code == 302, f"{url} must not be open to anonymous users"
        assert anonymous.url.startswith(reverse("admin:login")), anonymous.url
        response = admin_client.get(url)
    elif case.token:
        assert client.get(url).status_code == 401, f"{url} must not be open without a token"
        response = client.get(url, **headers)
    else:
        response = client.get(url)

    assert response.status_code == 200, f"{url} → {response.status_code}"
    assert response["Content-Type"].split(";")[0] == CONTENT_TYPES[case.kind], url
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8-sig")
    _assert_readable(case.kind, text, url)
    expected = str(case.shows(objects))
    assert expected in (html.unescape(text) if case.kind == "html" else text), f"{url} does not show {expected!r}"


def _assert_readable(kind: str, text: str, url: str) -> None:
    """The page has what every page of its kind shows: a title, a heading, parsable rows."""
    if kind == "html":
        title = re.search(r"<title>(.*?)</title>", text, re.S)
        assert title and title.group(1).strip(), f"{url} has no <title>"
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S)
        assert heading and re.sub(r"<[^>]+>", "", heading.group(1)).strip(), f"{url} has no <h1>"
    elif kind == "atom":
        assert re.search(r"<feed [^>]*xmlns=\"http://www.w3.org/2005/Atom\"", text), url
        assert "<entry>" in text, f"{url}: the feed has no entries"
    elif kind == "xml":
        assert text.startswith("<?xml") and ("<urlset" in text or "<sitemapindex" in text), url
        assert "<loc>" in text, f"{url}: no locations"
    elif kind == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][:2] == ["id", "title"] and len(rows) > 1, f"{url}: no header or no rows"
    elif kind == "json":
        assert json.loads(text), f"{url}: empty JSON"
