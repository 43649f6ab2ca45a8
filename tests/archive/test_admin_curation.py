"""Curation in the admin, against the real database and the real Chinese search index.

A curator (staff, in the "curator" group) works through the admin's pages as a browser would:
GET the change form, POST it back with edits, run actions from the change list. Each test then
looks at what readers see: the search page, the API, feeds, place and source pages.

The index is written when a request's transaction commits. Each test runs inside a transaction
of its own that never commits, so the clients here run a request's commit callbacks when it ends
(``CommittingClient``), as a real commit would.
"""

from __future__ import annotations

import html as html_lib
import json

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client, TestCase
from django.urls import reverse

from archive.models import Article, ArticlePlace, Place, RemovedPlace, Source
from archive.receivers import AS_INGESTED
from archive.roles import CURATORS, ensure_curator_group

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/archive/article/"


class CommittingClient(Client):
    """A test client whose requests' commit callbacks run (the index is written after each commit)."""

    def request(self, **request):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


def committed():
    """For changes a test makes itself: run their commit callbacks at the end of the block."""
    return TestCase.captureOnCommitCallbacks(execute=True)


@pytest.fixture
def client():
    return CommittingClient()


@pytest.fixture
def curator(db):
    if not Group.objects.filter(name=CURATORS).exists():
        ensure_curator_group()
    user = User.objects.create_user("zhang", password="pw-for-tests-only", is_staff=True)
    user.groups.add(Group.objects.get(name=CURATORS))
    return user


@pytest.fixture
def curator_client(curator):
    client = CommittingClient()
    client.force_login(curator)
    return client


def page(client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, f"{url} → {response.status_code}"
    return html_lib.unescape(response.content.decode())


def search_titles(client, q: str, **params) -> list[str]:
    """The titles the public API returns for a query (as a reader's script sees them)."""
    response = client.get("/api/search", {"q": q, **params})
    assert response.status_code == 200
    return [hit["title"] for hit in json.loads(response.content)["results"]]


def change_form_data(response) -> dict:
    """The change form's current values as a browser would post them back (inlines included)."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        _put(data, name, form[name].value())
    inlines = response.context["inline_admin_formsets"] if "inline_admin_formsets" in response.context else []
    for inline in inlines:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for subform in formset.forms:
            for name in subform.fields:
                _put(data, subform.add_prefix(name), subform[name].value())
    return data


def _put(data: dict, name: str, value) -> None:
    if value is None or value is False:
        return  # an empty field or an unticked box sends nothing
    data[name] = "on" if value is True else value


def post_change(client, article: Article, **changes):
    url = reverse("admin:archive_article_change", args=[article.pk])
    data = change_form_data(client.get(url))
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, _form_errors(response)
    return response


def _form_errors(response) -> str:
    context = response.context
    if not context:
        return str(response.status_code)
    errors = [str(context["adminform"].form.errors)]
    errors += [str(inline.formset.errors) for inline in context["inline_admin_formsets"]]
    return " ".join(errors)


def run_action(client, action: str, articles, **extra):
    data = {"action": action, "_selected_action": [a.pk for a in articles], **extra}
    return client.post(CHANGELIST, data, follow=True)


# --- roles -----------------------------------------------------------------------------------


def test_curator_group_holds_curation_only(curator_client):
    group = Group.objects.get(name=CURATORS)
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"change_article", "view_raw_record", "change_source", "view_place", "add_ingestrun"} <= codenames
    assert not group.permissions.filter(content_type__app_label="auth").exists()
    assert "delete_article" not in codenames and "add_place" not in codenames
    assert curator_client.get("/admin/auth/user/").status_code == 403
    assert curator_client.get(CHANGELIST).status_code == 200


def test_raw_record_is_for_curators_only(client, corpus, curator):
    article = corpus.first()
    url = reverse("archive:article-raw", args=[article.pk])
    assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    outsider = User.objects.create_user("li", password="pw-for-tests-only", is_staff=True)
    outsider.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(outsider)
    refused = client.get(url)
    assert refused.status_code == 403 and "没有权限" in refused.content.decode()
    assert "原始记录" not in page(client, article.get_absolute_url())
    client.force_login(curator)
    assert "原始记录" in page(client, url)
    assert "原始记录" in page(client, article.get_absolute_url())


# --- the list --------------------------------------------------------------------------------


def test_change_list_shows_places_and_finds_chinese_inside_sentences(curator_client, corpus):
    shown = page(curator_client, CHANGELIST, q="一江清水")  # only in the body, inside a sentence
    assert "东浦街道开展水质监测" in shown
    assert "北海街道党工委召开会议" not in shown
    assert "东浦街道" in shown  # the places column
    by_title = page(curator_client, CHANGELIST, q="党工委 会议")  # terms separated by a space
    assert "北海街道党工委召开会议" in by_title
    article = Article.objects.get(title="北海街道党工委召开会议")
    assert "北海街道党工委召开会议" in page(curator_client, CHANGELIST, q=str(article.pk))


def test_hidden_articles_are_found_by_title_in_the_admin(curator_client, corpus):
    article = Article.objects.get(title="东浦街道开展水质监测")
    run_action(curator_client, "hide", [article])
    assert "东浦街道开展水质监测" in page(curator_client, CHANGELIST, q="水质监测")


def test_filters_by_district_street_year_and_what_is_missing(curator_client, corpus):
    keqiao = Article.objects.get(title="柯城区府山街道开展志愿服务")
    district = keqiao.places.get(level=Place.Level.DISTRICT)
    street = keqiao.places.get(level=Place.Level.STREET)
    listing = page(curator_client, CHANGELIST)
    assert f"?district={district.code}" in listing  # offered as a filter
    in_district = page(curator_client, CHANGELIST, district=district.code)
    assert keqiao.title in in_district and "东浦街道开展水质监测" not in in_district
    assert f"street={street.code}" in in_district  # the district's streets are offered
    assert keqiao.title in page(curator_client, CHANGELIST, district=district.code, street=street.code)
    in_2020 = page(curator_client, CHANGELIST, year="2020")
    assert keqiao.title in in_2020 and "东浦街道开展水质监测" not in in_2020

    undated = Article.objects.filter(published__isnull=False).exclude(pk=keqiao.pk).first()
    undated.published = None
    undated.save()
    no_date = page(curator_client, CHANGELIST, dated="no")
    assert undated.title in no_date and keqiao.title not in no_date
    ArticlePlace.objects.filter(article=undated).delete()
    no_place = page(curator_client, CHANGELIST, placed="no")
    assert undated.title in no_place and keqiao.title not in no_place


# --- hide and publish ------------------------------------------------------------------------


def test_hide_removes_an_article_from_every_public_view_and_publish_brings_it_back(
    client, curator_client, corpus, curator
):
    article = Article.objects.get(title="柯城区府山街道开展志愿服务")
    district = article.places.get(level=Place.Level.DISTRICT)
    assert article.title in search_titles(client, "志愿服务")

    response = run_action(curator_client, "hide", [article])
    assert "已隐藏：1 篇有变化。" in response.content.decode()
    client.logout()
    assert article.title not in search_titles(client, "志愿服务")
    assert article.title not in page(client, "/search/", q="志愿服务")
    assert article.title not in page(client, "/feed/")
    assert article.title not in page(client, district.get_absolute_url())
    assert article.title not in page(client, article.source.get_absolute_url())
    assert client.get(article.get_absolute_url()).status_code == 404
    assert client.get(f"/api/articles/{article.pk}").status_code == 404
    curator_client.force_login(curator)
    assert "已隐藏" in page(curator_client, article.get_absolute_url())  # staff still see it, marked

    run_action(curator_client, "publish", [article])
    client.logout()
    assert article.title in search_titles(client, "志愿服务")
    assert article.title in page(client, district.get_absolute_url())


# --- editing ---------------------------------------------------------------------------------


def test_edited_title_is_found_by_the_new_words_not_the_old(client, curator_client, corpus):
    article = Article.objects.get(title="柯城区府山街道开展志愿服务")  # the body does not repeat the title
    assert article.title in search_titles(client, "府山街道开展志愿服务")
    post_change(curator_client, article, title="府山街道结对帮扶独居老人")
    assert search_titles(client, "结对帮扶") == ["府山街道结对帮扶独居老人"]
    found = search_titles(client, "府山街道开展志愿服务")
    assert article.title not in found and "府山街道结对帮扶独居老人" not in found
    assert "府山街道结对帮扶独居老人" in page(client, article.get_absolute_url())
    article.refresh_from_db()
    assert article.curated_fields == ["title"]


def test_history_says_who_changed_what(curator_client, corpus):
    article = Article.objects.get(title="北海街道党工委召开会议")
    post_change(curator_client, article, title="北海街道党工委召开专题会议")
    run_action(curator_client, "hide", [article])
    history = page(curator_client, reverse("admin:archive_article_history", args=[article.pk]))
    assert "zhang" in history
    assert "北海街道党工委召开专题会议" in history and "北海街道党工委召开会议" in history  # old and new values
    assert "状态改为已隐藏。" in history  # the action, from the admin log
    assert article.history.filter(history_change_reason=AS_INGESTED).count() == 1  # one baseline only


def test_place_edits_survive_geotagging_again(client, curator_client, corpus):
    article = Article.objects.get(title="北海街道党工委召开会议")
    automatic = set(article.places.values_list("code", flat=True))
    dropped = article.place_links.select_related("place").get(place__level=Place.Level.STREET)
    added = Place.objects.get(name="东浦街道", code__startswith="330602")

    url = reverse("admin:archive_article_change", args=[article.pk])
    data = change_form_data(curator_client.get(url))
    links = list(article.place_links.order_by("place__code"))
    prefix = "place_links"
    for i, link in enumerate(links):
        if link.pk == dropped.pk:
            data[f"{prefix}-{i}-DELETE"] = "on"
    new = len(links)
    data[f"{prefix}-TOTAL_FORMS"] = str(new + 1)
    data[f"{prefix}-{new}-place"] = str(added.pk)
    data[f"{prefix}-{new}-article"] = str(article.pk)
    response = curator_client.post(url, data)
    assert response.status_code == 302, _form_errors(response)

    assert ArticlePlace.objects.get(article=article, place=added).manual
    assert RemovedPlace.objects.filter(article=article, place=dropped.place).exists()
    response = run_action(curator_client, "regeotag", [article])
    assert "已重新地理标注" in response.content.decode()
    codes = set(article.places.values_list("code", flat=True))
    assert added.code in codes and dropped.place.code not in codes
    assert (automatic - {dropped.place.code}) <= codes
    history = page(curator_client, reverse("admin:archive_article_history", args=[article.pk]))
    assert "东浦街道" in history and dropped.place.name in history  # the place edits are in the admin log
    # Readers see the curator's places: the article is found under the added street, not the dropped one.
    assert article.title in search_titles(client, "会议", street=added.code)
    assert article.title not in search_titles(client, "会议", street=dropped.place.code)


def test_clean_again_keeps_manual_edits_unless_told_to_discard_them(curator_client, corpus):
    article = Article.objects.get(title="东浦街道开展水质监测")
    post_change(curator_client, article, title="人工改过的标题")
    Article.objects.filter(pk=article.pk).update(body="残留的页面文字")  # as an older cleaner left it

    response = run_action(curator_client, "reclean", [article])
    assert "保留了人工修改的标题" in response.content.decode()
    article.refresh_from_db()
    assert article.title == "人工改过的标题" and article.body == "东浦街道迪荡新城开展水质监测，守护一江清水。"

    run_action(curator_client, "reclean_discarding_edits", [article])
    article.refresh_from_db()
    assert article.title == "东浦街道开展水质监测" and article.curated_fields == []


# --- duplicates ------------------------------------------------------------------------------


def test_merge_leaves_one_result_and_lists_the_others_as_the_same_report(client, curator_client, corpus):
    first = Article.objects.get(title="东浦街道开展水质监测")
    with committed():
        copy = Article.objects.create(
            title="转发：东浦街道开展水质监测",
            body="东浦街道迪荡新城开展水质监测，守护一江清水。转自东浦发布。",
            published=first.published,
            source=Source.objects.filter(name="越城组工").first(),
            raw="{}",
            raw_format="jsonl",
            raw_hash="copy-of-first",
            content_hash="copy-of-first",
        )
    assert len(search_titles(client, "一江清水")) == 2

    confirm = run_action(curator_client, "merge", [first, copy])
    assert "选出读者应当看到的那一篇" in confirm.content.decode()
    response = run_action(curator_client, "merge", [first, copy], confirm="yes", canonical=str(first.pk))
    assert f"已合并到 #{first.pk}" in response.content.decode()
    assert search_titles(client, "一江清水") == [first.title]
    copy.refresh_from_db()
    assert copy.duplicate_of == first
    shown = page(client, first.get_absolute_url())
    assert "同一报道的其他发布" in shown and copy.get_absolute_url() in shown
    assert copy.title in page(curator_client, reverse("admin:archive_article_change", args=[first.pk]))  # inline

    run_action(curator_client, "not_a_duplicate", [copy])
    assert sorted(search_titles(client, "一江清水")) == sorted([first.title, copy.title])


def test_reindex_puts_back_what_the_index_lost(client, curator_client, corpus, search_backend):
    article = Article.objects.get(title="东浦街道开展水质监测")
    search_backend.remove(f"archive.article.{article.pk}")
    assert article.title not in search_titles(client, "水质监测")
    response = run_action(curator_client, "reindex", [article])
    assert "1 篇报道已送入检索索引" in response.content.decode()
    assert article.title in search_titles(client, "水质监测")


# --- sources and places ----------------------------------------------------------------------


def test_changing_a_home_place_offers_to_geotag_the_source_again(curator_client, corpus):
    source = Source.objects.get(name="柯城发布")
    article = source.articles.get()
    yuecheng = Place.objects.get(code="330602")
    url = reverse("admin:archive_source_change", args=[source.pk])
    data = {"name": source.name, "account_id": source.account_id, "description": source.description}
    data["home_place"] = str(yuecheng.pk)
    response = curator_client.post(url, data)
    assert response.status_code == 302 and response.url.endswith(f"/{source.pk}/regeotag/")
    offer = page(curator_client, response.url)
    assert "重新地理标注 1 篇报道" in offer
    source.refresh_from_db()
    assert source.home_place == yuecheng and not source.home_place_inferred

    done = curator_client.post(response.url, follow=True)
    assert "已重新地理标注 柯城发布 的 1 篇报道" in done.content.decode()
    # The text names 衢州市柯城区府山街道, so the home place does not move it; the tags still hold.
    assert article.places.filter(name="府山街道").exists()


def test_a_renamed_source_is_searched_by_its_new_name(client, curator_client, corpus):
    source = Source.objects.get(name="东浦发布")
    url = reverse("admin:archive_source_change", args=[source.pk])
    data = {"name": "东浦街道发布", "account_id": source.account_id, "description": source.description}
    data["home_place"] = str(source.home_place_id) if source.home_place_id else ""
    response = curator_client.post(url, data)
    assert response.status_code == 302
    result = json.loads(client.get("/api/search", {"q": "水质监测"}).content)["results"][0]
    assert result["source"] == "东浦街道发布"
    assert "东浦街道开展水质监测" in search_titles(client, "水质监测", source="东浦街道发布")


def test_place_admin_is_read_only_for_curators_and_searchable(curator_client, corpus):
    listing = page(curator_client, "/admin/archive/place/", q="柯城区 府山")
    assert "330802" in listing and "府山街道" in listing
    place = Place.objects.get(name="府山街道", code__startswith="330802")
    detail = page(curator_client, reverse("admin:archive_place_change", args=[place.pk]))
    assert "柯城区" in detail and 'name="name"' not in detail  # the chain shown, nothing to edit
    assert curator_client.get("/admin/archive/place/add/").status_code == 403


def test_place_autocomplete_says_where_each_place_is(curator_client, corpus):
    response = curator_client.get(
        "/admin/autocomplete/",
        {"app_label": "archive", "model_name": "articleplace", "field_name": "place", "term": "府山街道"},
    )
    assert response.status_code == 200
    texts = [r["text"] for r in json.loads(response.content)["results"]]
    assert any("越城区" in t for t in texts) and any("柯城区" in t for t in texts)
    assert all(t.startswith("府山街道 · 乡级") for t in texts[:2])


def test_years_of_the_date_hierarchy_are_djangos_own(corpus):
    from django.db.models import QuerySet

    district = Place.objects.get(code="330602")
    for articles in (
        Article.objects.all(),
        Article.objects.filter(source__name="越城组工"),
        Article.objects.in_place(district, walk=True),
        Article.objects.filter(published__isnull=True),
        Article.objects.none(),
    ):
        for order in ("ASC", "DESC"):
            expected = list(QuerySet.dates(articles, "published", "year", order=order))
            assert list(articles.dates("published", "year", order=order)) == expected
    assert len(Article.objects.dates("published", "year")) > 3


def test_change_page_links_the_raw_record_and_says_where_each_place_is(curator_client, corpus):
    article = Article.objects.get(title="柯城区府山街道开展志愿服务")
    shown = page(curator_client, reverse("admin:archive_article_change", args=[article.pk]))
    raw_url = reverse("archive:article-raw", args=[article.pk])
    assert f'<a href="{raw_url}">jsonl（{len(article.raw):,} 字符）</a>' in shown
    assert "extra.jsonl line 3" in shown  # the file and position it came from
    assert "府山街道 · 乡级 · 浙江省 衢州市 柯城区 · 330802" in shown  # the street, its level, the places above it


def test_reverting_to_the_ingested_version_brings_back_the_old_title(client, curator_client, corpus):
    article = Article.objects.get(title="北海街道党工委召开会议")
    post_change(curator_client, article, title="北海街道党工委召开专题会议")
    baseline = article.history.get(history_change_reason=AS_INGESTED)
    url = reverse("admin:archive_article_simple_history", args=[article.pk, baseline.history_id])
    form = curator_client.get(url)
    assert form.status_code == 200
    data = change_form_data(form)
    assert data["title"] == "北海街道党工委召开会议"
    response = curator_client.post(url, data)
    assert response.status_code == 302, _form_errors(response)
    article.refresh_from_db()
    assert article.title == "北海街道党工委召开会议"
    assert "北海街道党工委召开会议" in search_titles(client, "党工委召开会议")
    assert search_titles(client, "专题会议") == []
