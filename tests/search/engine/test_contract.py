"""The engine contract: the same tests, unchanged, against the embedded engine and a real Typesense.

A reference evaluation in plain Python (folded substrings) decides what each query must find.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from archive.ingest.dates import CHINA_TZ
from archive.ingest.synthetic import ISSUERS, PLACE_CODES, generate_articles
from search.analysis import chunks, fold
from search.engine import Document, Filters, SearchRequest
from search.query import And, Not, Or, Term, parse_query
from tests.search.engine.conftest import make_engine

CORPUS_SIZE = 400
QUERIES = [
    "党建 -疫情",
    "东浦 OR 北海",
    "(东浦 OR 北海) 垃圾分类",
    "title:街道 -东浦",
    "-街道",
    "source:越城 党建",
    '"红色物业"',
    "水 OR 邻里 OR 口袋",
    "-(东浦 OR 府山) 志愿",
    "柯桥 -(垃圾 OR 疫情)",
    "ＡＢＣ OR 党员",
    "，。",
    # A term no document holds, beside others: the whole conjunction finds nothing.
    "愿志 街道",
    "街道 title:愿志",
    "愿志 -东浦",
    "(愿志 OR 北海) 党建",
    "(愿志 街道) OR 北海",
]


PUBLIC_FROM = datetime(2024, 3, 1, 9, 30, 15, 250_000, tzinfo=UTC)


def public_since(pk: int) -> datetime | None:
    """When document ``pk`` became public: an hour apart, half of them given in China time; every
    ninth has none (indexed before the field existed)."""
    if pk % 9 == 0:
        return None
    moment = PUBLIC_FROM + timedelta(hours=pk)
    return moment.astimezone(CHINA_TZ) if pk % 2 else moment


def documents() -> list[Document]:
    docs = []
    for row in generate_articles(CORPUS_SIZE, seed=7):
        district, street = row["district"], row["street"]
        docs.append(
            Document(
                id=row["id"],
                title=row["title"],
                text=f"{row['title']}\n\n{row['body']}",
                source=row["source"],
                published=row["published"],
                places={"district": (district,), "street": (street,)},
                doc_number=f"越政发〔2020〕{row['id']}号" if row["id"] % 50 == 0 else None,
                issuers=tuple(row["issuers"]),
                public_since=public_since(row["id"]),
            )
        )
    return docs


DOCS = documents()
BY_ID = {doc.id: doc for doc in DOCS}


def field_value(doc: Document, field: str) -> str:
    return {"text": doc.text, "title": doc.title, "source": doc.source or ""}[field]


def matches(doc: Document, node) -> bool:
    if node is None:
        return True
    if isinstance(node, Term):
        runs = chunks(node.text)
        folded = fold(field_value(doc, node.field))
        return bool(runs) and all(run in folded for run in runs)
    if isinstance(node, Not):
        return not matches(doc, node.child)
    if isinstance(node, And):
        return all(matches(doc, child) for child in node.children)
    assert isinstance(node, Or)
    return any(matches(doc, child) for child in node.children)


def expected(text: str = "", keep=lambda doc: True) -> set[int]:
    tree = parse_query(text).tree
    return {doc.id for doc in DOCS if keep(doc) and matches(doc, tree)}


def indexed_engine(request, tmp_path_factory, collection: str, docs: list[Document]):
    """The engine ``request.param`` holding ``docs``, closed after the module."""
    engine = make_engine(request.param, request, tmp_path_factory, collection=collection)
    engine.index(docs)
    yield engine
    engine.close()


@pytest.fixture(scope="module", params=["whoosh", "typesense"])
def engine(request, tmp_path_factory):
    yield from indexed_engine(request, tmp_path_factory, "contract", DOCS)


def ask(engine, text="", **kwargs):
    kwargs.setdefault("limit", 1000)
    return engine.search(SearchRequest(tree=parse_query(text).tree, **kwargs))


def test_every_document_is_indexed_once_even_when_indexed_again(engine):
    engine.index(DOCS[:50])
    assert engine.count() == len(DOCS)
    assert ask(engine, limit=0).total == len(DOCS)
    assert engine.missing([1, 2, 10_000_001]) == [10_000_001]


def test_every_substring_of_one_to_eight_characters_is_found(engine):
    rng = random.Random(3)
    checked = 0
    for _ in range(250):
        doc = rng.choice(DOCS)
        length = rng.randint(1, 8)
        start = rng.randrange(0, max(1, len(doc.text) - length))
        sample = doc.text[start : start + length].strip()
        if not chunks(sample):
            continue
        query = '"' + sample.replace('"', "") + '"'
        result = ask(engine, query, sort="newest")
        want = expected(query)
        assert doc.id in want
        assert set(result.ids) == want and result.total == len(want), sample
        checked += 1
    assert checked > 200


@pytest.mark.parametrize("text", QUERIES)
def test_boolean_queries_find_exactly_the_matching_documents(engine, text):
    result = ask(engine, text, sort="newest")
    want = expected(text)
    assert result.total == len(want)
    assert set(result.ids) == want


def test_facet_counts_are_exact(engine):
    facets = ("district", "street", "source", "issuer", "year")
    for text in ("", "党建", "东浦 OR 北海 -疫情"):
        tree = parse_query(text).tree
        matched = [doc for doc in DOCS if matches(doc, tree)]
        counts = ask(engine, text, limit=0, facets=facets).facets
        assert dict(counts["district"]) == Counter(doc.places["district"][0] for doc in matched)
        assert dict(counts["street"]) == Counter(doc.places["street"][0] for doc in matched)
        assert dict(counts["source"]) == Counter(doc.source for doc in matched)
        assert dict(counts["issuer"]) == Counter(i for doc in matched for i in doc.issuers)
        assert dict(counts["year"]) == Counter(doc.year for doc in matched if doc.year)
        # most first, then by value
        for values in counts.values():
            assert values == sorted(values, key=lambda vc: (-vc[1], vc[0]))


def _dates(ids):
    return [BY_ID[pk].published for pk in ids]


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_date_sorts_put_undated_documents_last_and_pages_follow_on(engine, sort):
    whole = ask(engine, "街道", sort=sort, limit=120).ids
    dates = _dates(whole)
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=(sort == "newest"))
    everything = _dates(ask(engine, sort=sort, limit=1000).ids)
    first_undated = everything.index(None)
    assert all(d is None for d in everything[first_undated:]) and first_undated > 0
    pages = []
    for offset in range(0, 120, 20):
        pages += ask(engine, "街道", sort=sort, offset=offset, limit=20).ids
    assert _dates(pages) == dates and len(set(pages)) == len(pages)


def test_relevance_lists_every_match_once(engine):
    want = expected("党建 OR 垃圾")
    seen = []
    for offset in range(0, len(want) + 20, 20):
        seen += ask(engine, "党建 OR 垃圾", offset=offset, limit=20).ids
    assert len(seen) == len(set(seen)) and set(seen) == want


def test_date_ranges_are_inclusive_and_skip_undated_documents(engine):
    low, high = date(2018, 3, 1), date(2019, 6, 30)
    for filters, keep in (
        (Filters(date_from=low, date_to=high), lambda d: d.published and low <= d.published <= high),
        (Filters(date_from=low), lambda d: d.published and low <= d.published),
        (Filters(date_to=high), lambda d: d.published and d.published <= high),
    ):
        assert set(ask(engine, filters=filters).ids) == expected(keep=keep)
    day = next(doc.published for doc in DOCS if doc.published)
    assert set(ask(engine, filters=Filters(date_from=day, date_to=day)).ids) == expected(
        keep=lambda d: d.published == day
    )


def test_exact_filters(engine):
    street = PLACE_CODES["东浦街道"]
    district = PLACE_CODES["柯桥区"]
    cases = [
        (Filters(places=(("street", (street,)),)), lambda d: d.places["street"] == (street,)),
        (
            Filters(places=(("district", (district, PLACE_CODES["上城区"])),)),
            lambda d: d.places["district"][0] in (district, PLACE_CODES["上城区"]),
        ),
        (Filters(source="越城组工"), lambda d: d.source == "越城组工"),
        (Filters(issuer=ISSUERS[0]), lambda d: ISSUERS[0] in d.issuers),
        (Filters(doc_number="越政发〔2020〕100号"), lambda d: d.id == 100),
        (Filters(exclude_ids=(1, 2, 3)), lambda d: d.id not in (1, 2, 3)),
        (Filters(source="越城"), lambda d: False),  # exact, not a substring
    ]
    for filters, keep in cases:
        assert set(ask(engine, "街道", filters=filters, sort="newest").ids) == expected("街道", keep), filters

    # A term that only documents outside the filter hold finds nothing in it, beside another term or not.
    def in_street(doc):
        return doc.places["street"] == (street,)

    assert not any("望江" in d.text for d in DOCS if in_street(d)) and any("望江" in d.text for d in DOCS)
    for text in ("望江", "望江 街道", "街道 望江 -疫情"):
        found = ask(engine, text, filters=Filters(places=(("street", (street,)),)), sort="newest")
        assert found.total == 0 and not found.ids, text


def _public_at_or_after(moment: datetime):
    return lambda doc: doc.public_since is not None and doc.public_since >= moment


def test_public_since_keeps_exactly_the_documents_made_public_at_or_after_the_moment(engine):
    boundary = BY_ID[101].public_since
    assert boundary is not None
    for moment in (
        boundary,  # inclusive: the document made public at that very moment is kept
        boundary.astimezone(CHINA_TZ),  # the same moment in another time zone
        boundary + timedelta(microseconds=1),  # a moment later it is not (an alert saved just after it)
        boundary - timedelta(minutes=30),
        PUBLIC_FROM - timedelta(days=1),  # before every document: all that have the value
        PUBLIC_FROM + timedelta(hours=len(DOCS) + 1),  # after every document: none
    ):
        result = ask(engine, filters=Filters(public_since=moment), sort="newest")
        want = expected(keep=_public_at_or_after(moment))
        assert set(result.ids) == want and result.total == len(want), moment
    assert 101 in ask(engine, filters=Filters(public_since=boundary)).ids
    assert 101 not in ask(engine, filters=Filters(public_since=boundary + timedelta(microseconds=1))).ids


@pytest.mark.parametrize("text", ["街道 -疫情", "(东浦 OR 北海) 垃圾分类", "党建 OR 志愿"])
def test_public_since_combines_with_the_query_and_the_other_filters(engine, text):
    moment = PUBLIC_FROM + timedelta(hours=150)
    district = PLACE_CODES["柯桥区"]
    since = _public_at_or_after(moment)
    for filters, keep in (
        (Filters(public_since=moment), since),
        (
            Filters(public_since=moment, places=(("district", (district,)),)),
            lambda d: since(d) and d.places["district"] == (district,),
        ),
        (
            Filters(public_since=moment, date_from=date(2019, 1, 1)),
            lambda d: since(d) and d.published is not None and d.published >= date(2019, 1, 1),
        ),
    ):
        want = expected(text, keep)
        assert want, filters
        for sort in ("newest", "relevance"):
            result = ask(engine, text, filters=filters, sort=sort)
            assert set(result.ids) == want and result.total == len(want), (filters, sort)


def test_a_document_without_public_since_never_matches_the_filter(engine):
    without = {doc.id for doc in DOCS if doc.public_since is None}
    assert without
    for moment in (datetime(1970, 1, 1, tzinfo=UTC), datetime(2000, 1, 1, tzinfo=CHINA_TZ)):
        result = ask(engine, filters=Filters(public_since=moment))
        assert not without & set(result.ids)
        assert result.total == len(DOCS) - len(without)


def test_public_until_keeps_what_was_public_by_then_and_what_has_no_moment(engine):
    """A snapshot: the documents made public at or before the moment, and those not known."""
    boundary = BY_ID[101].public_since
    for moment in (boundary, boundary - timedelta(microseconds=1), PUBLIC_FROM - timedelta(days=1)):
        want = {d.id for d in DOCS if d.public_since is None or d.public_since <= moment}
        result = ask(engine, filters=Filters(public_until=moment), sort="oldest")
        assert set(result.ids) == want and result.total == len(want), moment
    assert 101 in ask(engine, filters=Filters(public_until=boundary)).ids
    assert 101 not in ask(engine, filters=Filters(public_until=boundary - timedelta(microseconds=1))).ids
    both = Filters(public_since=boundary, public_until=boundary + timedelta(hours=3))
    want = {d.id for d in DOCS if d.public_since and boundary <= d.public_since <= boundary + timedelta(hours=3)}
    want &= expected("街道 OR 党建")
    assert want and set(ask(engine, "街道 OR 党建", filters=both).ids) == want


def test_highlight_spans_mark_the_query_terms(engine):
    result = ask(engine, "东浦 党建 -疫情", limit=5)
    assert result.hits
    for hit in result.hits:
        doc = BY_ID[hit.id]
        marked = {fold(doc.text[a:b]) for a, b in hit.highlights["text"]}
        assert marked == {"东浦", "党建"}
        assert all(fold(doc.title[a:b]) in ("东浦", "党建") for a, b in hit.highlights["title"])


def test_more_like_this_finds_a_near_copy_first(engine):
    original = DOCS[10]
    copy = Document(
        id=9_000_001,
        title=original.title + "（转载）",
        text=original.text + "\n来源：转载",
        source="转载号",
        published=original.published,
        places=original.places,
    )
    engine.index([copy])
    try:
        similar = engine.similar(original.id, limit=5)
        assert similar[0] == copy.id and original.id not in similar and len(similar) == 5
        assert copy.id not in engine.similar(original.id, limit=5, exclude=[copy.id])
        assert engine.similar(10_000_001, limit=5) == []
    finally:
        engine.delete([copy.id])
    assert engine.missing([copy.id]) == [copy.id]


def test_more_like_this_finds_a_document_sharing_only_some_of_the_words(engine):
    """A report sharing two of an article's distinctive words, neither its most nor its least frequent,
    is related to it; one sharing none of them is not."""
    words = ["猕猴桃", "琵琶", "灯笼", "陶瓷", "蜂蜜", "风筝"]  # none of them in the generated corpus
    assert not any(word in doc.text for doc in DOCS for word in words)
    text = "。".join(word for i, word in enumerate(words) for _ in range(len(words) - i))
    article = Document(id=9_000_011, title="特色产品展", text=text, source="测试号", published=date(2021, 5, 1))
    sharing = Document(
        id=9_000_012,
        title="春季集市",
        text=f"{DOCS[3].text}\n灯笼。蜂蜜。",
        source="测试号",
        published=date(2020, 1, 1),
    )
    unrelated = Document(id=9_000_013, title="其他", text=DOCS[4].text, source="测试号", published=date(2022, 1, 1))
    engine.index([article, sharing, unrelated])
    try:
        related = engine.similar(article.id, limit=5)
        assert related[:1] == [sharing.id] and unrelated.id not in related
    finally:
        engine.delete([article.id, sharing.id, unrelated.id])


# -- facets with more values than Typesense lists per search ------------------------------------------

WIDE_STREETS = 700


def wide_documents() -> list[Document]:
    """1,400 documents over 700 streets: street s holds s % 9 + 1 "甲" documents (the even ids) and
    as many "乙" ones, so that 甲 OR 乙 spans far more streets per piece than Typesense lists."""
    docs, pk = [], 0
    for s in range(WIDE_STREETS):
        for word in ("甲", "乙"):
            for _ in range((s * 7 + (3 if word == "乙" else 0)) % 9 + 1 if s < 350 else 1):
                pk += 1
                docs.append(
                    Document(
                        id=pk,
                        title=f"第{s}号街道{word}",
                        text=f"第{s}号街道的{word}报道",
                        source="测试",
                        published=date(2020, 1, 1),
                        places={"district": ("测试区",), "street": (f"测试{s:03d}街道",)},
                    )
                )
    return docs


WIDE = wide_documents()


@pytest.fixture(scope="module", params=["whoosh", "typesense"])
def wide_engine(request, tmp_path_factory):
    yield from indexed_engine(request, tmp_path_factory, "contract_wide", WIDE)


@pytest.mark.parametrize("text", ["甲", "甲 OR 乙", "(甲 OR 乙) 街道", "甲 OR 乙 OR 报道"])
def test_facet_counts_of_many_values_are_exact_and_leave_out_nothing_more_frequent(wide_engine, text):
    """Defect: Typesense lists 250 values per search; an OR query summed each piece's list, so a
    street listed for one piece but not another was undercounted."""
    got = wide_engine.search(SearchRequest(tree=parse_query(text).tree, limit=0, facets=("street",))).facets["street"]
    tree = parse_query(text).tree
    want = Counter(doc.places["street"][0] for doc in WIDE if matches(doc, tree))
    assert len(want) == WIDE_STREETS
    assert got and all(count == want[value] for value, count in got), [
        (value, count, want[value]) for value, count in got if count != want[value]
    ][:5]
    shown = {value for value, _ in got}
    assert not [value for value, count in want.items() if value not in shown and count > got[-1][1]]
    assert got == sorted(got, key=lambda vc: (-vc[1], vc[0]))
