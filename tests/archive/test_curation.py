"""archive.curation and tag_places on the real database: what each curation step changes and keeps."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from archive import curation
from archive.ingest.pipeline import tag_places
from archive.models import Article, ArticlePlace, Place, RemovedPlace

pytestmark = pytest.mark.django_db


def _article(title: str) -> Article:
    return Article.objects.select_related("source__home_place").get(title=title)


def test_geotagging_again_writes_only_the_difference_and_keeps_curators_places(corpus):
    article = _article("柯城区府山街道开展志愿服务")
    before = {link.place.code: link.pk for link in article.place_links.select_related("place")}
    assert tag_places(article) == (set(), set())  # nothing changed: no row rewritten
    assert {link.place.code: link.pk for link in article.place_links.select_related("place")} == before

    street = Place.objects.get(code__startswith="330802", name="府山街道")
    manual = Place.objects.get(code="330602")  # 越城区, not named in the text
    curation.place_taken_off(article, street)
    curation.place_set_by_hand(ArticlePlace(article=article, place=manual))
    added, removed = tag_places(article)
    assert added == set() and removed == set()
    codes = set(article.places.values_list("code", flat=True))
    assert street.code not in codes and manual.code in codes

    # Adding the place back by hand lifts the curator's removal.
    curation.place_set_by_hand(ArticlePlace(article=article, place=street))
    assert not RemovedPlace.objects.filter(article=article, place=street).exists()
    ArticlePlace.objects.filter(article=article, place=street).update(manual=False, mentions=9)
    tag_places(article)
    link = ArticlePlace.objects.get(article=article, place=street)
    assert link.mentions == 2  # title and body name it once each: the count is corrected in place


def test_merge_moves_the_copies_of_the_merged_articles_too(corpus):
    a, b, c = (_article(t) for t in ("东浦街道开展水质监测", "北海街道党工委召开会议", "柯城区府山街道开展志愿服务"))
    c.duplicate_of = b
    c.save()
    a.duplicate_of = c  # the chosen one was itself a duplicate
    a.save()
    outcome = curation.merge(a, [b, a])
    assert outcome.changed == 2  # b, and c (b's copy)
    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db()
    assert a.duplicate_of is None and b.duplicate_of == a and c.duplicate_of == a
    assert curation.merge(a, [b]).changed == 0


def test_status_changes_count_only_real_changes(corpus):
    articles = Article.objects.filter(title__in=["东浦街道开展水质监测", "北海街道党工委召开会议"])
    assert curation.set_status(articles, Article.Status.HIDDEN).changed == 2
    assert curation.set_status(articles, Article.Status.HIDDEN).unchanged == 2
    assert not Article.objects.public().filter(pk__in=articles.values("pk")).exists()


def test_cleaning_a_record_the_cleaner_now_refuses_changes_nothing_and_says_why(corpus):
    article = _article("东浦街道开展水质监测")
    Article.objects.filter(pk=article.pk).update(raw="[1, 2]")
    outcome = curation.reclean(Article.objects.filter(pk=article.pk))
    assert outcome.changed == 0 and "未重新清理" in outcome.problems[0]
    assert Article.objects.get(pk=article.pk).title == "东浦街道开展水质监测"


def test_regeotag_command_by_source(corpus, capsys):
    article = _article("柯城区府山街道开展志愿服务")
    ArticlePlace.objects.filter(article=article).delete()
    call_command("regeotag", "--source", str(article.source_id))
    assert "changed places" in capsys.readouterr().out
    assert article.places.filter(name="府山街道").exists()
    with pytest.raises(CommandError, match="No source with id 999999"):
        call_command("regeotag", "--source", "999999")
