"""The embedded engine's evaluator and whole-index arrays against Whoosh's own matchers and scorer,
on the real index over several segments."""

import numpy as np
import pytest
from haystack import connections
from whoosh import query as wq

from archive.models import Article
from search import query as uq
from search.analysis import chunks
from search.docsets import arrays_for
from search.engine import Filters, SearchRequest
from search.substring import NGRAM_SUFFIX

QUERIES = ["街道", "东浦街道", "垃圾分类", "水", "党建 -街道", "东浦 OR 北海", '"乡村振兴"', "title:街道", "城区搭好"]


@pytest.fixture
def segmented(corpus, search_backend):
    """The corpus index in several segments, some documents deleted (re-indexed ones)."""
    index = connections["default"].get_unified_index().get_index(Article)
    articles = list(Article.objects.public().order_by("pk"))
    for chunk in (articles[:5], articles[5:9]):
        search_backend.update(index, chunk)  # each commit: a new segment, the old copies deleted
    search_backend.index = search_backend.index.refresh()
    searcher = search_backend.engine._searcher()
    assert len(searcher.reader().leaf_readers()) > 1 and searcher.reader().has_deletions()
    return search_backend, searcher


def docs(searcher, query):
    return set(searcher.docs_for_query(query))


def whoosh_substring(fieldname: str, text: str) -> wq.Query:
    """Every chunk of ``text`` in the n-gram field, as Whoosh's own phrase of its bigrams (a chunk of
    one or two characters is one term)."""
    parts = [
        wq.Term(fieldname, chunk)
        if len(chunk) <= 2
        else wq.Phrase(fieldname, [chunk[i : i + 2] for i in range(len(chunk) - 1)])
        for chunk in chunks(text)
    ]
    return wq.And(parts) if parts else wq.NullQuery


def whoosh_query(node) -> wq.Query:
    """The tree as Whoosh query objects, answered by Whoosh's own matchers: the reference."""
    if isinstance(node, uq.Term):
        return whoosh_substring(node.field + NGRAM_SUFFIX, node.text)
    if isinstance(node, uq.Not):
        return wq.Not(whoosh_query(node.child))
    parts = [whoosh_query(child) for child in node.children]
    return wq.And(parts) if isinstance(node, uq.And) else wq.Or(parts)


def engine_mask(engine, arrays, text, filters=None):
    mask = engine._filter_mask(arrays, filters or Filters())
    tree = uq.parse_query(text).tree
    return mask & engine._mask(arrays, tree) if tree is not None else mask


def test_masks_equal_whooshs_matches(segmented):
    backend, searcher = segmented
    engine = backend.engine
    arrays = arrays_for(searcher, engine)
    assert int(arrays.live.sum()) == searcher.doc_count() == Article.objects.public().count()
    district = next(iter(arrays.facet_pairs("district").names))
    from datetime import date

    filters = [
        (Filters(places=(("district", (district,)),)), wq.Term("district", district)),
        (
            Filters(date_from=date(2018, 1, 1), date_to=date(2018, 12, 31)),
            wq.NumericRange("published__asc", 20180101, 20181231),
        ),
    ]
    for text in QUERIES:
        query = whoosh_query(uq.parse_query(text).tree)
        expected = docs(searcher, query)
        assert set(engine_mask(engine, arrays, text).nonzero()[0].tolist()) == expected, text
        for extra, reference in filters:
            got = set(engine_mask(engine, arrays, text, extra).nonzero()[0].tolist())
            assert got == docs(searcher, wq.And([query, reference])), (text, extra)


def test_scores_equal_whooshs_bm25f(segmented):
    backend, searcher = segmented
    engine = backend.engine
    arrays = arrays_for(searcher, engine)
    compared = 0
    for text in QUERIES:
        scoring = engine._scoring(uq.parse_query(text).tree)
        if scoring is None:
            continue
        mask = engine_mask(engine, arrays, text)
        scores = arrays.scores(scoring, mask)
        # Whoosh's own search for the scoring terms, among the matches.
        results = searcher.search(scoring, filter=set(mask.nonzero()[0].tolist()), limit=None, terms=False)
        for i in range(results.scored_length()):
            docnum = results.docnum(i)
            assert scores[docnum] == pytest.approx(results.score(i), rel=1e-6), (text, docnum)
            compared += 1
    assert compared > 20


def test_facet_counts_equal_a_count_of_stored_fields(segmented):
    backend, searcher = segmented
    arrays = arrays_for(searcher, backend.engine)
    query = whoosh_query(uq.parse_query("街道").tree)
    mask = engine_mask(backend.engine, arrays, "街道")
    expected: dict[str, int] = {}
    for docnum in docs(searcher, query):
        for value in filter(None, (searcher.stored_fields(docnum).get("street") or "").split(",")):
            expected[value] = expected.get(value, 0) + 1
    assert dict(arrays.facet_counts("street", mask)) == expected and expected


@pytest.mark.parametrize("share", [0, 1, 3, 0.05, 0.5, 1.0])
def test_facet_counts_of_few_and_many_matches_equal_a_count_of_stored_fields(segmented, share):
    """A few matches are counted from their own pairs, many from each value's run: both as stored."""
    backend, searcher = segmented
    arrays = arrays_for(searcher, backend.engine)
    live = arrays.live.nonzero()[0]
    chosen = live[:: max(1, round(1 / share))] if isinstance(share, float) else live[:share]
    mask = np.zeros(arrays.size, dtype=bool)
    mask[chosen] = True
    wanted = set(chosen.tolist())
    for field in ("street", "district", "source_exact", "year"):
        expected = {}  # Whoosh's own matchers: each value's documents among the chosen
        for term in searcher.lexicon(field):
            value = term.decode("utf-8") if isinstance(term, bytes) else term
            if count := len(docs(searcher, wq.Term(field, value)) & wanted):
                expected[value] = count
        assert expected or len(wanted) < 5, field  # the corpus has places, sources and years
        got = arrays.facet_counts(field, mask)
        assert dict(got) == expected, (field, share)
        assert got == sorted(got, key=lambda item: (-item[1], item[0]))


def test_a_deleted_document_leaves_every_mask(segmented, corpus):
    backend, _ = segmented
    article = Article.objects.public().order_by("pk").first()
    backend.remove(article)
    searcher = backend.engine._searcher()
    arrays = arrays_for(searcher, backend.engine)
    stored_ids = {int(searcher.stored_fields(d)["django_id"]) for d in arrays.live.nonzero()[0]}
    assert article.pk not in stored_ids and len(stored_ids) == Article.objects.public().count() - 1


def test_more_like_this_ranks_as_whoosh_does(segmented, corpus):
    backend, searcher = segmented
    article = Article.objects.public().order_by("pk").first()
    found = backend.engine.similar(article.pk, limit=10)
    # Whoosh's own scoring of the same key terms, the article itself excluded.
    docnum = searcher.document_number(id=f"archive.article.{article.pk}")
    text = searcher.stored_fields(docnum)["text"]
    keys = [(w, s) for w, s in searcher.key_terms_from_text("text", text, numterms=12) if len(w) > 1]
    query = wq.Or([wq.Term("text", w, boost=s) for w, s in keys])
    results = searcher.search(query, limit=10, filter=wq.Not(wq.Term("id", f"archive.article.{article.pk}")))
    expected = [int(searcher.stored_fields(results.docnum(i))["django_id"]) for i in range(results.scored_length())]
    assert found == expected and len(found) >= 5


def test_threads_search_with_the_same_answers(segmented):
    """A threaded server: every thread gets the same answers as one thread alone."""
    from concurrent.futures import ThreadPoolExecutor

    from search.backends import current_engine

    def run(text):
        result = current_engine().search(SearchRequest(tree=uq.parse_query(text).tree, limit=10, facets=("street",)))
        return text, result.total, result.ids, result.facets["street"]

    expected = {text: run(text) for text in QUERIES}
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(run, QUERIES * 4))
    assert all(answer == expected[answer[0]] for answer in answers)


def _search_in_a_new_thread(text="街道"):
    """A search as ``runserver`` makes one: in a thread started for the request, then gone."""
    import threading

    from search.backends import current_engine

    out = {}

    def run():
        tree = uq.parse_query(text).tree
        result = current_engine().search(SearchRequest(tree=tree, sort="newest", limit=10, facets=("street",)))
        out["count"] = result.total
        out["ids"] = result.ids

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return out


def test_threads_share_one_copy_of_a_generations_arrays(segmented):
    """One copy of the arrays per index generation, however many threads (or requests) search it."""
    from search.docsets import kept_generations

    backend, _ = segmented
    first = _search_in_a_new_thread()
    kept = kept_generations()
    assert len(kept) == 1
    generation = next(iter(kept.values()))
    held = generation.nbytes
    assert held > 0
    for _ in range(20):
        assert _search_in_a_new_thread() == first
    assert kept_generations() == kept  # the same object: nothing rebuilt, nothing added
    assert generation.nbytes == held


def test_a_new_generation_replaces_the_old_arrays(segmented, corpus):
    import gc
    import weakref

    from search.docsets import kept_generations

    backend, _ = segmented
    before = _search_in_a_new_thread()
    old = weakref.ref(next(iter(kept_generations().values())))
    article = Article.objects.public().order_by("pk").first()
    backend.remove(article)
    after = _search_in_a_new_thread()
    assert after["count"] == before["count"] - 1
    kept = kept_generations()
    assert len(kept) == 1 and next(iter(kept.values())) is not old()
    gc.collect()
    assert old() is None  # released once no search uses it


def test_shared_arrays_cannot_be_changed_by_a_search(segmented):
    backend, searcher = segmented
    arrays = arrays_for(searcher, backend.engine)
    with pytest.raises(ValueError):
        arrays.live[0] = False
    with pytest.raises(ValueError):
        arrays.order("published__desc", True)[0] = 0


@pytest.mark.parametrize("zeros", [0.0, 0.5, 0.97, 1.0])
@pytest.mark.parametrize("tiebreak", [True, False])
def test_the_best_ranked_matches_equal_a_full_sort_even_when_most_tie(zeros, tiebreak):
    """Most matches score 0 where few hold a scoring word (one character): the page is still the
    best by score, then tiebreak rank, then number (a full sort of every match is the reference)."""
    from search.docsets import IndexArrays

    rng = np.random.default_rng(4)
    size = 50_000
    scores = np.where(rng.random(size) < zeros, 0.0, rng.integers(1, 40, size) / 7)
    mask = rng.random(size) < 0.8
    rank = rng.permutation(size) if tiebreak else None
    docs = np.flatnonzero(mask)
    keys = (docs, rank[docs]) if tiebreak else (docs,)
    reference = docs[np.lexsort((*keys, -scores[docs]))].tolist()
    for limit in (1, 20, 1000):
        assert IndexArrays.ranked(scores, mask, rank, limit) == reference[:limit], limit
