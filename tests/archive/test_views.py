"""The reading pages, on a real ingested corpus: what a reader sees and can follow."""

import re

import pytest
from django.urls import reverse

from archive.models import Article, Place, Source


def html(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def links(page: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', page)


@pytest.mark.django_db
def test_home_shows_totals_chart_latest_and_top_places(client, corpus):
    page = html(client, "/")
    assert f"收录 <strong>{corpus.count()}</strong> 篇报道" in page
    newest = corpus.exclude(published=None).order_by("-published", "-id").first()
    assert newest.get_absolute_url() in page
    # The chart: one bar per month with articles, each linking to that month's archive.
    svg = re.search(r"<svg class=\"chart\".*?</svg>", page, re.S).group()
    days = corpus.exclude(published=None).values_list("published", flat=True)
    assert svg.count("<rect") == len({(d.year, d.month) for d in days})
    assert reverse("archive:month", args=[newest.published.year, newest.published.month]) in svg
    yuecheng = Place.objects.get(code="330602")
    link = f'<a href="{yuecheng.get_absolute_url()}">越城区</a>'
    row = link + r' <span class="meta">绍兴市</span> <span class="count">\d+ 篇'
    assert re.search(row, page)


@pytest.mark.django_db
def test_place_pages_lead_from_province_to_article(client, seed_article):
    streets = seed_article.places.filter(level=Place.Level.STREET)
    street = streets.first()
    district = street.parent
    # District page: breadcrumb, child streets with counts (with articles first), the article list.
    page = html(client, district.get_absolute_url())
    crumbs = re.search(r'<nav class="breadcrumb".*?</nav>', page, re.S).group()
    assert [a.name for a in district.ancestors()] == re.findall(r'<a href="/places/\d+/">(.*?)</a>', crumbs)
    assert street.get_absolute_url() in page
    children = page.split("下辖地点")[1].split("</ul>")[0]
    counts = [int(n) for n in re.findall(r'<span class="count">(\d+) 篇</span>', children)]
    assert counts == sorted(counts, key=lambda n: n == 0) and counts[0] > 0
    # Street page lists the article; following it opens the article.
    page = html(client, street.get_absolute_url())
    assert seed_article.get_absolute_url() in page
    expected = Article.objects.public().in_place(street).count()
    assert f"{expected} 篇报道" in page


@pytest.mark.django_db
def test_search_within_a_place(client, seed_article):
    city = Place.objects.get(code="3306")  # 绍兴市
    page = html(client, city.get_absolute_url())
    assert '<input type="hidden" name="place" value="3306">' in page
    data = client.get(reverse("search:api-search"), {"place": "3306"}).json()
    expected = Article.objects.public().in_place(city).count()
    assert data["count"] == expected > 0
    assert all(any(p["code"].startswith("3306") for p in row["places"]) for row in data["results"])
    page = html(client, reverse("search:search") + "?place=3306&q=街道")
    assert "地点：绍兴市" in page
    page = html(client, reverse("search:search") + "?place=99999")
    assert "没有代码或名称为“99999”的地点" in page


@pytest.mark.django_db
def test_source_pages(client, seed_article):
    source = seed_article.source
    index = html(client, reverse("archive:sources"))
    count = Article.objects.public().filter(source=source).count()
    row = rf'<a href="{source.get_absolute_url()}">{source.name}</a></td><td>{source.account_id}</td>'
    assert re.search(row, index)
    assert f'<td class="count">{count}</td>' in index
    page = html(client, source.get_absolute_url())
    assert seed_article.get_absolute_url() in page
    assert f"{count} 篇" in page
    assert '<input type="hidden" name="source" value="越城组工">' in page


@pytest.mark.django_db
def test_date_archive(client, seed_article):
    day = seed_article.published
    year_page = html(client, reverse("archive:year", args=[day.year]))
    in_year = Article.objects.public().filter(published__year=day.year).count()
    assert f"{in_year} 篇" in year_page
    assert reverse("archive:month", args=[day.year, day.month]) in year_page
    month_page = html(client, reverse("archive:month", args=[day.year, day.month]))
    assert seed_article.get_absolute_url() in month_page
    other = Article.objects.public().exclude(published__year=day.year).exclude(published=None).first()
    assert other.get_absolute_url() not in month_page
    html(client, reverse("archive:month", args=[day.year, 13]), status=404)


@pytest.mark.django_db
def test_article_page_links_places_source_and_neighbours(client, corpus, seed_article):
    page = html(client, seed_article.get_absolute_url())
    assert f'<a class="source" href="{seed_article.source.get_absolute_url()}">越城组工</a>' in page
    levels = re.search(r'<dl class="place-levels">.*?</dl>', page, re.S).group()
    # From the province down, the places containing the tagged ones included.
    labels = [Place.Level(level).label for level in ("province", "city", "district", "street", "community")]
    shown = re.findall(r"<dt>(.*?)</dt>", levels)
    assert shown == labels[: len(shown)] and len(shown) >= 3
    assert re.search(r"<dt>省级</dt><dd><a href=\"/places/33/\">浙江省</a>", levels)
    for place in seed_article.places.all():
        assert place.get_absolute_url() in levels
    # Previous/next from the same source, when the source has more articles.
    same = Article.objects.public().filter(source=seed_article.source).exclude(pk=seed_article.pk)
    if same.exists():
        assert 'class="prev-next"' in page
        for href in re.findall(r'<a href="(/articles/\d+/)" rel="(?:prev|next)"', page):
            assert Article.objects.get(pk=int(href.split("/")[2])).source == seed_article.source


@pytest.mark.django_db
def test_duplicates_show_where_else_a_report_was_published(client, corpus, seed_article):
    other_source = Source.objects.exclude(pk=seed_article.source_id).first()
    copy = Article.objects.exclude(pk=seed_article.pk).filter(source=other_source).first()
    copy.duplicate_of = seed_article
    copy.save()
    page = html(client, seed_article.get_absolute_url())
    assert "同一报道的其他发布" in page and copy.get_absolute_url() in page
    page = html(client, copy.get_absolute_url())
    assert "的转载" in page and seed_article.get_absolute_url() in page


@pytest.mark.django_db
def test_raw_record_is_staff_only_and_shown_as_text(client, admin_client, corpus):
    article = Article.objects.get(title__startswith="<script>")
    url = reverse("archive:article-raw", args=[article.pk])
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    page = html(admin_client, url)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "原始记录" in html(admin_client, article.get_absolute_url())
    assert "原始记录" not in html(client, article.get_absolute_url())


@pytest.mark.django_db
def test_article_text_is_escaped_everywhere(client, corpus):
    article = Article.objects.get(title__startswith="<script>")
    source = article.source
    day = article.published
    for url in (
        reverse("search:search") + "?q=老旧小区",  # a word of the body: the title unmarked
        article.get_absolute_url(),
        source.get_absolute_url(),
        reverse("archive:month", args=[day.year, day.month]),
        reverse("archive:year", args=[day.year]),
    ):
        page = html(client, url)
        assert "<script>alert(1)</script>" not in page, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;会议纪要" in page, url


@pytest.mark.django_db
def test_hidden_articles_leave_every_list(client, seed_article):
    street = seed_article.places.filter(level=Place.Level.STREET).first()
    day = seed_article.published
    urls = [
        "/",
        street.get_absolute_url(),
        seed_article.source.get_absolute_url(),
        reverse("archive:month", args=[day.year, day.month]),
    ]
    assert all(seed_article.get_absolute_url() in html(client, url) for url in urls[1:])
    seed_article.status = Article.Status.HIDDEN
    seed_article.save()
    for url in urls:
        assert seed_article.get_absolute_url() not in html(client, url), url
    html(client, seed_article.get_absolute_url(), status=404)


@pytest.mark.django_db
def test_missing_pages_are_404_in_the_site_style(client, settings):
    settings.DEBUG = False
    page = html(client, "/articles/999999/", status=404)
    assert "找不到这个页面" in page and 'class="site-header"' in page
    html(client, "/places/000000/", status=404)
    html(client, "/sources/999999/", status=404)
