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


# --- characters XML cannot hold ----------------------------------------------------------------

# Every character XML 1.0 refuses, as a curator's paste or a crawler's record may bring them:
# Word's soft line break (vertical tab) and page break, other C0 controls, the two non-characters.
XML_ILLEGAL = "\x00\x01\x08\x0b\x0c\x0e\x1f\ufffe\uffff"

FEEDS = ("/feed/", "/search/feed/", "/search/feed/?q=东浦街道")


def all_feed_urls(article):
    urls = [*FEEDS, reverse("archive:source-feed", args=[article.source_id])]
    urls += [reverse("archive:place-feed", args=[place.code]) for place in article.places.all()]
    return urls


def feed_texts(client, url) -> str:
    """Every text a feed reader shows of a feed, which must parse as XML."""
    response = client.get(url)
    assert response.status_code == 200, f"{url} → {response.status_code}"
    root = ET.fromstring(response.content)  # a feed reader refuses a feed that is not XML
    return "\n".join(t for t in root.itertext())


@pytest.fixture
def few(db, tmp_path):
    from archive.ingest.pipeline import ingest_paths
    from tests.conftest import EXTRA, write_jsonl

    ingest_paths([write_jsonl(tmp_path / "few.jsonl", EXTRA)])
    return Article.objects.get(title="东浦街道开展水质监测")


@pytest.mark.django_db
def test_a_soft_line_break_a_curator_saves_in_a_title_leaves_every_feed_readable(client, few):
    from django.contrib.auth.models import User

    from tests.archive.test_admin_curation import post_change

    client.force_login(User.objects.create_superuser("root", password="pw-not-used"))
    post_change(client, few, title="东浦街道\x0b开展水质监测\x01")
    few.refresh_from_db()
    assert few.title == "东浦街道 开展水质监测"  # the break keeps the words apart; the control is gone
    client.logout()
    for url in all_feed_urls(few):
        assert "东浦街道 开展水质监测" in feed_texts(client, url), url


@pytest.mark.django_db
def test_a_control_character_a_curator_saves_in_a_source_name_is_removed(client, few):
    from django.contrib.auth.models import User

    from tests.archive.test_admin_curation import change_form_data

    client.force_login(User.objects.create_superuser("root", password="pw-not-used"))
    url = reverse("admin:archive_source_change", args=[few.source_id])
    data = {**change_form_data(client.get(url)), "name": "东浦\x0b发布\x02", "description": "第一行\x0b第二行"}
    assert client.post(url, data).status_code == 302
    few.source.refresh_from_db()
    assert (few.source.name, few.source.description) == ("东浦 发布", "第一行\n第二行")
    assert "东浦 发布" in feed_texts(client, reverse("archive:source-feed", args=[few.source_id]))


@pytest.mark.django_db
def test_feeds_leave_out_characters_xml_cannot_hold_even_when_stored(client, few):
    # Written past save() (as an old row or a bulk update would be): the feeds still emit XML.
    # (Not NUL: PostgreSQL refuses to store it at all.)
    stored = XML_ILLEGAL.replace("\x00", "")
    Article.objects.filter(pk=few.pk).update(title=f"东浦街道{stored}水质", body=f"第一段{stored}第二段")
    few.source.__class__.objects.filter(pk=few.source_id).update(name=f"东浦{stored}发布")
    for url in all_feed_urls(few):
        text = feed_texts(client, url)
        assert "东浦街道" in text and "水质" in text, url
        assert not set(XML_ILLEGAL) & set(text), url
    assert "东浦 发布" in feed_texts(client, reverse("archive:source-feed", args=[few.source_id]))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "q",
    ["%01", "%E4%B8%9C%E6%B5%A6%0B%E8%A1%97%E9%81%93", "%00", "%EF%BF%BE", "%ED%A0%80", "%0C%1F"],
    ids=["SOH", "vertical-tab", "NUL", "U+FFFE", "surrogate-bytes", "FF-US"],
)
def test_a_control_character_in_the_search_query_gives_a_valid_feed(client, few, q):
    text = feed_texts(client, f"/search/feed/?q={q}")
    assert "检索" in text
