"""Out-of-range dates and numbers in URLs and filters answer 404 or a page that says why, never a 500.

A reader (or a crawler) can type any number into a URL; an integer too big for SQLite, a year
past 9999 or a 13th month is a wrong address, not a server error. Real SQLite and the real index.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from archive.ingest.pipeline import ingest_paths
from archive.models import Article, Place
from tests.conftest import EXTRA, write_jsonl

pytestmark = pytest.mark.django_db

HUGE = "9" * 23  # more than SQLite's 64-bit integers hold
NINES_40 = "9" * 40

PUBLIC_URLS = [
    "/archive/9999/",
    "/archive/9999/12/",
    "/archive/1/1/",
    "/archive/1/",
    "/archive/0/5/",
    "/archive/2020/13/",
    "/archive/2020/0/",
    f"/archive/{HUGE}/",
    f"/archive/{HUGE}/1/",
    f"/archive/2020/{HUGE}/",
    f"/articles/{HUGE}/",
    f"/articles/{HUGE}/raw/",
    f"/sources/{HUGE}/",
    f"/sources/{HUGE}/feed/",
    f"/places/{HUGE}/",
    f"/places/{HUGE}/feed/",
    f"/api/articles/{HUGE}",
    f"/?page={HUGE}",
    f"/archive/2021/?page={HUGE}",
    f"/archive/2021/5/?page={HUGE}",
    "/archive/2021/5/?page=-1",
    "/archive/2021/5/?page=abc",
    f"/search/?page={HUGE}",
    "/search/?page=-5",
    f"/api/search?page={HUGE}",
    "/search/?date_from=0000-01-01",
    "/search/?date_to=99999-12-31",
    "/search/?date_from=9999-12-31&date_to=9999-12-31",
    "/search/?date_from=0001-01-01&date_to=0001-01-01",
    "/search/?date_from=9999-12-31&q=街道",
    "/search/feed/?date_to=9999-12-31",
    "/search/feed/?date_from=0000-00-00",
    "/search/export.csv?date_from=9999-12-31",
    "/search/export.json?date_to=0001-01-01",
    "/api/search?date_from=99999-01-01",
    f"/api/search?date_from=9999-12-31&page={HUGE}",
    "/search/?q=%00",
    "/search/?q=%01%0B%EF%BF%BE",
    "/search/?source=%00&district=%0B",
    "/api/search?q=%00%ED%A0%80",
    "/search/export.csv?q=%01",
]

ADMIN_CHANGELIST_QUERIES = [
    f"published__year={NINES_40}",
    "published__year=9999",
    "published__year=9999&published__month=12",
    "published__year=9999&published__month=12&published__day=31",
    "published__year=2020&published__month=13",
    "published__year=2020&published__month=2&published__day=30",
    f"published__year=2020&published__month={HUGE}",
    f"published__year=2020&published__month=1&published__day={HUGE}",
    "published__year=0",
    "published__year=-1",
    "published__year=abc",
    "published__month=13",
    f"published__month={HUGE}",
    f"published__day={HUGE}",
    f"year={HUGE}",
    "year=0",
    f"source__id__exact={HUGE}",
    f"p={HUGE}",
]

ADMIN_URLS = [
    *(f"/admin/archive/article/?{query}" for query in ADMIN_CHANGELIST_QUERIES),
    f"/admin/archive/article/{HUGE}/change/",
    f"/admin/archive/source/{HUGE}/change/",
    f"/admin/archive/ingestrejection/?run__id__exact={HUGE}",
    f"/admin/archive/ingestrun/{HUGE}/change/",
    f"/admin/archive/place/?parent__id__exact={HUGE}",
]

ANSWERS = (200, 302, 400, 404)


@pytest.fixture
def a_few_articles(tmp_path):
    ingest_paths([write_jsonl(tmp_path / "few.jsonl", EXTRA)])
    assert Article.objects.public().count() == len(EXTRA)


@pytest.fixture
def superuser_client(client):
    client.force_login(User.objects.create_superuser("root", password="pw-not-used"))
    return client


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_out_of_range_numbers_in_public_urls_are_not_a_server_error(url, client, a_few_articles):
    response = client.get(url)
    assert response.status_code in ANSWERS, f"{url} → {response.status_code}"


def test_a_year_or_month_past_the_calendar_is_a_chinese_404(client, a_few_articles):
    for url in ("/archive/10000/1/", "/archive/0/5/", "/archive/2020/13/", f"/archive/{HUGE}/", f"/articles/{HUGE}/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "找不到这个页面" in response.content.decode(), url


def test_the_first_and_last_months_of_the_calendar_link_only_to_months_that_exist(client, a_few_articles):
    last = client.get("/archive/9999/12/")
    assert last.status_code == 200
    assert "9999年12月的报道" in last.content.decode()
    assert "/archive/9999/11/" in last.content.decode() and "/archive/10000/" not in last.content.decode()
    first = client.get("/archive/1/1/")
    assert first.status_code == 200
    assert "/archive/1/2/" in first.content.decode() and "/archive/0/" not in first.content.decode()
    assert "/archive/2021/6/" in client.get("/archive/2021/5/").content.decode()


@pytest.mark.parametrize("url", ADMIN_URLS)
def test_out_of_range_filters_in_the_admin_are_not_a_server_error(url, superuser_client, a_few_articles):
    response = superuser_client.get(url)
    assert response.status_code in ANSWERS, f"{url} → {response.status_code}"
    if response.status_code == 302:
        landing = superuser_client.get(response.url)
        assert landing.status_code == 200, f"{url} → {response.url} → {landing.status_code}"


def test_an_impossible_date_in_the_article_list_says_so_in_chinese(superuser_client, a_few_articles):
    response = superuser_client.get(f"/admin/archive/article/?published__year={NINES_40}", follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "日期超出范围" in page
    assert "东浦街道开展水质监测" in page  # the unfiltered list, as Django's admin does for bad filters


def test_a_good_date_filter_in_the_admin_still_filters(superuser_client, a_few_articles):
    response = superuser_client.get("/admin/archive/article/?published__year=2021&published__month=5")
    page = response.content.decode()
    assert response.status_code == 200
    assert "东浦街道开展水质监测" in page and "北海街道党工委召开会议" not in page


def test_a_huge_place_code_in_search_is_explained(client, a_few_articles):
    response = client.get(reverse("search:search"), {"place": HUGE, "district": HUGE})
    assert response.status_code == 200
    assert "已忽略这个条件" in response.content.decode()
    assert not Place.objects.filter(code=HUGE).exists()
