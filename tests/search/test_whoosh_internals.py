"""Tests for search.whoosh_internals: the app refuses a Whoosh it was not written for, and no other
module of the search package uses a private Whoosh name."""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

import pytest
import whoosh
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from search.whoosh_internals import WRITTEN_FOR, check_version


def test_the_installed_whoosh_is_the_one_written_for():
    assert tuple(whoosh.__version__)[:3] == WRITTEN_FOR
    check_version()


@pytest.mark.parametrize("version", [(2, 7, 5), (2, 8, 0), (3, 0, 0), (2, 7)])
def test_another_version_stops_start_up_with_a_clear_message(version):
    with pytest.raises(ImproperlyConfigured, match=r"written for Whoosh 2\.7\.4.*Whoosh==2\.7\.4"):
        check_version(version)


def test_start_up_runs_the_check(monkeypatch):
    monkeypatch.setattr(whoosh, "__version__", (2, 8, 0))
    with pytest.raises(ImproperlyConfigured, match="Whoosh 2.8.0 is installed"):
        apps.get_app_config("search").ready()


# -- the boundary: no other module of the package uses a private Whoosh name ----------------------

SEARCH = Path(__file__).resolve().parents[2] / "search"


def _whoosh_private_names() -> set[str]:
    """Every private name Whoosh defines: functions, methods, classes, module names and attributes."""
    names = set()
    for path in Path(whoosh.__file__).parent.rglob("*.py"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)  # old escapes in Whoosh's docstrings
            warnings.simplefilter("ignore", DeprecationWarning)
            tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
    return {name for name in names if name.startswith("_") and not name.endswith("__")}


WHOOSH_PRIVATE = _whoosh_private_names()


def private_whoosh_uses(source: str) -> list[str]:
    """The private Whoosh names a module's source uses: imported from whoosh, read off another object,
    or used on ``self`` in a class that extends a Whoosh class."""
    tree = ast.parse(source)
    from_whoosh = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "whoosh":
            for alias in node.names:
                from_whoosh.add(alias.asname or alias.name)
                if alias.name in WHOOSH_PRIVATE:
                    found.append(f"line {node.lineno}: imports {alias.name}")
    whoosh_classes = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        and any(
            (isinstance(b, ast.Name) and b.id in from_whoosh)
            or (isinstance(b, ast.Attribute) and isinstance(b.value, ast.Name) and b.value.id in from_whoosh)
            for b in node.bases
        )
    ]
    inside = {id(n) for cls in whoosh_classes for n in ast.walk(cls)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or node.attr not in WHOOSH_PRIVATE:
            continue
        on_self = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
        if not on_self or id(node) in inside:
            found.append(f"line {node.lineno}: .{node.attr}")
    for cls in whoosh_classes:
        for item in cls.body:
            if isinstance(item, ast.FunctionDef) and item.name in WHOOSH_PRIVATE:
                found.append(f"line {item.lineno}: overrides {cls.name}.{item.name}")
    return found


def test_the_check_sees_private_uses():
    assert private_whoosh_uses("from whoosh.codec.whoosh3 import _lenfield") == ["line 1: imports _lenfield"]
    assert sorted(private_whoosh_uses("def f(reader):\n    return reader._terms._postfile\n")) == [
        "line 2: ._postfile",
        "line 2: ._terms",
    ]
    subclass = (
        "from whoosh.writing import SegmentWriter\n"
        "class W(SegmentWriter):\n"
        "    def _flush_segment(self):\n"
        "        self._check_state()\n"
    )
    assert sorted(private_whoosh_uses(subclass)) == ["line 3: overrides W._flush_segment", "line 4: ._check_state"]
    assert private_whoosh_uses("class A:\n    def f(self):\n        return self._local\n") == []


@pytest.mark.parametrize(
    "path",
    sorted(str(p.relative_to(SEARCH)) for p in SEARCH.rglob("*.py") if p.name != "whoosh_internals.py"),
)
def test_only_whoosh_internals_uses_whooshs_private_names(path):
    assert private_whoosh_uses((SEARCH / path).read_text(encoding="utf-8")) == []


def _anon_kb() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("RssAnon"))


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_opening_a_reader_does_not_copy_the_segment_files(tmp_path):
    """Defect: Whoosh wrapped each mapped segment file in io.BytesIO, which copies it: at 1,000,000
    articles opening one searcher took 5.1 GB of private memory (and every writer's reader as
    much again). Now the files are read in place."""
    from whoosh import index
    from whoosh.fields import KEYWORD, Schema

    from search.whoosh_internals import map_segments_in_place

    map_segments_in_place()  # as the embedded engine does before it opens an index
    ix = index.create_in(tmp_path, Schema(tags=KEYWORD))
    writer = ix.writer()
    for doc in range(2):  # 2 × 8,000 terms of 2,000 characters: a 32 MB terms file
        writer.add_document(tags=" ".join(f"{doc}-{i}-" + "街" * 2000 for i in range(8000)))
    writer.commit()
    (segment,) = [p for p in tmp_path.iterdir() if p.suffix == ".seg"]  # one compound, mapped file
    assert segment.stat().st_size > 30_000_000
    before = _anon_kb()
    reader = ix.reader()
    try:
        assert reader.doc_frequency("tags", "1-7999-" + "街" * 2000) == 1 and reader.doc_count() == 2
        grown_mb = (_anon_kb() - before) / 1024
    finally:
        reader.close()
    assert grown_mb < 16, f"opening the reader took {grown_mb:.0f} MB of private memory"


def test_mapped_file_reads_as_a_file_does():
    import io
    import pickle

    from search.whoosh_internals import MappedFile

    long_line = "街道".encode() * 400 + b"\n"  # longer than the piece readline looks through at once
    data = pickle.dumps((1, "街道", 2.5), 2) + b"line one\nline two\n" + long_line + bytes(range(10))
    mapped, plain = MappedFile(memoryview(data)), io.BytesIO(data)
    for f in (mapped, plain):
        assert pickle.load(f) == (1, "街道", 2.5)
    assert mapped.tell() == plain.tell()
    assert mapped.readline() == plain.readline() == b"line one\n"
    assert list(mapped) == list(plain)
    for f in (mapped, plain):
        f.seek(-4, io.SEEK_END)
    assert mapped.read(2) == plain.read(2) and mapped.read() == plain.read() and mapped.read() == b""
    buffer = bytearray(3)
    mapped.seek(1)
    assert mapped.readinto(buffer) == 3 and bytes(buffer) == data[1:4]
