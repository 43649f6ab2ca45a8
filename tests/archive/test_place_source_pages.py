"""Place and source pages: the articles in pages newest first, counts and chart, kept current by edits."""

import re
from collections import Counter
from datetime import date, timedelta

import pytest
from django.urls import reverse
from model_bakery import baker

from archive.ingest.pipeline import ingest_paths
from archive.models import Article, ArticlePlace, Place, Source
from tests.conftest import write_jsonl

FUSHAN = "330602002"  # 府山街道, 越城区
YUEDU = "330602002001"  # 越都社区, in 府山街道
BEIHAI = "330602004"  # 北海街道, 越城区


def html(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def listed(page: str) -> list[int]:
    """Ids of the articles in the page's article list, in order."""
    ol = re.search(r'<ol class="article-list".*?</ol>', page, re.S).group()
    return [int(pk) for pk in re.findall(r'<a href="/articles/(\d+)/">', ol)]


def total(page: str) -> int:
    return int(re.search(r"· (\d+) 篇报道 ·", page).group(1))


def chart(page: str) -> dict[date, int]:
    """{month: articles} read off the bars' titles."""
    svg = re.search(r'<svg class="chart".*?</svg>', page, re.S)
    bars = re.findall(r"<title>(\d{4})年(\d{1,2})月：(\d+) 篇</title>", svg.group() if svg else "")
    return {date(int(y), int(m), 1): int(n) for y, m, n in bars}


def child_counts(page: str) -> dict[str, int]:
    children = page.split("下辖地点")[1].split("</ul>")[0]
    rows = re.findall(r'<a href="/places/(\d+)/"[^>]*>[^<]*</a> <span class="count">(\d+) 篇</span>', children)
    return {code: int(n) for code, n in rows}


def article(title: str, published: date | None, *codes: str, **fields) -> Article:
    made = baker.make(Article, title=title, published=published, **fields)
    for code in codes:
        ArticlePlace.objects.create(article=made, place=Place.objects.get(code=code))
    return made


def by_newest(articles: list[Article]) -> list[int]:
    """Ids newest first, undated last, as the site orders them (date, then id, descending)."""
    dated = sorted((a for a in articles if a.published), key=lambda a: (a.published, a.pk), reverse=True)
    undated = sorted((a.pk for a in articles if not a.published), reverse=True)
    return [a.pk for a in dated] + undated


def direct_figures(articles) -> tuple[int, dict[date, int]]:
    """Count and months of ``articles`` in Python, without the queries the pages use."""
    days = [a.published for a in articles]
    months = Counter(date(d.year, d.month, 1) for d in days if d)
    return len(days), dict(months)


def public_tagged_below(code: str) -> list[Article]:
    ids = set(ArticlePlace.objects.filter(place__code__startswith=code).values_list("article_id", flat=True))
    return [a for a in Article.objects.filter(pk__in=ids) if a.status == "published" and a.duplicate_of_id is None]


@pytest.fixture
def fushan_articles(db):
    """32 dated and one undated article tagged in 府山街道 (most only with a community inside it)."""
    source = baker.make(Source, name="府山发布")
    first = date(2020, 1, 1)
    made = [article(f"越都社区第{i}次议事会", first + timedelta(days=i), YUEDU, source=source) for i in range(31)]
    made.append(article("府山街道与越都社区共建", first + timedelta(days=40), FUSHAN, YUEDU, source=source))
    made.append(article("府山街道旧闻（日期不详）", None, FUSHAN, source=source))
    return made


@pytest.mark.django_db
def test_a_street_page_lists_articles_tagged_inside_it_newest_first_in_pages(client, fushan_articles):
    elsewhere = article("北海街道新闻", date(2021, 1, 1), BEIHAI)
    hidden = article("越都社区已隐藏", date(2021, 1, 1), YUEDU, status=Article.Status.HIDDEN)
    reprint = article("越都社区转载", date(2021, 1, 1), YUEDU, duplicate_of=fushan_articles[0])
    expected = by_newest(fushan_articles)
    url = reverse("archive:place", args=[FUSHAN])

    first = html(client, url)
    assert total(first) == 33
    assert listed(first) == expected[:30]
    assert "第 1 / 2 页" in first
    second = html(client, url + "?page=2")
    assert listed(second) == expected[30:] and '<ol class="article-list" start="31">' in second
    assert listed(second)[-1] == fushan_articles[-1].pk  # the undated one comes last
    for absent in (elsewhere, hidden, reprint):
        assert absent.pk not in listed(first) + listed(second)
    assert chart(first) == {date(2020, 1, 1): 31, date(2020, 2, 1): 1}


@pytest.mark.django_db
def test_a_district_page_counts_its_streets(client, fushan_articles):
    article("北海街道新闻", date(2021, 1, 1), BEIHAI)
    page = html(client, reverse("archive:place", args=["330602"]))
    assert total(page) == 34
    counts = child_counts(page)
    assert counts[FUSHAN] == 33 and counts[BEIHAI] == 1
    assert list(counts)[:2] == sorted([FUSHAN, BEIHAI])  # streets with articles first, by code
    assert len(counts) > 2 and not any(list(counts.values())[2:])


@pytest.mark.django_db
def test_place_counts_and_charts_match_a_direct_count(client, seed_article):
    street = seed_article.places.filter(level=Place.Level.STREET).first()
    for code in ("33", "3306", "330602", street.code):
        page = html(client, reverse("archive:place", args=[code]))
        count, months = direct_figures(public_tagged_below(code))
        assert count > 0
        assert (total(page), chart(page)) == (count, months), code
    page = html(client, reverse("archive:place", args=["330602"]))
    for code, n in child_counts(page).items():
        assert n == len(public_tagged_below(code)), code


@pytest.mark.django_db
def test_source_counts_and_charts_match_a_direct_count(client, corpus):
    for source in Source.objects.all():
        page = html(client, source.get_absolute_url())
        articles = list(Article.objects.public().filter(source=source))
        count, months = direct_figures(articles)
        assert f"<dd>{count} 篇 ·" in page, source.name
        assert chart(page) == months
        assert listed(page) == by_newest(articles)[:30]


@pytest.mark.django_db
def test_a_second_visit_to_a_place_or_source_page_does_not_count_again(
    client, fushan_articles, django_assert_max_num_queries
):
    street = reverse("archive:place", args=[FUSHAN])
    source = fushan_articles[0].source.get_absolute_url()
    for url in (street, source):
        first = html(client, url)
        # The place (with its parent) or the source, the articles' version, the page of articles and
        # their sources, for the street its district's parent and that one's (the breadcrumb), and
        # the listed articles' tags inside the place (why each is listed).
        with django_assert_max_num_queries(7):
            assert html(client, url) == first


@pytest.mark.django_db
def test_hiding_and_ingesting_change_place_and_source_pages_at_once(client, corpus, tmp_path):
    street = Place.objects.get(code=FUSHAN)
    url = street.get_absolute_url()
    source = Source.objects.get(account_id="yuechengZG")
    year_url = reverse("archive:year", args=[2020])
    before, source_before, year_before = (html(client, u) for u in (url, source.get_absolute_url(), year_url))
    assert '<a href="/archive/1995/">1995</a>' not in year_before
    newest = Article.objects.get(pk=listed(before)[0])
    newest.status = Article.Status.HIDDEN
    newest.save()
    hidden = html(client, url)
    assert total(hidden) == total(before) - 1 and newest.pk not in listed(hidden)

    today = date.today()
    record = {
        "title": "府山街道开展老旧小区改造议事会",
        "body": "越城区府山街道组织居民议事，商量老旧小区加装电梯。",
        "account": "越城组工",
        "account_id": "yuechengZG",
        "published": today.isoformat(),
    }
    old = {**record, "title": "府山街道旧事回顾", "body": "越城区府山街道一九九五年的旧事。", "published": "1995-03-04"}
    ingest_paths([write_jsonl(tmp_path / "new.jsonl", [record, old])], index=False)
    new = Article.objects.get(title=record["title"])
    assert street in new.places.all()
    after = html(client, url)
    assert total(after) == total(hidden) + 2 and listed(after)[0] == new.pk
    assert chart(after)[date(today.year, today.month, 1)] >= 1 and chart(after)[date(1995, 3, 1)] == 1
    source_after = html(client, source.get_absolute_url())
    assert listed(source_after)[0] == new.pk and new.pk not in listed(source_before)
    assert '<a href="/archive/1995/">1995</a>' in html(client, year_url)


@pytest.mark.django_db
def test_the_place_index_counts_change_at_once(client, fushan_articles):
    page = html(client, reverse("archive:places"))
    assert '<a href="/places/33/">浙江省</a> <span class="count">33 篇</span>' in page
    fushan_articles[0].delete()
    page = html(client, reverse("archive:places"))
    assert '<a href="/places/33/">浙江省</a> <span class="count">32 篇</span>' in page


@pytest.mark.django_db
def test_renaming_a_place_or_a_source_shows_at_once(client, fushan_articles):
    district = html(client, reverse("archive:place", args=["330602"]))
    home = html(client, "/")
    assert ">府山街道</a>" in district and "府山发布" in home
    street = Place.objects.get(code=FUSHAN)
    street.name = "府山街道（更名）"
    street.save()
    source = fushan_articles[0].source
    source.name = "府山街道发布"
    source.save()
    assert ">府山街道（更名）</a>" in html(client, reverse("archive:place", args=["330602"]))
    home = html(client, "/")
    assert "府山街道（更名）" in home and "府山街道发布" in home and "府山发布" not in home


@pytest.mark.django_db
def test_both_ways_of_finding_a_places_articles_find_the_same(seed_article):
    for code in ("33", "330602", seed_article.places.filter(level=Place.Level.STREET).first().code, YUEDU):
        place = Place.objects.get(code=code)
        expected = by_newest(public_tagged_below(code))
        for walk in (False, True):
            found = Article.objects.public().in_place(place, walk=walk)
            assert list(found.values_list("pk", flat=True)) == expected, (code, walk)


@pytest.mark.django_db
def test_a_place_page_says_why_an_article_not_naming_it_is_listed(client, tmp_path):
    rows = [
        {"title": "迪荡街道开展消防演练", "body": "迪荡街道组织辖区商户开展消防演练。", "account": "测试号"},
        {"title": "越城区召开党建工作会议", "body": "越城区召开党建工作会议。", "account": "测试号"},
    ]
    ingest_paths([write_jsonl(tmp_path / "why.jsonl", rows)], index=False)
    page = html(client, reverse("archive:place", args=["330602"]))
    street = Article.objects.get(title="迪荡街道开展消防演练")
    district = Article.objects.get(title="越城区召开党建工作会议")
    assert {street.pk, district.pk} <= set(listed(page))
    item = re.search(rf'<a href="/articles/{street.pk}/">.*?</li>', page, re.S).group()
    assert "正文未直接出现越城区：经由下辖的迪荡街道" in item
    item = re.search(rf'<a href="/articles/{district.pk}/">.*?</li>', page, re.S).group()
    assert "正文未直接出现" not in item
