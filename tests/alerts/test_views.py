"""/alerts/: sign in, save the search page's search, list, edit, pause, delete; only one's own; the feed."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from alerts import links
from alerts.models import SavedSearch

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(reader):
    client = Client()
    client.force_login(reader)
    return client


def test_saving_needs_signing_in_and_the_search_page_offers_it(corpus):
    page = Client().get("/search/?q=垃圾分类&district=越城区")
    assert "保存检索 / 订阅" in page.content.decode()
    response = Client().get("/alerts/new/?q=垃圾分类")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    login = Client().get(response["Location"])
    assert login.status_code == 200 and "登录后可以保存检索" in login.content.decode()


def test_a_user_without_the_role_is_told_so_in_chinese(corpus):
    user = get_user_model().objects.create_user("visitor", password="x-test-pw-9912")
    client = Client()
    client.force_login(user)
    response = client.get("/alerts/")
    assert response.status_code == 403 and "不能保存检索" in response.content.decode()


def test_save_list_edit_pause_and_delete(corpus, signed_in, reader):
    form = signed_in.get("/alerts/new/?q=垃圾分类&district=越城区&page=3")
    html = form.content.decode()
    assert "关键词：垃圾分类" in html and "区县：越城区" in html
    assert 'value="关键词：垃圾分类；区县：越城区"' in html  # a name to start from

    fields = {"q": "垃圾分类", "district": "越城区", "page": "3", "name": "  越城区 垃圾分类 ", "frequency": "ingest"}
    created = signed_in.post("/alerts/new/", {**fields, "email": "on"})
    assert created.status_code == 302
    saved = SavedSearch.objects.get(owner=reader)
    assert saved.name == "越城区 垃圾分类" and saved.frequency == "ingest" and saved.email
    assert saved.query == "q=%E5%9E%83%E5%9C%BE%E5%88%86%E7%B1%BB&district=%E8%B6%8A%E5%9F%8E%E5%8C%BA"  # no page

    listing = signed_in.get("/alerts/").content.decode()
    assert "越城区 垃圾分类" in listing and "每次导入后" in listing and "还没有运行" in listing and "0 篇" in listing
    assert saved.search_url().replace("&", "&amp;") in listing
    assert "已保存检索“越城区 垃圾分类”" in listing  # the message after saving

    live = Client().get(saved.search_url()).content.decode()
    assert "北海街道党工委召开会议" in live  # the link back is the live search

    signed_in.post(f"/alerts/{saved.pk}/", {"name": "北海街道", "frequency": "weekly"})
    saved.refresh_from_db()
    assert (saved.name, saved.frequency, saved.email) == ("北海街道", "weekly", False)

    signed_in.post(f"/alerts/{saved.pk}/pause/")
    saved.refresh_from_db()
    assert saved.paused and saved.paused_reason == "由您暂停"
    assert "已暂停（由您暂停）" in signed_in.get("/alerts/").content.decode()
    signed_in.post(f"/alerts/{saved.pk}/pause/")
    saved.refresh_from_db()
    assert not saved.paused

    assert "确定删除“北海街道”吗" in signed_in.get(f"/alerts/{saved.pk}/delete/").content.decode()
    signed_in.post(f"/alerts/{saved.pk}/delete/")
    assert not SavedSearch.objects.exists()


def test_an_empty_name_is_refused_with_a_message(corpus, signed_in):
    response = signed_in.post("/alerts/new/", {"q": "垃圾分类", "name": "   ", "frequency": "daily"})
    assert response.status_code == 200 and "请给这个检索起个名字。" in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_another_users_saved_search_is_not_found(corpus, signed_in):
    other = get_user_model().objects.create_user("other", password="x-test-pw-5521")
    theirs = SavedSearch.objects.create(owner=other, name="别人的", query="q=党建")
    for url in (f"/alerts/{theirs.pk}/", f"/alerts/{theirs.pk}/delete/"):
        assert signed_in.get(url).status_code == 404
    assert signed_in.post(f"/alerts/{theirs.pk}/pause/").status_code == 404
    assert "别人的" not in signed_in.get("/alerts/").content.decode()


def test_the_private_feed_lists_the_searchs_newest_matches(corpus, reader):
    saved = SavedSearch.objects.create(owner=reader, name="垃圾分类", query="q=垃圾分类")
    feed = Client().get(links.feed_path(saved))
    body = feed.content.decode()
    assert feed.status_code == 200 and feed["Content-Type"].startswith("application/atom+xml")
    assert "<title>地方治理报道档案：垃圾分类</title>" in body and "北海街道党工委召开会议" in body
    assert "东浦街道开展水质监测" not in body
    assert Client().get(links.feed_path(saved)[:-3] + "xx/").status_code == 404
