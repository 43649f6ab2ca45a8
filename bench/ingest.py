"""Benchmark the ingest pipeline: records/s and peak memory, beside a plain baseline.

    python bench/ingest.py --records 2000 --records 20000

For each N it generates N realistic crawl-dump records (archive.ingest.synthetic), then, each in
a fresh process pinned to one core with a fresh SQLite database under a temporary DATA_DIR:
  * pipeline — ``ingest_paths`` (read, clean, extract, geotag, dedupe, store; no search indexing)
  * baseline — the plain way: read each line and save it as an article with one ORM
    ``create`` in autocommit mode, no cleaning, no geotagging, no dedupe.
Peak memory is the child process's maximum resident set size; it should stay flat as N grows.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def child(mode: str, path: str) -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from archive import geotag

    setup_started = time.perf_counter()
    geotag.geotag("绍兴市越城区")  # build the gazetteer automaton outside the timed part
    setup = time.perf_counter() - setup_started

    started = time.perf_counter()
    if mode == "pipeline":
        from archive.ingest.pipeline import ingest_paths

        summary = ingest_paths([path], index=False)
        records, stored = summary.records, summary.stored + summary.duplicates
    else:
        from django.db import reset_queries

        from archive.models import Article

        records = stored = 0
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                records += 1
                digest = hashlib.sha256(line.encode()).hexdigest()
                Article.objects.create(
                    title=line[:80], raw=line, raw_format="dump", raw_hash=digest, content_hash=digest
                )
                stored += 1
                if stored % 200 == 0:
                    reset_queries()  # as the pipeline does: DEBUG keeps every query's SQL otherwise
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"records": records, "stored": stored, "seconds": seconds, "setup": setup, "peak_mb": peak_mb}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, action="append", help="N records (repeatable); default 2000 and 20000")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    from archive.ingest.synthetic import generate_dump_records

    sizes = args.records or [2000, 20000]
    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    try:
        template = work / "template"
        env = {**os.environ, "DATA_DIR": str(template), "DJANGO_SETTINGS_MODULE": "config.settings"}
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=REPO, env=env, check=True)
        print(f"{'records':>8} {'mode':<9} {'seconds':>8} {'records/s':>10} {'peak MB':>8} {'setup s':>8}")
        for n in sizes:
            data = work / f"records-{n}.txt"
            with data.open("w", encoding="utf-8") as out:
                for line in generate_dump_records(n):
                    out.write(line + "\n")
            for mode in ("baseline", "pipeline"):
                data_dir = work / f"{mode}-{n}"
                shutil.copytree(template, data_dir)
                result = subprocess.run(
                    [sys.executable, __file__, "--child", mode, str(data)],
                    cwd=REPO,
                    env={**env, "DATA_DIR": str(data_dir)},
                    check=True,
                    capture_output=True,
                    text=True,
                )
                r = json.loads(result.stdout.strip().splitlines()[-1])
                print(
                    f"{n:>8} {mode:<9} {r['seconds']:>8.2f} {r['records'] / r['seconds']:>10.0f} "
                    f"{r['peak_mb']:>8.0f} {r['setup']:>8.2f}",
                    flush=True,
                )
                shutil.rmtree(data_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
