"""Benchmark residue removal: a WeChat page as a text dump against the same page as HTML.

    python bench/residue.py

For the 2020 sample in tests/data and each real WeChat page in ../shared/data/wechat (when it is
there), the page's text is made into a dump the way a crawler makes one (the text of the whole
page body, scripts dropped; the sample ships its dump), cleaned as a dump, and compared with the
body cleaned from the HTML page: the residue left (character bigrams of the dump body beyond the
page body's, about one per character of residue) and the bag-of-character-bigram F1 between the two bodies (the score of
../shared/README.md). A dump that cleans to the page's body is recognised as the same article.
"""

from __future__ import annotations

import os
import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from lxml import html as lxml_html  # noqa: E402

from archive.ingest.dump import parse_dump_text  # noqa: E402
from archive.ingest.parse import parse_record  # noqa: E402
from archive.ingest.records import iter_records  # noqa: E402

SAMPLE = REPO / "tests" / "data" / "yuechengfabu_2020-07-15"
SHARED_PAGES = REPO.parent / "shared" / "data" / "wechat"


def bigrams(text: str) -> Counter:
    kept = "".join(re.findall(r"\w", text))
    return Counter(kept[i : i + 2] for i in range(len(kept) - 1))


def f1(a: str, b: str) -> float:
    left, right = bigrams(a), bigrams(b)
    overlap = sum((left & right).values())
    return 2 * overlap / (sum(left.values()) + sum(right.values())) if overlap else 0.0


def page_as_dump_text(path: Path) -> str:
    root = lxml_html.fromstring(path.read_bytes())
    for element in root.xpath("//script|//style"):
        element.drop_tree()
    return "\n".join(line.strip() for line in root.text_content().split("\n") if line.strip())


def parsed(path: Path):
    return parse_record(next(iter_records(path, max_record_bytes=1 << 24)))


def main() -> None:
    cases = [("2020 sample (tests/data)", parsed(SAMPLE.with_suffix(".dump.txt")), parsed(SAMPLE.with_suffix(".html")))]
    for path in sorted(SHARED_PAGES.glob("*.html")) if SHARED_PAGES.is_dir() else []:
        try:
            page = parsed(path)
        except Exception:  # noqa: BLE001 - a notice page (deleted article) has no body to compare
            continue
        if page.body:
            cases.append((path.name, parse_dump_text(page_as_dump_text(path)), page))
    print(f"{'page':<36} {'dump body':>9} {'page body':>9} {'residue':>7} {'F1':>6}")
    for name, dump, page in cases:
        residue = sum((bigrams(dump.body) - bigrams(page.body)).values())
        print(f"{name:<36} {len(dump.body):>9} {len(page.body):>9} {residue:>7} {f1(dump.body, page.body):>6.3f}")
        left = [p for p in dump.body.split("\n\n") if p not in page.body and len(p) <= 40]
        if left:
            print(f"{'':<36} short lines left: {left}")


if __name__ == "__main__":
    main()
