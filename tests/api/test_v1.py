"""/api/v1/: the OpenAPI document and the Chinese docs page list every endpoint; cursors walk every
result of a search and every article; tokens, their rate limits and anonymous use; errors in
Chinese, never a 500; the old /api/search answers as before."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from api.models import ApiToken
from api.tokens import revoke

from .conftest import make_articles

pytestmark = pytest.mark.django_db


def _bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_the_openapi_document_and_the_docs_page_list_every_endpoint(db):
    schema = Client().get("/api/v1/openapi.json").json()
    assert Client().get("/api/openapi.json").json() == schema
    assert Client().get("/api/", HTTP_ACCEPT="application/json").json() == schema  # /api/ itself, asked for JSON
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "地方治理报道档案 API"
    operations = [(m.upper(), p) for p, ops in schema["paths"].items() for m in ops]
    assert ("GET", "/api/v1/search") in operations and ("POST", "/api/v1/exports") in operations
    assert len(operations) >= 6
    page = Client().get("/api/")
    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    for method, path in operations:
        assert f"{method} {path}" in text, (method, path)
    assert 'curl -H "Authorization: Bearer $TOKEN"' in text and "def search_all(**params):" in text
    assert "翻页用游标" in text or "翻页：游标" in text


def test_a_script_following_the_docs_walks_20000_results_with_a_token(live_server, token, transactional_db):
    """The docs page's own Python example, run against the served archive (httpx for requests)."""
    import httpx

    ids = set(make_articles(20_050))
    docs = html.unescape(Client().get("/api/").content.decode())
    example = re.search(r"<h2>示例：Python</h2>\s*<pre><code>(.*?)</code></pre>", docs, re.S).group(1)
    example = example.replace("import requests  # 或 httpx", "import httpx as requests")
    example = example.replace('"Bearer gra_……"', repr("Bearer " + token))
    example = example.replace(re.search(r'BASE = "([^"]+)"', example).group(1), live_server.url + "/api/v1")
    example = example.split("for article in search_all")[0]  # the function, without its demo loop
    namespace: dict = {}
    exec(compile(example, "api-docs-example", "exec"), namespace)  # noqa: S102 (the docs' own code)
    seen = [article["id"] for article in namespace["search_all"](q="垃圾分类", sort="oldest")]
    assert len(seen) == len(set(seen)) == 20_050  # every result, once
    assert set(seen) == ids
    assert ApiToken.objects.get().last_used_at is not None
    httpx.get(live_server.url + "/api/v1/search", timeout=10).raise_for_status()  # anonymous too


def test_the_search_cursor_holds_its_snapshot_new_articles_do_not_shift_pages(token):
    from django.utils import timezone

    make_articles(30)
    client = Client(**_bearer(token))
    first = client.get("/api/v1/search", {"q": "垃圾分类", "limit": 20}).json()
    assert first["count"] == 30 and len(first["results"]) == 20 and first["facets"]["source"][0]["name"] == "越城发布"
    make_articles(5, word="垃圾分类", start=timezone.now())  # made public during the walk
    second = client.get("/api/v1/search", {"q": "垃圾分类", "limit": 20, "cursor": first["next_cursor"]}).json()
    assert second["count"] == 30 and len(second["results"]) == 10 and second["next_cursor"] is None
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}
    assert first["next"].startswith("http://testserver/api/v1/search?") and "cursor=" in first["next"]
    hit = first["results"][0]
    assert "<mark>垃圾分类</mark>" in hit["snippet"] and hit["url"].startswith("http://testserver/articles/")


def test_a_cursor_for_other_parameters_or_a_damaged_one_is_refused_in_chinese(token):
    make_articles(25)
    client = Client(**_bearer(token))
    cursor = client.get("/api/v1/search", {"q": "垃圾分类"}).json()["next_cursor"]
    other = client.get("/api/v1/search", {"q": "党建", "cursor": cursor})
    assert other.status_code == 400 and "游标与这次的检索条件不符" in other.json()["detail"]
    damaged = client.get("/api/v1/search", {"q": "垃圾分类", "cursor": cursor[:-2] + "xx"})
    assert damaged.status_code == 400 and "游标无效" in damaged.json()["detail"]
    assert client.get("/api/v1/articles", {"cursor": "abc"}).status_code == 400


def test_every_article_is_walked_by_id_and_since_keeps_the_new_ones(token):
    from django.utils import timezone

    old = make_articles(12)
    moment = timezone.now()
    new = make_articles(3, word="党建", start=moment)
    client = Client(**_bearer(token))
    seen, cursor = [], ""
    while True:
        page = client.get("/api/v1/articles", {"limit": 5, "cursor": cursor}).json()
        seen += [a["id"] for a in page["results"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(old + new)
    since = client.get("/api/v1/articles", {"since": moment.isoformat()}).json()
    assert [a["id"] for a in since["results"]] == new


def test_an_article_in_full_and_a_missing_one(token, corpus, seed_article):
    client = Client(**_bearer(token))
    data = client.get(f"/api/v1/articles/{seed_article.pk}").json()
    assert data["title"] == seed_article.title and data["source"]["name"] == seed_article.source.name
    assert {"name", "level", "code"} <= set(data["places"][0])
    missing = client.get("/api/v1/articles/999999")
    assert missing.status_code == 404 and missing.json()["detail"] == "没有这篇报道或这个导出任务。"


def test_a_revoked_or_wrong_token_is_refused_and_never_taken_for_anonymous(staff, token):
    assert Client(**_bearer("gra_wrong")).get("/api/v1/search").status_code == 401
    revoke(ApiToken.objects.get())
    refused = Client(**_bearer(token)).get("/api/v1/search")
    assert refused.status_code == 401 and "令牌无效或已吊销" in refused.json()["detail"]
    assert Client().get("/api/v1/search").status_code == 200  # anonymous use stays possible


def test_rate_limits_per_token_and_for_anonymous_use(staff, settings):
    from django.core.cache import caches

    from api.tokens import create_token

    caches["api"].clear()
    settings.API_ANON_RATE_PER_MINUTE = 3
    slow, slow_key = create_token(user=staff, name="慢", rate_per_minute=5)
    anonymous = Client()
    answers = [anonymous.get("/api/v1/search").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = anonymous.get("/api/v1/search")
    assert "请求太频繁" in limited.json()["detail"] and 1 <= int(limited["Retry-After"]) <= 60
    tokened = Client(**_bearer(slow_key))
    assert [tokened.get("/api/v1/search").status_code for _ in range(6)] == [200] * 5 + [429]
    # Another token has its own count.
    other = create_token(user=staff, name="快")[1]
    assert Client(**_bearer(other)).get("/api/v1/search").status_code == 200
    caches["api"].clear()


@pytest.mark.parametrize(
    "query",
    [
        {"limit": "abc"},
        {"limit": "0"},
        {"limit": "100000"},
        {"q": "(街"},
        {"date_from": "2021-13-45"},
        {"district": "没有这个区"},
        {"sort": "sideways"},
        {"q": "\x00\x1f"},
    ],
)
def test_odd_parameters_get_a_clear_answer_never_a_500(db, query):
    response = Client().get("/api/v1/search", query)
    assert response.status_code in (200, 422), response.content
    body = response.json()
    if response.status_code == 422:
        assert "参数" in body["detail"] and "不对" in body["detail"]
    else:
        assert isinstance(body["results"], list)


def test_the_old_search_api_answers_as_before(corpus):
    data = Client().get("/api/search", {"q": "东浦街道"}).json()
    assert {"count", "page", "num_pages", "results", "facets", "messages", "suggestion"} <= set(data)
    assert data["results"] and "snippet" in data["results"][0]
