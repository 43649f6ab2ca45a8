"""Atom feeds and the sitemap, parsed as XML the way a feed reader or a crawler would."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from archive.models import Article, Place

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def entries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    return root, [
        (e.find(f"{ATOM}title").text, e.find(f"{ATOM}link").get("href")) for e in root.findall(f"{ATOM}entry")
    ]


def newest_first(articles) -> list[Article]:
    """Newest first, undated last (date, then id, descending), sorted here rather than by the database."""
    dated = sorted((a for a in articles if a.published), key=lambda a: (a.published, a.pk), reverse=True)
    return dated + sorted((a for a in articles if not a.published), key=lambda a: a.pk, reverse=True)


@pytest.mark.django_db
def test_latest_feed_lists_newest_public_articles(client, corpus):
    root, items = entries(client, reverse("archive:feed"))
    newest = newest_first(corpus)[:30]
    assert [title for title, _ in items] == [a.title for a in newest]
    assert items[0][1].endswith(newest[0].get_absolute_url())


@pytest.mark.django_db
def test_an_undated_article_comes_after_the_dated_ones_in_the_feed_and_on_the_home_page(client, corpus):
    undated = corpus.exclude(published=None).order_by("published").last()  # the newest one, dated
    Article.objects.filter(pk=undated.pk).update(published=None)
    root, items = entries(client, reverse("archive:feed"))
    titles = [title for title, _ in items]
    assert titles[0] != undated.title and titles == [a.title for a in newest_first(corpus)[:30]]
    home = client.get(reverse("archive:home")).content.decode()
    latest = home.split("最新报道", 1)[1]
    assert undated.title not in latest.split("</ol>", 1)[0]


@pytest.mark.django_db
def test_place_and_source_feeds(client, seed_article):
    street = seed_article.places.filter(level=Place.Level.STREET).first()
    root, items = entries(client, reverse("archive:place-feed", args=[street.code]))
    assert street.name in root.find(f"{ATOM}title").text
    expected = {a.get_absolute_url() for a in Article.objects.public().in_place(street)}
    assert {link.split("testserver")[1] for _, link in items} <= expected and items
    root, items = entries(client, reverse("archive:source-feed", args=[seed_article.source_id]))
    assert any(link.endswith(seed_article.get_absolute_url()) for _, link in items)
    assert client.get(reverse("archive:place-feed", args=["000"])).status_code == 404


@pytest.mark.django_db
def test_search_feed_uses_the_search_parameters(client, seed_article):
    root, items = entries(client, reverse("search:feed") + "?q=东浦街道&district=330602")
    assert "东浦街道" in root.find(f"{ATOM}title").text
    assert items
    api = client.get(reverse("search:api-search"), {"q": "东浦街道", "district": "330602", "sort": "newest"}).json()
    feed_paths = [link.split("testserver")[1] for _, link in items]
    assert feed_paths[:20] == [r["url"].split("testserver")[1] for r in api["results"]]
    # A malformed query still gives a valid (maybe empty) feed.
    entries(client, reverse("search:feed") + '?q="东浦&date_from=2018-13-45')


@pytest.mark.django_db
def test_sitemap_lists_public_articles_places_and_sources(client, seed_article):
    index = ET.fromstring(client.get("/sitemap.xml").content)
    sections = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert any("sitemap-articles.xml" in s for s in sections)
    urls = set()
    for section in sections:
        path = section.split("testserver")[1]
        locs = ET.fromstring(client.get(path).content).iter(f"{SITEMAP}loc")
        urls |= {loc.text.split("testserver")[1] for loc in locs}
    assert seed_article.get_absolute_url() in urls
    assert seed_article.source.get_absolute_url() in urls
    assert seed_article.places.first().get_absolute_url() in urls
    assert len([u for u in urls if u.startswith("/articles/")]) == Article.objects.public().count()
