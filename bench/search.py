"""Benchmark search: indexing speed, index size, query latency and recall, beside a plain baseline.

    python bench/search.py --docs 10000 [--docs 100000] [--queries 200] [--procs P] [--keep DIR [--setups S]]

With ``--keep DIR`` the corpus, indexes and each setup's figures stay in DIR; a later run with
``--setups ours`` (or ``baseline``) on the same DIR measures that setup again and reuses the
other's figures, saying when they were measured.

For each N, in a fresh temporary DATA_DIR and each step in a fresh process pinned to one core (ours:
to ``--procs`` cores, default all, since our backend writes a large batch with that many processes):
  * prepare  — generate N synthetic crawl records (archive.ingest.synthetic) and ingest them into
    SQLite with ``ingest_paths``, search indexing switched off (timed, but not a target); then draw
    a fixed-seed query mix from the stored articles: words (2–4 characters, jieba words of the
    bodies), place names, single characters, two-word queries, an empty query with a district
    filter (browse), word + sort=newest, word + date range, word + street or source filter;
  * ours     — clear the index, index every public article with ``search.backends.ChineseWhooshEngine``
    (``backend.update`` in chunks of 500, as ``update_index`` does); docs/s and size on disk; then
    the query mix through the search page (``/search/``, HTML with facets) and ``/api/search``
    after 10 warm-up queries; recall of single-term queries;
  * baseline — Haystack's stock ``WhooshSearchBackend`` with jieba's ``ChineseAnalyzer`` in place of
    the StemmingAnalyzer, one ``text`` field (title + body), indexed the same way into its own
    folder; latency of ``SearchQuerySet().auto_query(q)[:20]`` plus its count for the same query
    strings (queries with an empty q are skipped); recall likewise.

Recall: for each single-term query (word, place name, one character), the share of public articles
containing it verbatim in title or body (a Python substring scan) that the backend finds.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from figures import pct  # bench/figures.py: this folder is on the path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CHUNK = 500
WARMUP = 10
SEED = 20240611
SINGLE_TERM = ("word", "place", "char")
TARGET_INDEX_RATIO = 5.0
TARGET_PAGE_P95_MS = 150.0
CJK = re.compile(r"^[\u4e00-\u9fff]+$")
BASELINE_ALIAS = "baseline"


# -- helpers ----------------------------------------------------------------------------------------


def pin_and_setup(cores: int = 1) -> None:
    """Run on the first ``cores`` cores this process may use, then set Django up."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[:cores]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def public_texts() -> list[tuple[int, str, str]]:
    from archive.models import Article

    return list(Article.objects.public().order_by("pk").values_list("pk", "title", "body"))


def truth_sets(queries: list[dict]) -> dict[str, set[int]]:
    """For each single-term query string: the public articles containing it verbatim (title or body)."""
    texts = public_texts()
    terms = sorted({q["q"] for q in queries if q["kind"] in SINGLE_TERM})
    return {t: {pk for pk, title, body in texts if t in title or t in body} for t in terms}


def docnum_ids(searcher) -> dict[int, int]:
    """Whoosh document number -> article pk, from the django_id field's postings (no stored text read)."""
    from haystack.constants import DJANGO_ID

    reader = searcher.reader()
    out = {}
    for term in reader.lexicon(DJANGO_ID):
        pk = int(term.decode() if isinstance(term, bytes) else term)
        for docnum in reader.postings(DJANGO_ID, term).all_ids():
            out[docnum] = pk
    return out


def recall_figures(per_query: list[float], found_total: int, truth_total: int, extra: int) -> dict:
    """Macro and micro recall (percent) from each query's recall and the found/expected totals."""
    return {
        "recall_macro": 100 * statistics.mean(per_query) if per_query else float("nan"),
        "recall_micro": 100 * found_total / truth_total if truth_total else float("nan"),
        "recall_queries": len(per_query),
        "recall_full": sum(r == 1.0 for r in per_query),
        "recall_zero": sum(r == 0.0 for r in per_query),
        "not_verbatim": extra,
    }


def recall(backend, build_query, truth: dict[str, set[int]]) -> dict:
    """Macro and micro recall of ``build_query(q)`` (a Whoosh query) against the substring scan."""
    per_query, found_total, truth_total, extra = [], 0, 0, 0
    backend.index = backend.index.refresh()
    with backend.index.searcher() as searcher:
        ids = docnum_ids(searcher)
        for term, expected in truth.items():
            if not expected:
                continue
            query = build_query(term)
            got = {ids[d] for d in searcher.docs_for_query(query) if d in ids}
            hit = len(got & expected)
            per_query.append(hit / len(expected))
            found_total += hit
            truth_total += len(expected)
            extra += len(got - expected)
    return recall_figures(per_query, found_total, truth_total, extra)


def engine_recall(engine, truth: dict[str, set[int]]) -> dict:
    """Recall of the engine's answer to each single-term query against the substring scan."""
    from search.engine import SearchRequest
    from search.query import parse_query

    per_query, found_total, truth_total, extra = [], 0, 0, 0
    for term, expected in truth.items():
        if not expected:
            continue
        got = set(engine.search(SearchRequest(tree=parse_query(f'"{term}"').tree, limit=len(expected) + 1000)).ids)
        hit = len(got & expected)
        per_query.append(hit / len(expected))
        found_total += hit
        truth_total += len(expected)
        extra += len(got - expected)
    return recall_figures(per_query, found_total, truth_total, extra)


def index_all(index, backend) -> dict:
    """Index every public article in chunks of CHUNK; return timings."""
    queryset = index.index_queryset().order_by("pk")
    ids = list(queryset.values_list("pk", flat=True))
    fetch_s = update_s = 0.0
    chunk_s = []
    started = time.perf_counter()
    for start in range(0, len(ids), CHUNK):
        t0 = time.perf_counter()
        objects = list(queryset.filter(pk__in=ids[start : start + CHUNK]))
        t1 = time.perf_counter()
        backend.update(index, objects)
        t2 = time.perf_counter()
        fetch_s += t1 - t0
        update_s += t2 - t1
        chunk_s.append(t2 - t1)
        log(f"    indexed {min(start + CHUNK, len(ids))}/{len(ids)} ({len(objects) / (t2 - t0):.0f} docs/s this chunk)")
    seconds = time.perf_counter() - started
    return {
        "docs": len(ids),
        "index_s": seconds,
        "docs_per_s": len(ids) / seconds if seconds else 0.0,
        "fetch_s": fetch_s,
        "update_s": update_s,
        "first_chunk_s": chunk_s[0] if chunk_s else 0.0,
        "last_chunk_s": chunk_s[-1] if chunk_s else 0.0,
        "size_mb": dir_size(Path(backend.path)) / 1e6,
    }


# -- prepare: ingest and draw the query mix -----------------------------------------------------------


def child_prepare(records: str, out: str, count: int) -> dict:
    pin_and_setup()
    from django.apps import apps

    from archive import geotag
    from archive.ingest.pipeline import ingest_paths

    apps.get_app_config("haystack").signal_processor.teardown()  # no indexing during ingest
    geotag.geotag("绍兴市越城区")  # build the gazetteer automaton outside the timed part
    started = time.perf_counter()
    summary = ingest_paths([records])
    ingest_s = time.perf_counter() - started
    queries = query_mix(count)
    Path(out).write_text(json.dumps(queries, ensure_ascii=False, indent=0), encoding="utf-8")
    from archive.models import Article

    return {
        "records": summary.records,
        "stored": summary.stored,
        "duplicates": summary.duplicates,
        "rejected": summary.rejected,
        "public": Article.objects.public().count(),
        "ingest_s": ingest_s,
    }


def query_mix(count: int) -> list[dict]:
    import jieba

    from archive.models import Article, ArticlePlace, Place, Source

    jieba.setLogLevel(logging.WARNING)
    rng = random.Random(SEED)
    articles = list(Article.objects.public().order_by("pk").values_list("title", "body", "published"))
    # Ids first, then the rows: SQLite plans "place joined to public articles, distinct" badly
    # (150 s per level at 100k articles).
    public = Article.objects.public()
    used = Place.objects.filter(
        pk__in=set(ArticlePlace.objects.filter(article__in=public).values_list("place_id", flat=True))
    )
    districts = sorted(used.filter(level=Place.Level.DISTRICT).values_list("code", "name"))
    streets = sorted(used.filter(level=Place.Level.STREET).values_list("code", "name"))
    source_ids = set(public.exclude(source=None).values_list("source_id", flat=True))
    sources = sorted(Source.objects.filter(pk__in=source_ids).values_list("name", flat=True))
    dates = sorted(d for _, _, d in articles if d)

    def window() -> str:
        title, body, _ = rng.choice(articles)
        text = body if body and rng.random() < 0.8 else title
        start = rng.randrange(max(1, len(text) - 60))
        return text[start : start + 60]

    def word() -> str:
        while True:
            words = [w for w in jieba.lcut(window()) if 2 <= len(w) <= 4 and CJK.match(w)]
            if words:
                return rng.choice(words)

    def char() -> str:
        while True:
            chars = [c for c in window() if CJK.match(c)]
            if chars:
                return rng.choice(chars)

    def date_range() -> dict:
        start = rng.choice(dates)
        end = start.replace(year=start.year + 1) if not (start.month == 2 and start.day == 29) else start
        return {"date_from": start.isoformat(), "date_to": end.isoformat()}

    shares = [
        ("word", 0.25),
        ("place", 0.15),
        ("char", 0.10),
        ("two_words", 0.15),
        ("browse", 0.10),
        ("newest", 0.10),
        ("date_range", 0.10),
        ("filtered", 0.05),
    ]
    kinds = [kind for kind, share in shares for _ in range(round(count * share))]
    kinds = (kinds + ["word"] * count)[:count]
    queries = []
    for kind in kinds:
        params: dict = {}
        if kind == "word":
            params["q"] = word()
        elif kind == "place":
            params["q"] = rng.choice(districts + streets)[1]
        elif kind == "char":
            params["q"] = char()
        elif kind == "two_words":
            params["q"] = f"{word()} {word()}"
        elif kind == "browse":
            params.update(q="", district=rng.choice(districts)[0])
        elif kind == "newest":
            params.update(q=word(), sort="newest")
        elif kind == "date_range":
            params.update(q=word(), **date_range())
        else:
            if rng.random() < 0.5 and sources:
                params.update(q=word(), source=rng.choice(sources))
            else:
                params.update(q=word(), street=rng.choice(streets)[0])
        queries.append({"kind": kind, **params})
    rng.shuffle(queries)
    return queries


# -- ours ---------------------------------------------------------------------------------------------


def child_ours(queries_file: str) -> dict:
    procs = int(os.environ["SEARCH_INDEX_PROCS"])
    pin_and_setup(procs)  # the backend writes large batches with this many processes
    from django.test import Client
    from haystack import connections

    from archive.models import Article
    from search.analysis import get_segmenter
    from search.backends import current_engine
    from search.engine import SearchRequest
    from search.query import parse_query

    queries = json.loads(Path(queries_file).read_text(encoding="utf-8"))
    started = time.perf_counter()
    get_segmenter()  # load jieba/rjieba and the gazetteer words outside the timed part
    setup_s = time.perf_counter() - started

    index = connections["default"].get_unified_index().get_index(Article)
    backend = connections["default"].get_backend()
    backend.clear()
    result = {"setup_s": setup_s, "procs": backend.procs, **index_all(index, backend)}
    result.update(analysis_breakdown(index, backend))

    truth = truth_sets(queries)
    result.update(engine_recall(current_engine(), truth))

    client = Client()

    def get(path: str, params: dict) -> float:
        t0 = time.perf_counter()
        response = client.get(path, {k: v for k, v in params.items() if k != "kind"})
        elapsed = (time.perf_counter() - t0) * 1000
        assert response.status_code == 200, (path, params, response.status_code)
        return elapsed

    for q in queries[:WARMUP]:
        get("/search/", q)
        get("/api/search", q)
    page, api, by_kind = [], [], {}
    for q in queries:
        ms = get("/search/", q)
        page.append(ms)
        by_kind.setdefault(q["kind"], []).append(ms)
        api.append(get("/api/search", q))

    # The same query strings with no facets, no database and no template: like the baseline's timing.
    bare = []
    timed = [q for q in queries if q["q"]]
    for i, q in enumerate(timed[:WARMUP] + timed):
        t0 = time.perf_counter()
        current_engine().search(SearchRequest(tree=parse_query(q["q"]).tree, limit=20))
        if i >= WARMUP:
            bare.append((time.perf_counter() - t0) * 1000)
    slowest = max(zip(page, queries, strict=True), key=lambda item: item[0])
    result.update(
        page_p50=pct(page, 50),
        page_p95=pct(page, 95),
        page_max=max(page),
        api_p50=pct(api, 50),
        api_p95=pct(api, 95),
        bare_p50=pct(bare, 50),
        bare_p95=pct(bare, 95),
        slowest={"ms": slowest[0], **slowest[1]},
        by_kind={k: [len(v), pct(v, 50), pct(v, 95)] for k, v in by_kind.items()},
    )
    return result


def analysis_breakdown(index, backend, sample: int = 200) -> dict:
    """Where the per-document indexing time goes, on a sample: prepare, words analyzer, n-gram analyzer."""
    from search.analysis import ChineseAnalyzer, NgramAnalyzer

    objects = list(index.index_queryset().order_by("pk")[:sample])
    t0 = time.perf_counter()
    prepared = [index.full_prepare(o) for o in objects]
    t1 = time.perf_counter()
    words, ngrams = ChineseAnalyzer(), NgramAnalyzer()
    texts = [(p["text"], p["title"]) for p in prepared]
    word_tokens = sum(1 for text, title in texts for s in (text, title) for _ in words(s, positions=True, chars=True))
    t2 = time.perf_counter()
    ngram_tokens = sum(1 for text, title in texts for s in (text, title) for _ in ngrams(s, positions=True, chars=True))
    t3 = time.perf_counter()
    from search.engine.whoosh_engine import stored_document

    docs = [stored_document(d) for d in backend.documents(index, objects)]
    t4 = time.perf_counter()
    n = len(objects) or 1
    return {
        "sample": len(objects),
        "chars_per_doc": sum(len(t) for t, _ in texts) / n,
        "prepare_ms_per_doc": 1000 * (t1 - t0) / n,
        "words_ms_per_doc": 1000 * (t2 - t1) / n,
        "words_tokens_per_doc": word_tokens / n,
        "ngram_ms_per_doc": 1000 * (t3 - t2) / n,
        "ngram_tokens_per_doc": ngram_tokens / n,
        "document_ms_per_doc": 1000 * (t4 - t3) / len(docs or [1]),
    }


# -- baseline: stock Haystack Whoosh with jieba's ChineseAnalyzer ---------------------------------------


def baseline_classes():
    from haystack import indexes
    from haystack.backends import BaseEngine
    from haystack.backends.whoosh_backend import WhooshSearchBackend, WhooshSearchQuery
    from jieba.analyse import ChineseAnalyzer as JiebaAnalyzer
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import TEXT, Schema

    from archive.models import Article

    stemming = type(StemmingAnalyzer())

    class JiebaWhooshBackend(WhooshSearchBackend):
        """Stock backend; only the text fields' StemmingAnalyzer becomes jieba's ChineseAnalyzer."""

        def build_schema(self, fields):
            content_field_name, schema = super().build_schema(fields)
            swapped = {}
            for name in schema.names():
                field = schema[name]
                if isinstance(field, TEXT) and isinstance(field.analyzer, stemming):
                    field = TEXT(stored=field.stored, analyzer=JiebaAnalyzer(), sortable=True)
                swapped[name] = field
            return content_field_name, Schema(**swapped)

    class JiebaWhooshEngine(BaseEngine):
        backend = JiebaWhooshBackend
        query = WhooshSearchQuery

    class PlainArticleIndex(indexes.SearchIndex, indexes.Indexable):
        text = indexes.CharField(document=True)

        def get_model(self):
            return Article

        def index_queryset(self, using=None):
            return self.get_model().objects.public()

        def prepare_text(self, obj):
            return f"{obj.title}\n\n{obj.body}"

    return JiebaWhooshEngine, PlainArticleIndex


def child_baseline(queries_file: str, path: str) -> dict:
    pin_and_setup()
    import jieba
    from django.conf import settings
    from haystack import connections
    from haystack.query import SearchQuerySet

    jieba.setLogLevel(logging.WARNING)
    queries = json.loads(Path(queries_file).read_text(encoding="utf-8"))
    engine, plain_index = baseline_classes()
    globals()["JiebaWhooshEngine"] = engine  # Haystack loads the engine by dotted path
    settings.HAYSTACK_CONNECTIONS[BASELINE_ALIAS] = {"ENGINE": f"{__name__}.JiebaWhooshEngine", "PATH": path}
    connections.connections_info[BASELINE_ALIAS] = settings.HAYSTACK_CONNECTIONS[BASELINE_ALIAS]
    connections[BASELINE_ALIAS].get_unified_index().build(indexes=[plain_index()])

    started = time.perf_counter()
    jieba.initialize()
    setup_s = time.perf_counter() - started
    from archive.models import Article

    index = connections[BASELINE_ALIAS].get_unified_index().get_index(Article)
    backend = connections[BASELINE_ALIAS].get_backend()
    backend.clear()
    result = {"setup_s": setup_s, **index_all(index, backend)}

    truth = truth_sets(queries)

    def build(q: str):
        string = SearchQuerySet(using=BASELINE_ALIAS).auto_query(q).query.build_query()
        return backend.parser.parse(string)

    result.update(recall(backend, build, truth))

    timed = [q for q in queries if q["q"]]
    latencies = []
    for i, q in enumerate(timed[:WARMUP] + timed):
        t0 = time.perf_counter()
        sqs = SearchQuerySet(using=BASELINE_ALIAS).auto_query(q["q"])
        list(sqs[:20])
        sqs.count()
        if i >= WARMUP:
            latencies.append((time.perf_counter() - t0) * 1000)
    result.update(bare_p50=pct(latencies, 50), bare_p95=pct(latencies, 95), timed_queries=len(latencies))
    return result


# -- driver -------------------------------------------------------------------------------------------


def run_child(args: list[str], env: dict) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", *args], cwd=REPO, env=env, check=True, stdout=subprocess.PIPE, text=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def fmt(value: float, digits: int = 0) -> str:
    return "n/a" if value != value else f"{value:.{digits}f}"  # NaN check


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, action="append", help="N articles (repeatable); default 10000")
    parser.add_argument("--queries", type=int, default=200, help="queries in the mix (default 200)")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep the databases and indexes there")
    parser.add_argument(
        "--setups",
        default="ours,baseline",
        help="which setups to measure (default both); with --keep, the other's figures from an earlier run "
        "on the same kept corpus are reused",
    )
    parser.add_argument(
        "--procs",
        type=int,
        default=len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1,
        help="processes (and cores) our backend may use to write large batches; default: every core this "
        "process may run on. The baseline always runs on one core: Haystack's Whoosh backend writes with one.",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, *rest = args.child
        if mode == "prepare":
            out = child_prepare(rest[0], rest[1], int(rest[2]))
        elif mode == "ours":
            out = child_ours(rest[0])
        else:
            out = child_baseline(rest[0], rest[1])
        print(json.dumps(out, ensure_ascii=False, default=str))
        return

    from archive.ingest.synthetic import generate_dump_records

    sizes = args.docs or [10000]
    setups = set(args.setups.split(","))
    if args.keep:
        work = Path(args.keep).resolve()
        work.mkdir(parents=True, exist_ok=True)
    else:
        work = Path(tempfile.mkdtemp(prefix="bench-search-"))
    base_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "testserver,localhost",
        "PYTHONHASHSEED": "0",
    }
    base_env.pop("WHOOSH_PATH", None)
    base_env.pop("DATABASE_URL", None)
    rows = []
    try:
        template = work / "template"
        if not (template / "archive.sqlite3").exists():
            env = {**base_env, "DATA_DIR": str(template)}
            subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=REPO, env=env, check=True)
        for n in sizes:
            run_started = time.perf_counter()
            data_dir = work / f"data-{n}"
            queries = work / f"queries-{n}.json"
            prep_file = work / f"prep-{n}.json"
            env = {**base_env, "DATA_DIR": str(data_dir)}
            if args.keep and prep_file.exists() and data_dir.exists():
                prep = json.loads(prep_file.read_text(encoding="utf-8"))
                log(f"N={n}: reusing the corpus ingested in {data_dir}")
            else:
                data = work / f"records-{n}.txt"
                with data.open("w", encoding="utf-8") as out:
                    for line in generate_dump_records(n):
                        out.write(line + "\n")
                shutil.rmtree(data_dir, ignore_errors=True)
                shutil.copytree(template, data_dir)
                log(f"N={n}: ingest")
                prep = run_child(["prepare", str(data), str(queries), str(args.queries)], env)
                prep_file.write_text(json.dumps(prep), encoding="utf-8")
            print(
                f"N={n}: ingested {prep['records']} records in {prep['ingest_s']:.1f}s "
                f"({prep['records'] / prep['ingest_s']:.0f} records/s; not a target): {prep['stored']} stored, "
                f"{prep['duplicates']} duplicates, {prep['rejected']} rejected, {prep['public']} public",
                flush=True,
            )
            results = {}
            for setup in ("ours", "baseline"):
                result_file = work / f"result-{setup}-{n}.json"
                if setup in setups:
                    log(f"N={n}: {setup}")
                    child = (
                        ["ours", str(queries)]
                        if setup == "ours"
                        else ["baseline", str(queries), str(data_dir / "whoosh-baseline")]
                    )
                    child_env = {**env, "SEARCH_INDEX_PROCS": str(args.procs)}
                    results[setup] = run_child(child, child_env)
                    results[setup]["measured_at"] = time.strftime("%Y-%m-%d %H:%M:%S")
                    if args.keep:
                        result_file.write_text(json.dumps(results[setup], ensure_ascii=False), encoding="utf-8")
                elif result_file.exists():
                    results[setup] = json.loads(result_file.read_text(encoding="utf-8"))
                    print(
                        f"N={n}: {setup} figures from an earlier run on this corpus ({results[setup]['measured_at']})"
                    )
            if len(results) < 2:
                print(f"N={n}: {', '.join(results)} measured; results kept in {work}")
                continue
            ours, base = results["ours"], results["baseline"]
            rows.append((n, prep, ours, base, time.perf_counter() - run_started))
            print_details(n, ours, base, args.queries)
            if not args.keep:
                shutil.rmtree(data_dir, ignore_errors=True)
        if rows:
            print_table(rows)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def print_details(n: int, ours: dict, base: dict, queries: int) -> None:
    print(
        f"N={n}: ours indexed {ours['docs']} docs in {ours['index_s']:.1f}s (DB fetch {ours['fetch_s']:.1f}s, "
        f"backend.update {ours['update_s']:.1f}s; first/last chunk of {CHUNK} {ours['first_chunk_s']:.1f}s/"
        f"{ours['last_chunk_s']:.1f}s); segmenter load {ours['setup_s']:.1f}s"
    )
    print(
        f"N={n}: ours per doc ({ours['sample']}-doc sample, {ours['chars_per_doc']:.0f} chars): full_prepare "
        f"{ours['prepare_ms_per_doc']:.1f} ms, words analyzer {ours['words_ms_per_doc']:.1f} ms "
        f"({ours['words_tokens_per_doc']:.0f} tokens), n-gram analyzer {ours['ngram_ms_per_doc']:.1f} ms "
        f"({ours['ngram_tokens_per_doc']:.0f} tokens), _document {ours['document_ms_per_doc']:.1f} ms"
    )
    print(
        f"N={n}: baseline indexed {base['docs']} docs in {base['index_s']:.1f}s (DB fetch {base['fetch_s']:.1f}s, "
        f"backend.update {base['update_s']:.1f}s; first/last chunk {base['first_chunk_s']:.1f}s/"
        f"{base['last_chunk_s']:.1f}s)"
    )
    for label, r in (("ours", ours), ("baseline", base)):
        print(
            f"N={n}: {label} recall over {r['recall_queries']} single-term queries: "
            f"macro {fmt(r['recall_macro'], 1)}%, micro {fmt(r['recall_micro'], 1)}%; "
            f"all found {r['recall_full']}, none found {r['recall_zero']}; "
            f"hits not containing the query verbatim {r['not_verbatim']}"
        )
    print(
        f"N={n}: bare query (20 hits + count, no facets/DB/template) p50/p95 ms: ours "
        f"{fmt(ours['bare_p50'], 1)}/{fmt(ours['bare_p95'], 1)}, baseline {fmt(base['bare_p50'], 1)}/"
        f"{fmt(base['bare_p95'], 1)} ({base['timed_queries']} non-empty of {queries} queries)"
    )
    kinds = ", ".join(f"{k} {c}× {p50:.0f}/{p95:.0f}" for k, (c, p50, p95) in sorted(ours["by_kind"].items()))
    print(f"N={n}: ours search page p50/p95 ms by kind: {kinds}")
    slow = ours["slowest"]
    print(f"N={n}: slowest page {slow.pop('ms'):.0f} ms: {json.dumps(slow, ensure_ascii=False)}", flush=True)


def print_table(rows: list) -> None:
    print()
    header = (
        f"{'N':>7} {'setup':<9} {'index docs/s':>12} {'ratio':>6} {'index MB':>9} {'page p50':>9} {'page p95':>9} "
        f"{'API p95':>8} {'bare p50':>9} {'bare p95':>9} {'recall %':>9}"
    )
    print(header)
    print("-" * len(header))
    for n, _prep, ours, base, _seconds in rows:
        ratio = ours["docs_per_s"] / base["docs_per_s"] if base["docs_per_s"] else float("nan")
        ours_label = f"ours ×{ours.get('procs', 1)}"
        for label, r, rat in ((ours_label, ours, ratio), ("baseline", base, 1.0)):
            print(
                f"{n:>7} {label:<9} {r['docs_per_s']:>12.0f} {rat:>5.2f}× {r['size_mb']:>9.1f} "
                f"{fmt(r.get('page_p50', float('nan'))):>9} {fmt(r.get('page_p95', float('nan'))):>9} "
                f"{fmt(r.get('api_p95', float('nan'))):>8} {fmt(r['bare_p50'], 1):>9} {fmt(r['bare_p95'], 1):>9} "
                f"{fmt(r['recall_macro'], 1):>9}"
            )
    print()
    print("targets:")
    for n, _prep, ours, base, _seconds in rows:
        ratio = ours["docs_per_s"] / base["docs_per_s"] if base["docs_per_s"] else float("nan")
        verdict = "met" if ratio >= TARGET_INDEX_RATIO else "NOT met"
        print(f"  N={n}: index throughput ≥ {TARGET_INDEX_RATIO:.0f}× baseline: {ratio:.2f}× — {verdict}")
    big = [r for r in rows if r[0] >= 100_000]
    for n, _prep, ours, _base, _seconds in big:
        verdict = "met" if ours["page_p95"] <= TARGET_PAGE_P95_MS else "NOT met"
        print(f"  N={n}: search-page p95 ≤ {TARGET_PAGE_P95_MS:.0f} ms: {ours['page_p95']:.0f} ms — {verdict}")
    if not big:
        n, prep, ours, base, seconds = rows[-1]
        print(
            f"  search-page p95 ≤ {TARGET_PAGE_P95_MS:.0f} ms at 100k: not run "
            f"(at N={n}: {ours['page_p95']:.0f} ms — {'met' if ours['page_p95'] <= TARGET_PAGE_P95_MS else 'NOT met'})"
        )
        scale = 100_000 / n
        projected = (
            prep["ingest_s"] * scale
            + 100_000 / ours["docs_per_s"]
            + 100_000 / base["docs_per_s"]
            + (seconds - prep["ingest_s"] - ours["index_s"] - base["index_s"])
        )
        print(
            f"  projected 100k run at these rates: ~{projected / 60:.0f} min "
            f"(ingest ~{prep['ingest_s'] * scale / 60:.0f} min, "
            f"our indexing ~{100_000 / ours['docs_per_s'] / 60:.0f} min, baseline indexing "
            f"~{100_000 / base['docs_per_s'] / 60:.0f} min; queries not scaled)"
        )
    for n, _prep, _ours, _base, seconds in rows:
        print(f"  N={n}: whole run {seconds:.0f}s")


if __name__ == "__main__":
    main()
