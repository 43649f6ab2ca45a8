"""Benchmark send_alerts: many saved searches run after an ingest, beside a plain baseline.

    python bench/alerts.py [--searches 1000] [--articles 2000] [--base 2000]

In a fresh temporary DATA_DIR (``manage.py migrate``, which loads the gazetteer; tasks run at once,
so ingest indexes as it stores):
  * ``--base`` synthetic crawl records are ingested (the archive before);
  * ``--searches`` saved searches are made for 100 staff readers: topic words, places (districts
    and streets as filters), sources, two words, an OR, a phrase, a filter without a query;
  * ``--articles`` new records are ingested (what the alerts are about);
  * ours — ``run_due(everything=True)`` (what ``send_alerts --now`` runs), Django's in-memory
    email backend: the whole run's time, each saved search's time, the database queries and the
    engine searches per saved search, messages and articles sent;
  * baseline — the plain way, for the same saved searches: the articles made public since each
    saved search was made, from the database, checked in Python (every word of the query in the
    title or body, the place among the article's places, the source); time only, and how often
    its article set agrees with ours (same articles, before the digest's cap of 50).

Goal: the whole run in under a minute on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
GOAL_SECONDS = 60.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def setup(data_dir: str) -> None:
    os.environ.update(
        DATA_DIR=data_dir,
        DJANGO_SETTINGS_MODULE="config.settings",
        TASKS_BACKEND="immediate",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        GAZETTEER_VILLAGES=os.environ.get("GAZETTEER_VILLAGES", "33"),
    )
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("WHOOSH_PATH", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=REPO, env=os.environ, check=True)
    import django

    django.setup()


def ingest(records: list[str], folder: Path, name: str):
    from archive.ingest.pipeline import ingest_paths

    path = folder / name
    path.write_text("\n".join(records) + "\n", encoding="utf-8")
    started = time.perf_counter()
    summary = ingest_paths([path])
    log(f"ingested {summary.stored} of {len(records)} records from {name} in {time.perf_counter() - started:.1f} s")
    return summary


def saved_search_queries(count: int, rng: random.Random) -> list[str]:
    """Query strings of saved searches, as the search page would save them."""
    from django.utils.http import urlencode

    from archive.ingest.synthetic import TOPICS
    from archive.models import Place, Source

    districts = list(
        Place.objects.filter(level="district", articles__isnull=False).distinct().values_list("name", flat=True)
    )
    streets = list(
        Place.objects.filter(level="street", articles__isnull=False).distinct().values_list("name", flat=True)
    )
    sources = list(Source.objects.values_list("name", flat=True))
    kinds = [
        lambda: {"q": rng.choice(TOPICS)},
        lambda: {"q": rng.choice(TOPICS), "district": rng.choice(districts)},
        lambda: {"q": rng.choice(TOPICS), "street": rng.choice(streets)},
        lambda: {"street": rng.choice(streets)},
        lambda: {"source": rng.choice(sources)},
        lambda: {"q": f"{rng.choice(TOPICS)} {rng.choice(TOPICS)}"},
        lambda: {"q": f"{rng.choice(TOPICS)} OR {rng.choice(TOPICS)}", "district": rng.choice(districts)},
        lambda: {"q": f'"{rng.choice(TOPICS)}"', "source": rng.choice(sources)},
        lambda: {"q": rng.choice(streets)},
    ]
    return [urlencode(rng.choice(kinds)()) for _ in range(count)]


def make_saved_searches(queries: list[str]):
    from django.contrib.auth import get_user_model

    from alerts.models import SavedSearch

    User = get_user_model()
    users = User.objects.bulk_create(User(username=f"reader{i}", email=f"reader{i}@example.org") for i in range(100))
    return SavedSearch.objects.bulk_create(
        SavedSearch(owner=users[i % len(users)], name=f"检索 {i}", query=q, frequency="ingest")
        for i, q in enumerate(queries)
    )


class EngineCounter:
    """Counts the engine's searches (the real engine answers each one)."""

    def __init__(self):
        from search.backends import current_engine

        self.engine = current_engine()
        self.calls = 0
        self._search = self.engine.search

        def counted(request):
            self.calls += 1
            return self._search(request)

        self.engine.search = counted

    def restore(self):
        self.engine.search = self._search


class QueryCounter:
    """Counts the database queries run inside it (Django's execute wrapper; CaptureQueriesContext
    keeps at most 9,000)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        from django.db import connection

        self._wrapped = connection.execute_wrapper(self)
        self._wrapped.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapped.__exit__(*exc)


def run_ours(searches):
    from django.core import mail
    from django.utils import timezone

    from alerts.services import run_due, run_saved_search

    mail.outbox = []
    counter = EngineCounter()
    per_search_ms, queries = [], []
    with QueryCounter() as captured:
        started = time.perf_counter()
        outcomes = run_due(now=timezone.now(), everything=True)
        total = time.perf_counter() - started
    engine_calls = counter.calls
    counter.restore()
    messages = len(mail.outbox)
    # Each saved search alone again, for its own time and query count (a second run: it sends
    # only what the first left beyond the digest's cap).
    for saved in searches[:200]:
        with QueryCounter() as one:
            t = time.perf_counter()
            run_saved_search(saved_search=saved, now=timezone.now())
            per_search_ms.append((time.perf_counter() - t) * 1000)
        queries.append(one.count)
    return {
        "seconds": total,
        "searches": len(outcomes),
        "messages": messages,
        "articles": sum(o.sent for o in outcomes),
        "errors": sum(1 for o in outcomes if o.error),
        "first_error": next((o.error for o in outcomes if o.error), ""),
        "db_queries_per_search": captured.count / max(1, len(outcomes)),
        "engine_searches_per_search": engine_calls / max(1, len(outcomes)),
        "rerun_ms_median": statistics.median(per_search_ms),
        "rerun_queries_median": statistics.median(queries),
    }


def baseline(searches) -> tuple[float, dict[int, set[int]]]:
    """The plain way: each saved search's new articles from the database, matched in Python."""
    from alerts.services import search_params
    from archive.models import Article

    found: dict[int, set[int]] = {}
    started = time.perf_counter()
    for saved in searches:
        params = search_params(saved)
        words = [w.strip('"') for w in (params["q"] or "").split() if w != "OR"]
        anyof = " OR " in (params["q"] or "")
        articles = Article.objects.public().filter(made_public_at__gte=saved.created_at).select_related("source")
        hits = set()
        for article in articles.prefetch_related("places"):
            text = f"{article.title}\n{article.body}"
            if words and not (any if anyof else all)(w in text for w in words):
                continue
            codes = {p.code for p in article.places.all()}
            containing = {c for p in article.places.all() for c in p.containing_codes().values()}
            wanted = [p.code for p in (params.get("district") or []) + (params.get("street") or [])]
            if wanted and not (set(wanted) & (codes | containing)):
                continue
            if params.get("source") and (article.source is None or article.source.name != params["source"]):
                continue
            hits.add(article.pk)
        found[saved.pk] = hits
    return time.perf_counter() - started, found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--searches", type=int, default=1000)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--base", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument("--no-baseline", action="store_true", help="skip the baseline (it takes minutes)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-alerts-") as data_dir:
        setup(data_dir)
        from archive.ingest.synthetic import generate_dump_records

        folder = Path(data_dir)
        ingest(list(generate_dump_records(args.base, seed=args.seed)), folder, "base.txt")
        rng = random.Random(args.seed)
        searches = make_saved_searches(saved_search_queries(args.searches, rng))
        ingest(list(generate_dump_records(args.articles, seed=args.seed + 1)), folder, "new.txt")

        base_seconds, base_found = (0.0, {s.pk: set() for s in searches}) if args.no_baseline else baseline(searches)
        ours = run_ours(searches)

        from alerts.models import Delivery

        sent: dict[int, set[int]] = {}
        for search_id, article_id in Delivery.objects.values_list("saved_search_id", "article_id"):
            sent.setdefault(search_id, set()).add(article_id)
        comparable = [s.pk for s in searches if len(base_found[s.pk]) <= 50]  # below the digest's cap
        agree = sum(1 for pk in comparable if sent.get(pk, set()) == base_found[pk])

        print(f"send_alerts over {ours['searches']} saved searches after ingesting {args.articles} articles")
        print(f"  (archive of {args.base} before; digest cap 50 articles)")
        print(f"{'':34}{'ours (engine)':>16}{'baseline (Python scan)':>26}")
        print(f"{'whole run, s':34}{ours['seconds']:>16.1f}{base_seconds:>26.1f}")
        per = ours["seconds"] * 1000 / max(1, ours["searches"])
        per_base = base_seconds * 1000 / max(1, len(searches))
        print(f"{'per saved search, ms (mean)':34}{per:>16.1f}{per_base:>26.1f}")
        print(f"{'ratio baseline / ours':34}{base_seconds / max(ours['seconds'], 1e-9):>16.1f}x")
        print(f"{'DB queries per saved search':34}{ours['db_queries_per_search']:>16.1f}")
        print(f"{'engine searches per saved search':34}{ours['engine_searches_per_search']:>16.2f}")
        print(f"{'messages sent':34}{ours['messages']:>16}")
        print(f"{'articles sent':34}{ours['articles']:>16}")
        print(f"{'failed':34}{ours['errors']:>16}")
        if ours["first_error"]:
            print(f"  first failure: {ours['first_error']}")
        print(f"{'a second run, ms median':34}{ours['rerun_ms_median']:>16.1f}")
        print(f"{'a second run, DB queries median':34}{ours['rerun_queries_median']:>16.0f}")
        print(f"{'same articles as the baseline':34}{agree:>10} / {len(comparable)}")
        verdict = "met" if ours["seconds"] < GOAL_SECONDS else "NOT met"
        print(f"goal: the whole run under {GOAL_SECONDS:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
