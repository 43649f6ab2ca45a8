"""Benchmark Chinese analysis for Whoosh: jieba vs rjieba segmentation, and indexing speed/size.

    python bench/analysis.py --docs 2000

Bodies are synthetic crawl records (archive.ingest.synthetic) without the seed's page residue,
i.e. what an article body looks like after ingest.  Prints, in one run:
  * segmentation — for jieba and rjieba: load time (import + main dictionary + every gazetteer
    name and short form as user words), then default-mode and search-mode cut of all bodies;
  * indexing — docs/s and index size for this project's two fields (words + n-grams, each
    segmenter) against a plain baseline: jieba.analyse.ChineseAnalyzer on one field.
Each case runs in a fresh process so no library's import or dictionary is already warm.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def bodies(count: int) -> list[str]:
    from archive.ingest.synthetic import _seed_parts, generate_dump_records

    _, residue = _seed_parts()
    return [ast.literal_eval(r[len("text:") :]).removesuffix(residue) for r in generate_dump_records(count)]


def dir_size(path: str) -> int:
    return sum(f.stat().st_size for f in Path(path).iterdir())


def seg_case(backend: str, texts: list[str]) -> dict:
    from search.userdict import gazetteer_names, user_dict_words

    started = time.perf_counter()
    words = user_dict_words(gazetteer_names())
    names_s = time.perf_counter() - started
    started = time.perf_counter()
    if backend == "jieba":
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        seg = jieba.Tokenizer()
        seg.initialize()
        for w in words:
            seg.add_word(w)

        def cut(t):
            return seg.lcut(t)

        def search(t):
            return seg.lcut_for_search(t)
    else:
        import rjieba

        seg = rjieba.Jieba()
        seg.cut("预热")  # rjieba loads its dictionary lazily; make it part of the load time
        for w in words:
            seg.add_word(w, None, None)
        cut, search = seg.cut, seg.cut_for_search
    load_s = time.perf_counter() - started
    chars = sum(map(len, texts))
    out = {"user_words": len(words), "names_s": names_s, "load_s": load_s, "chars": chars}
    for label, fn in (("cut", cut), ("search", search)):
        started = time.perf_counter()
        tokens = sum(len(fn(t)) for t in texts)
        out[f"{label}_s"] = time.perf_counter() - started
        out[f"{label}_tokens"] = tokens
    sample = "东浦街道迪荡新城，北海街道党工委，越城区搭好五星台"
    out["sample"] = "/".join(cut(sample))
    return out


def index_case(mode: str, texts: list[str]) -> dict:
    from whoosh import index
    from whoosh.fields import ID, TEXT, Schema

    started = time.perf_counter()
    if mode == "baseline":
        import logging

        import jieba
        from jieba.analyse import ChineseAnalyzer as JiebaAnalyzer

        jieba.setLogLevel(logging.WARNING)
        schema = Schema(id=ID(stored=True, unique=True), text=TEXT(analyzer=JiebaAnalyzer()))
        jieba.initialize()
    else:
        from search import analysis

        backend = mode.split("-")[1]
        analysis.set_segmenter(
            analysis.Segmenter(
                backend,
                __import__("search.userdict").userdict.user_dict_words(
                    __import__("search.userdict").userdict.gazetteer_names()
                ),
            )
        )
        fields = {"words": TEXT(analyzer=analysis.ChineseAnalyzer())}
        if mode.startswith("ngrams"):
            fields["ngrams"] = TEXT(analyzer=analysis.NgramAnalyzer(), phrase=True)
        schema = Schema(id=ID(stored=True, unique=True), **fields)
    setup_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        ix = index.create_in(tmp, schema)
        started = time.perf_counter()
        writer = ix.writer(limitmb=256)
        for i, text in enumerate(texts):
            fields = {name: text for name in schema.names() if name != "id"}
            writer.add_document(id=str(i), **fields)
        writer.commit()
        index_s = time.perf_counter() - started
        size = dir_size(tmp)
    return {"setup_s": setup_s, "index_s": index_s, "docs_per_s": len(texts) / index_s, "size_mb": size / 1e6}


def run_child(kind: str, mode: str, docs: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, mode, "--docs", str(docs)],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, mode = args.child
        texts = bodies(args.docs)
        result = seg_case(mode, texts) if kind == "seg" else index_case(mode, texts)
        print(json.dumps(result, ensure_ascii=False))
        return
    os.environ.setdefault("PYTHONHASHSEED", "0")
    print(f"segmentation of {args.docs} synthetic bodies (fresh process each; jieba's dictionary cache is warm)")
    for backend in ("jieba", "rjieba"):
        r = run_child("seg", backend, args.docs)
        print(
            f"  {backend:7s} load {r['load_s']:.2f}s (+{r['user_words']} user words; reading CSVs {r['names_s']:.2f}s)"
            f"  cut {r['cut_s']:.2f}s = {r['chars'] / r['cut_s'] / 1e6:.2f} Mchar/s"
            f"  cut_for_search {r['search_s']:.2f}s  load+cut {r['load_s'] + r['cut_s']:.2f}s"
            f"  tokens {r['cut_tokens']}/{r['search_tokens']}"
        )
        print(f"          {r['sample']}")
    print(f"indexing {args.docs} docs into Whoosh (one writer, limitmb=256)")
    for mode, label in (
        ("baseline", "baseline: jieba.analyse.ChineseAnalyzer, one field"),
        ("words-jieba", "words field only, jieba"),
        ("words-rjieba", "words field only, rjieba"),
        ("ngrams-jieba", "words + n-gram fields, jieba"),
        ("ngrams-rjieba", "words + n-gram fields, rjieba"),
    ):
        r = run_child("index", mode, args.docs)
        print(
            f"  {label:45s} setup {r['setup_s']:.2f}s  index {r['index_s']:.1f}s"
            f"  {r['docs_per_s']:.0f} docs/s  size {r['size_mb']:.1f} MB"
        )


if __name__ == "__main__":
    main()
