"""Benchmark main-text extraction: the archive beside readability-lxml, gne and trafilatura.

    python bench/extract.py [PAGES_DIR] [--repeat N]

PAGES_DIR (default ``../shared/data/extraction``) holds ``pages/<key>.html`` and
``references.json`` (``{key: {"url": …, "content": reference text}}``).

Each page goes through the archive as an ingest would: the file is read and sniffed by
``archive.ingest.records.iter_records`` and parsed by ``archive.ingest.parse.parse_record``; a
rejection there (or a page with no body) scores 0 and counts as rejected.  Each peer gets the
decoded page text with its default settings: ``readability.Document(html).summary()`` as text,
``gne.GeneralNewsExtractor().extract(html)["content"]`` and ``trafilatura.extract(html)``.

Score: bag-of-character-bigram F1 between the extracted text and the reference, over Han
characters, letters and digits only (whitespace and punctuation dropped; letters lower-cased),
averaged over pages.  Time: median milliseconds per page of the archive's parse (the fastest of
``--repeat`` runs per page).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEFAULT_PAGES = REPO.parent / "shared" / "data" / "extraction"
MAX_BYTES = 64 << 20


def bigrams(text: str) -> Counter[str]:
    """Return the bag of character bigrams of the text's Han characters, letters and digits."""
    kept = "".join(c for c in text.lower() if c.isalnum())
    return Counter(kept[i : i + 2] for i in range(len(kept) - 1))


def f1(extracted: str, reference: str) -> float:
    """Return the bigram-bag F1 of an extracted text against the reference (0 for no text)."""
    got, want = bigrams(extracted or ""), bigrams(reference)
    if not got or not want:
        return 0.0
    overlap = sum((got & want).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(got.values()), overlap / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def archive_extract(path: Path) -> tuple[str, str]:
    """Return (body, rejection reason or "") for the page as the archive ingests it."""
    from archive.ingest.parse import RecordRejected, parse_record
    from archive.ingest.records import Rejected, iter_records

    records = list(iter_records(path, max_record_bytes=MAX_BYTES))
    if len(records) != 1 or isinstance(records[0], Rejected):
        return "", getattr(records[0], "reason", "no_record") if records else "no_record"
    try:
        parsed = parse_record(records[0])
    except RecordRejected as exc:
        return "", exc.reason
    return parsed.body, "" if parsed.body else "no_body"


def _page_text(path: Path) -> str:
    from archive.ingest.records import iter_records

    (record,) = iter_records(path, max_record_bytes=MAX_BYTES)
    return getattr(record, "raw", "") or path.read_text("utf-8", "replace")


def _peers() -> dict[str, Callable[[str], str] | None]:
    peers: dict[str, Callable[[str], str] | None] = {}
    try:
        import lxml.html
        from readability import Document

        def readability_text(html: str) -> str:
            summary = Document(html).summary()
            return lxml.html.fromstring(summary).text_content() if summary.strip() else ""

        peers["readability"] = readability_text
    except ImportError:
        peers["readability"] = None
    try:
        from gne import GeneralNewsExtractor

        peers["gne"] = lambda html: GeneralNewsExtractor().extract(html).get("content", "")
    except ImportError:
        peers["gne"] = None
    try:
        import trafilatura

        peers["trafilatura"] = lambda html: trafilatura.extract(html) or ""
    except ImportError:
        peers["trafilatura"] = None
    return peers


def _safe(extract: Callable[[str], str], html: str) -> str:
    try:
        return extract(html) or ""
    except Exception:  # a peer that crashes on a page scores 0 there, like a page with no body
        return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages_dir", nargs="?", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--repeat", type=int, default=3, help="runs per page for the archive's time (fastest kept)")
    parser.add_argument("--no-peers", action="store_true", help="score the archive only")
    args = parser.parse_args(argv)

    import django

    sys.path.insert(0, str(REPO))
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()

    refs_path = args.pages_dir / "references.json"
    if not refs_path.exists():
        print(f"No references.json in {args.pages_dir}.", file=sys.stderr)
        return 2
    references = json.loads(refs_path.read_text("utf-8"))
    peers = {} if args.no_peers else _peers()
    for name, extract in peers.items():
        if extract is None:
            print(f"{name}: not installed, skipped")
    active = {name: extract for name, extract in peers.items() if extract is not None}

    names = ["archive", *active]
    scores: dict[str, list[float]] = {name: [] for name in names}
    millis: list[float] = []
    rejected: list[tuple[str, str]] = []
    print(f"{'page':<18}" + "".join(f"{name:>13}" for name in names))
    for key in sorted(references):
        path = args.pages_dir / "pages" / f"{key}.html"
        reference = references[key]["content"]
        best = float("inf")
        for _ in range(max(1, args.repeat)):
            start = time.perf_counter()
            body, reason = archive_extract(path)
            best = min(best, (time.perf_counter() - start) * 1000)
        millis.append(best)
        if reason:
            rejected.append((key, reason))
        row = {"archive": f1(body, reference)}
        if active:
            html = _page_text(path)
            for name, extract in active.items():
                row[name] = f1(_safe(extract, html), reference)
        for name in names:
            scores[name].append(row[name])
        flag = f"  rejected: {reason}" if reason else ""
        print(f"{key:<18}" + "".join(f"{row[name]:>13.3f}" for name in names) + flag)
    print(f"{'mean':<18}" + "".join(f"{statistics.fmean(scores[name]):>13.3f}" for name in names))
    print(f"pages: {len(references)}, rejected by the archive: {len(rejected)}")
    for key, reason in rejected:
        print(f"  {key}: {reason}")
    print(f"archive parse time: median {statistics.median(millis):.1f} ms per page, max {max(millis):.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
