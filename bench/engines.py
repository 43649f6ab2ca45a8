"""Benchmark the two search engines side by side on the project's synthetic articles.

    python bench/engines.py --docs 100000 [--docs 1000000] [--engines whoosh,typesense] [--queries 200]
                            [--keep DIR]

For each N, each engine indexes in one fresh process (as the worker does) and searches in another
(as a web worker does, opening the index cold): the embedded engine (Whoosh, writing with every
core) in a temporary folder, or in DIR/whoosh-<N> with --keep, where a later run reuses it;
Typesense as a single server started here on 127.0.0.1. Each indexes N articles from
``archive.ingest.synthetic.generate_articles`` in batches of 5,000 (docs/s), then answers a
fixed-seed query mix twice over after a warm-up:

* **page**: 20 hits newest-first or by relevance plus the search page's five facets (district,
  street, source, issuer, year): what ``/search/`` asks the engine;
* **api**: 20 hits, no facets: what ``/api/search`` asks, for another mix of the same kinds (so that
  no measured query was asked just before).

Printed per engine: docs/s, size on disk, page p50/p95, api p50/p95, peak memory of the process
that indexed and of the one that searched (and of the Typesense server). Then, for every query,
whether both engines gave the same total, the same facet counts and, for date-sorted queries,
the same dates in order.
The numbers are medians/percentiles of one run; the machines are shared, so compare ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

BATCH = 5000
WARMUP = 10
FACETS = ("district", "street", "source", "issuer", "year")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def pct(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _anon_mb(pid: int | str = "self") -> float | None:
    """A process's own (anonymous) resident memory: without the mapped index files."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("RssAnon")) / 1024
    except (OSError, StopIteration):
        return None


class OwnMemory:
    """Samples, every ``every`` seconds, the own memory of this process and the processes it started
    (the bulk writer's): what a worker holds while it indexes, without the mapped segment files."""

    def __init__(self, every: float = 0.5):
        import threading

        self.every, self.samples = every, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        import psutil

        me = psutil.Process()
        while not self._stop.wait(self.every):
            pids = [me.pid] + [child.pid for child in me.children(recursive=True)]
            self.samples.append(sum(_anon_mb(pid) or 0 for pid in pids))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def figures(self) -> dict:
        samples = self.samples or [_anon_mb() or 0]
        return {"index_own_mb_median": pct(samples, 50), "index_own_mb_peak": max(samples)}


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def documents(n: int):
    from archive.ingest.synthetic import generate_articles
    from search.engine import Document

    for row in generate_articles(n, seed=11):
        yield Document(
            id=row["id"],
            title=row["title"],
            text=f"{row['title']}\n\n{row['body']}",
            source=row["source"],
            published=row["published"],
            places={"district": (row["district"],), "street": (row["street"],)},
            issuers=tuple(row["issuers"]),
        )


def query_mix(count: int, seed: int = 5) -> list[dict]:
    """Fixed-seed queries: words, place names, single characters, two words, OR, NOT, browsing with
    a district filter, a word newest first, a word in a date range, a word in one street."""
    from archive.ingest.synthetic import PLACE_CODES, SLOGANS, THINGS, TOPICS

    rng = random.Random(seed)
    words = TOPICS + SLOGANS + THINGS + ["党员", "志愿者", "调研", "推进会", "居民", "整治"]
    places = [p for p in PLACE_CODES if p.endswith(("区", "街道"))]
    streets = [code for name, code in PLACE_CODES.items() if name.endswith("街道")]
    kinds = ["word", "place", "char", "two", "or", "not", "browse", "newest", "dates", "street"]
    out = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        word = rng.choice(words)
        q = {"kind": kind, "q": word, "sort": "relevance"}
        if kind == "place":
            q["q"] = rng.choice(places)
        elif kind == "char":
            q["q"] = rng.choice(word)
        elif kind == "two":
            q["q"] = f"{word} {rng.choice(places)}"
        elif kind == "or":
            q["q"] = f"{word} OR {rng.choice(words)}"
        elif kind == "not":
            q["q"] = f"{word} -{rng.choice(places)}"
        elif kind == "browse":
            q.update(q="", district=PLACE_CODES[rng.choice(["越城区", "柯桥区", "上城区"])], sort="newest")
        elif kind == "newest":
            q["sort"] = "newest"
        elif kind == "dates":
            year = rng.randint(2016, 2023)
            q.update(date_from=f"{year}-01-01", date_to=f"{year}-06-30", sort="newest")
        elif kind == "street":
            q["street"] = rng.choice(streets)
        out.append(q)
    return out


def request_for(q: dict, facets: tuple):
    from search.engine import Filters, SearchRequest
    from search.query import parse_query

    places = []
    if q.get("district"):
        places.append(("district", (q["district"],)))
    if q.get("street"):
        places.append(("street", (q["street"],)))
    filters = Filters(
        places=tuple(places),
        date_from=date.fromisoformat(q["date_from"]) if q.get("date_from") else None,
        date_to=date.fromisoformat(q["date_to"]) if q.get("date_to") else None,
    )
    tree = parse_query(q["q"]).tree
    # As the service asks: no highlight spans (it marks the snippets of the articles it shows).
    return SearchRequest(tree=tree, filters=filters, sort=q["sort"], limit=20, facets=facets, highlight=False)


def open_engine(engine_name: str, work: Path, nodes: str, procs: int):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from search.analysis import get_segmenter

    get_segmenter()
    if engine_name == "whoosh":
        from search.engine.whoosh_engine import WhooshEngine

        return WhooshEngine(work / "whoosh", procs=procs, cache_mb=int(os.environ.get("SEARCH_CACHE_MB") or 0) or None)
    from search.engine.typesense_engine import TypesenseEngine

    return TypesenseEngine(nodes=nodes.split(","), api_key="bench", collection="bench", timeout=30)


def index_phase(engine_name: str, n: int, work: Path, nodes: str, procs: int, resume: bool = False) -> dict:
    """Index N articles in this process, as the worker does: docs/s and the worker's peak memory.

    With ``resume``, the articles the index already holds (from an interrupted run) are skipped and
    docs/s is that of the rest."""
    engine = open_engine(engine_name, work, nodes, procs)
    held = engine.count() if resume else 0
    if not held:
        engine.clear()
    started = time.perf_counter()
    batch = []
    done = held
    with OwnMemory() as memory:
        for i, doc in enumerate(documents(n)):
            if i < held:
                continue
            batch.append(doc)
            if len(batch) == BATCH:
                engine.index(batch)
                done += len(batch)
                batch = []
                if done % 50_000 == 0:
                    rate = (done - held) / (time.perf_counter() - started)
                    own = memory.samples[-1] if memory.samples else 0
                    log(f"  {engine_name}: indexed {done}/{n} ({rate:.0f} docs/s, own memory {own:.0f} MB)")
        engine.index(batch)
    index_s = time.perf_counter() - started
    engine.close()
    return {
        "index_s": index_s,
        "docs_per_s": (n - held) / index_s,
        "resumed_from": held,
        "index_rss_mb_peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **memory.figures(),
    }


def search_phase(engine_name: str, work: Path, nodes: str, queries: int, procs: int) -> dict:
    """Open the index in a fresh process, as a web worker does, and answer the query mix."""
    engine = open_engine(engine_name, work, nodes, procs)
    # Warm-up, page and API mixes are drawn with different seeds: a measured query was not asked just
    # before (the embedded engine keeps what a segment answered, so the same query again is a cache
    # hit). Words recur between mixes, as popular words do.
    for q in query_mix(WARMUP, seed=4):
        engine.search(request_for(q, FACETS))
    mix = query_mix(queries)
    page, api, answers = [], [], []
    page_by_kind: dict[str, list[float]] = {}
    api_by_kind: dict[str, list[float]] = {}
    for q in mix:
        t0 = time.perf_counter()
        result = engine.search(request_for(q, FACETS))
        page.append((time.perf_counter() - t0) * 1000)
        page_by_kind.setdefault(q["kind"], []).append(page[-1])
        answers.append(
            {
                "q": q,
                "total": result.total,
                "facets": {k: sorted(map(list, v)) for k, v in result.facets.items()},
                "ids": result.ids if q["sort"] != "relevance" else sorted(result.ids)[:0],
            }
        )
    for q in query_mix(queries, seed=6):
        t0 = time.perf_counter()
        result = engine.search(request_for(q, ()))
        api.append((time.perf_counter() - t0) * 1000)
        api_by_kind.setdefault(q["kind"], []).append(api[-1])
        answers.append(
            {"q": q, "total": result.total, "facets": {}, "ids": result.ids if q["sort"] != "relevance" else []}
        )
    return {
        "engine": engine_name,
        "page_p50": pct(page, 50),
        "page_p95": pct(page, 95),
        "api_p50": pct(api, 50),
        "api_p95": pct(api, 95),
        "search_rss_mb_peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "search_anon_mb": _anon_mb(),
        "answers": answers,
        "by_kind": {
            kind: [pct(times, 50), pct(times, 95), pct(api_by_kind[kind], 50), pct(api_by_kind[kind], 95)]
            for kind, times in page_by_kind.items()
        },
    }


def start_typesense(root: Path):
    from tests.search.engine.typesense_server import Cluster

    return Cluster(root, size=1, api_key="bench").start()


def run_child(phase: str, name: str, n: int, work: Path, nodes: str, args) -> dict:
    command = [sys.executable, __file__, "--queries", str(args.queries), "--child", phase, name]
    command += [str(n), str(work), nodes, str(args.procs)]
    out = subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, action="append", help="N articles (repeatable); default 100000")
    parser.add_argument("--engines", default="whoosh,typesense")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--procs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument(
        "--keep",
        type=Path,
        help="keep the embedded engine's index in DIR/whoosh-<N> and reuse it when there (search again "
        "without re-indexing)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="with --keep: finish an interrupted indexing of the embedded engine from the articles it holds",
    )
    parser.add_argument(
        "--cache-mb", type=int, help="the embedded engine's postings cache per process (SEARCH_CACHE_MB; default 1024)"
    )
    parser.add_argument("--child", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cache_mb:
        os.environ["SEARCH_CACHE_MB"] = str(args.cache_mb)  # the children read it
    if args.child:
        phase, name, n, work, nodes, procs = args.child
        if phase in ("index", "resume"):
            result = index_phase(name, int(n), Path(work), nodes, int(procs), resume=phase == "resume")
        else:
            result = search_phase(name, Path(work), nodes, args.queries, int(procs))
        print(json.dumps(result))
        return
    for n in args.docs or [100_000]:
        results = {}
        for name in args.engines.split(","):
            work = args.keep / f"{name}-{n}" if args.keep else Path(tempfile.mkdtemp(prefix=f"bench-engines-{name}-"))
            work.mkdir(parents=True, exist_ok=True)
            cluster = start_typesense(work / "typesense") if name == "typesense" else None
            try:
                nodes = ",".join(cluster.nodes) if cluster else "-"

                # Only the embedded engine's folder is kept: the Typesense server is started afresh each run.
                indexed = work / "indexed.json"
                if indexed.exists() and name == "whoosh":
                    log(f"N={n}: {name}, reusing the index in {work}")
                    result = json.loads(indexed.read_text())
                else:
                    log(f"N={n}: {name}, indexing")
                    phase = "resume" if args.resume and args.keep and name == "whoosh" else "index"
                    result = run_child(phase, name, n, work, nodes, args)
                    if args.keep and name == "whoosh":
                        indexed.write_text(json.dumps(result))
                log(f"N={n}: {name}, searching")
                result.update(run_child("search", name, n, work, nodes, args))
                size_dir = work / ("whoosh" if name == "whoosh" else "typesense")
                result["size_mb"] = dir_size(size_dir) / 1e6
                if cluster:
                    import psutil

                    result["server_rss_mb"] = (
                        sum(psutil.Process(p.pid).memory_info().rss for p in cluster.processes if p) / 2**20
                    )
                results[name] = result
            finally:
                if cluster:
                    cluster.stop()
                if not args.keep:
                    shutil.rmtree(work, ignore_errors=True)
        print_row(n, results)
        if len(results) == 2:
            compare(results["whoosh"], results["typesense"])


def _own(r: dict) -> str:
    """The indexing's own memory, median / peak MB (a kept index from an older run has none)."""
    if "index_own_mb_peak" not in r:
        return "-"
    return f"{r['index_own_mb_median']:.0f} / {r['index_own_mb_peak']:.0f}"


def print_row(n: int, results: dict) -> None:
    print(f"\nN={n:,}")
    print(
        f"{'engine':10} {'docs/s':>8} {'size MB':>8} {'page p50':>9} {'page p95':>9} {'api p50':>8} "
        f"{'api p95':>8} {'index RSS':>9} {'index own':>15} {'search RSS':>10} {'search own':>10} {'server MB':>9}"
    )
    for name, r in results.items():
        print(
            f"{name:10} {r['docs_per_s']:8.0f} {r['size_mb']:8.0f} {r['page_p50']:9.1f} {r['page_p95']:9.1f} "
            f"{r['api_p50']:8.1f} {r['api_p95']:8.1f} {r['index_rss_mb_peak']:9.0f} "
            f"{_own(r):>15} {r['search_rss_mb_peak']:10.0f} "
            f"{r.get('search_anon_mb') or 0:10.0f} {r.get('server_rss_mb', 0):9.0f}"
        )
    kinds = next(iter(results.values()))["by_kind"]
    for label, first in (("page", 0), ("api", 2)):
        print(
            f"{label} p50/p95 ms by kind ({' vs '.join(results)}): "
            + "; ".join(
                f"{kind} "
                + " vs ".join(
                    f"{r['by_kind'][kind][first]:.0f}/{r['by_kind'][kind][first + 1]:.0f}" for r in results.values()
                )
                for kind in kinds
            )
        )
    if len(results) == 2:
        w, t = results["whoosh"], results["typesense"]
        print(
            f"typesense / whoosh: page p95 ×{t['page_p95'] / w['page_p95']:.2f}, "
            f"page p50 ×{t['page_p50'] / w['page_p50']:.2f}, api p95 ×{t['api_p95'] / w['api_p95']:.2f}"
        )
    sys.stdout.flush()


def compare(whoosh: dict, typesense: dict) -> None:
    same_total = same_facets = faceted = same_order = dated = 0
    for a, b in zip(whoosh["answers"], typesense["answers"], strict=True):
        same_total += a["total"] == b["total"]
        if a["total"] != b["total"]:
            print(f"different totals: {a['q']}: whoosh {a['total']}, typesense {b['total']}")
        if a["facets"] or b["facets"]:
            faceted += 1
            same_facets += a["facets"] == b["facets"]
        if a["ids"] or b["ids"]:
            dated += 1
            same_order += len(a["ids"]) == len(b["ids"])
    n = len(whoosh["answers"])
    print(
        f"identical totals {same_total}/{n}, identical facet counts {same_facets}/{faceted}, "
        f"same page length on date-sorted queries {same_order}/{dated}"
    )


if __name__ == "__main__":
    main()
