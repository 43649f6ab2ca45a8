"""The embedded engine through the engine interface, on the archive's real temporary index.

Each Haystack + Whoosh trap an early issue listed is checked here against what the stock backend did.
"""

from __future__ import annotations

import random
import re
from datetime import date

import pytest
from django.db import transaction
from haystack import connections

from archive.models import Article, ArticlePlace, Place
from search.backends import current_engine
from search.engine import Filters
from tests.search.helpers import found, result

CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


def search(text: str) -> set[int]:
    return found(text)


def scan(corpus, text: str) -> set[int]:
    return {a.pk for a in corpus if text in a.title or text in a.body}


def test_everything_public_is_indexed(corpus):
    assert found() == set(corpus.values_list("pk", flat=True))


def test_match_all_star_browses_everything(corpus):
    # Trap: the stock backend parsed "*" to an empty query and returned nothing.
    everything = set(corpus.values_list("pk", flat=True))
    assert search("*") == everything
    assert search("") == everything


def test_one_character_query_finds_longer_words(corpus):
    # Trap: the stock backend refuses one-character queries, and jieba never indexes 水 alone.
    found = search("水")
    assert Article.objects.get(title="东浦街道开展水质监测").pk in found
    assert found == scan(corpus, "水")


def test_two_character_words_are_found(corpus):
    # Trap: NgramField's minimum is 3, so two-character words were missed.
    assert search("迪荡") == scan(corpus, "迪荡") != set()


def test_gazetteer_names_and_cross_word_substrings(corpus, seed_article):
    assert seed_article.pk in search("东浦街道")
    assert seed_article.pk in search("城区搭")  # across jieba's 越城区 / 搭
    assert search("幕府山街道") == set()  # 府山街道 is in the corpus; the longer name is not


def test_recall_equals_a_substring_scan_on_generated_queries(corpus):
    """Any 1–8 Chinese characters found verbatim in a title or body find that article."""
    rng = random.Random(5)
    articles = list(corpus)
    queries = set()
    while len(queries) < 150:
        article = rng.choice(articles)
        runs = [r for r in CJK_RUN.findall(article.title + "\n" + article.body) if r]
        run = rng.choice(runs)
        size = rng.randint(1, min(8, len(run)))
        start = rng.randrange(len(run) - size + 1)
        queries.add(run[start : start + size])
    misses = {q: scan(articles, q) - search(q) for q in queries}
    misses = {q: m for q, m in misses.items() if m}
    assert misses == {}, f"recall {1 - len(misses) / len(queries):.1%}"
    # and nothing that does not contain the query
    extra = {q: search(q) - scan(articles, q) for q in sorted(queries)[:40]}
    assert {q: e for q, e in extra.items() if e} == {}


def test_facets_are_exact_values_with_counts(corpus):
    counts = result(facets=("district", "source", "year")).facets
    yuecheng = Place.objects.get(name="越城区", level="district")
    # A district counts the articles tagged with it or with a street or community inside it.
    expected = corpus.in_place(yuecheng).count()
    assert expected > corpus.filter(places=yuecheng).count()
    assert dict(counts["district"])[yuecheng.code] == expected
    # A source name is one facet value, not split into words.
    assert dict(counts["source"])["越城组工"] == corpus.filter(source__name="越城组工").count()
    assert dict(counts["year"])["2021"] == corpus.filter(published__year=2021).count()


def test_facet_counts_follow_the_query(corpus):
    counts = result("水质监测", facets=("year",)).facets
    assert counts["year"] == [("2021", 1)]


def test_street_filter_tells_same_named_streets_apart(corpus):
    yuecheng = Place.objects.get(code="330602002")  # 府山街道, 越城区
    kecheng = Place.objects.get(code="330802006")  # 府山街道, 柯城区
    in_kecheng = found(filters=Filters(places=(("street", (kecheng.code,)),)))
    assert in_kecheng == set(corpus.in_place(kecheng).values_list("pk", flat=True)) != set()
    assert in_kecheng.isdisjoint(found(filters=Filters(places=(("street", (yuecheng.code,)),))) - in_kecheng)


def test_date_range_and_sorting(corpus):
    dates = Filters(date_from=date(2019, 1, 1), date_to=date(2020, 12, 31))
    expected = set(corpus.filter(published__range=(date(2019, 1, 1), date(2020, 12, 31))).values_list("pk", flat=True))
    assert found(filters=dates) == expected != set()
    published = dict(corpus.values_list("pk", "published"))
    newest = [published[pk] for pk in result(sort="newest", limit=100).ids]
    oldest = [published[pk] for pk in result(sort="oldest", limit=100).ids]
    dated = [d for d in newest if d]
    assert dated == sorted(dated, reverse=True)
    # Undated articles come last in both directions.
    assert newest[: len(dated)] == dated and oldest[: len(dated)] == sorted(dated)


def test_more_like_this_excludes_the_article(corpus, seed_article):
    similar = current_engine().similar(seed_article.pk, limit=20)
    assert similar and seed_article.pk not in similar


@pytest.mark.django_db(transaction=True)
def test_edits_reach_the_index_after_commit(tmp_path, test_data):
    from archive.ingest.pipeline import ingest_paths

    ingest_paths([test_data / "seed.txt"])
    article = Article.objects.get()
    with transaction.atomic():
        article.title = "改过的标题：和美越城"
        article.save()
        assert search("和美越城") == set()  # not before the commit
    assert search("和美越城") == {article.pk}

    article.status = Article.Status.HIDDEN
    article.save()
    assert search("和美越城") == set()
    article.status = Article.Status.PUBLISHED
    article.save()
    assert search("和美越城") == {article.pk}

    ArticlePlace.objects.filter(article=article, place__level="street").delete()
    assert found(filters=Filters(places=(("street", ("330602002",)),))) == set()

    with pytest.raises(RuntimeError), transaction.atomic():
        article.title = "回滚的标题"
        article.save()
        raise RuntimeError
    assert search("回滚的标题") == set()

    article.delete()
    assert search("和美越城") == set()


@pytest.mark.django_db(transaction=True)
def test_rerun_indexes_what_a_killed_run_left_out(tmp_path, test_data, search_backend):
    from archive.ingest.pipeline import ingest_paths

    ingest_paths([test_data / "localgov_sample.jsonl"])
    stored = set(Article.objects.public().values_list("pk", flat=True))
    search_backend.clear()  # as if the process died between the database and the index commits
    assert found() == set()
    ingest_paths([test_data / "localgov_sample.jsonl"])
    assert found() == stored


@pytest.mark.parametrize("factor", [1, 4])
def test_pages_of_a_broad_query_cover_every_match_once_best_first(corpus, monkeypatch, factor):
    """Each page sorts only the best-scoring matches (factor 1: exactly a page's worth); together the
    pages list every match once, scores never rising from one result to the next."""
    from search import docsets

    monkeypatch.setattr(docsets, "PARTITION_FACTOR", factor)
    expected = scan(corpus, "街道")
    assert result("街道", limit=0).total == len(expected) > 25
    seen, scores = [], []
    for start in range(0, len(expected) + 20, 20):
        page = result("街道", offset=start, limit=20).hits
        seen += [hit.id for hit in page]
        scores += [hit.score for hit in page]
    assert len(seen) == len(set(seen)) and set(seen) == expected
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]


def test_substring_across_words_without_a_scoring_word_is_still_listed(corpus, seed_article):
    # 台，唱 spans punctuation: two chunks, 台 and 唱, neither a word the query analyzer keeps whole.
    assert seed_article.pk in search("城区搭好")
    assert seed_article.pk in search("星”台")


def test_more_like_this_gives_only_the_number_asked_for(corpus, seed_article):
    assert len(current_engine().similar(seed_article.pk, limit=3)) == 3


def test_a_new_generation_closes_every_reader_of_the_old_searcher(corpus, search_backend):
    """Whoosh's refresh() reused no reader and closed one per generation, leaving the others (and
    their mapped files) to the garbage collector, and could close one twice (a 500)."""
    from archive.models import Article as A

    index = connections["default"].get_unified_index().get_index(A)
    articles = list(A.objects.public().order_by("pk"))
    for chunk in (articles[:4], articles[4:8], articles[8:12]):
        search_backend.update(index, chunk)  # several segments
    engine = search_backend.engine
    engine.count()
    old = engine._searcher()
    readers = [reader for reader, _ in old.reader().leaf_readers()]
    assert len(readers) > 1 and not any(r.is_closed for r in readers)

    search_backend.update(index, articles[12:14])  # a new generation
    assert result(limit=0).total == len(articles)
    assert all(r.is_closed for r in readers)
    assert engine._searcher() is not old
