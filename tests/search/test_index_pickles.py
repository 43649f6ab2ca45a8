"""The index files pickle a few of the project's classes: their module paths are pinned here.

Whoosh stores the schema (with our analyzers and posting format) in the index's TOC and our
posting blocks' values as pickles, so renaming or moving any class listed below makes every
existing index unreadable. The README (*Search: moving a pickled class*) says what to do
instead: keep the old name importable, or rebuild the index.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.search.helpers import result

PINNED = {
    ("search.analysis", "ChineseTokenizer"),
    ("search.analysis", "NgramTokenizer"),
    ("search.formats", "NgramPositions"),
    ("search.formats", "PackedValues"),
}

# Pickle protocol 2+ (SHORT_BINUNICODE module, name + STACK_GLOBAL) and protocol 0/1 (GLOBAL "module\nname\n").
_STACK_GLOBAL = re.compile(
    rb"\x8c(?P<n>.)(?P<module>(?:search|archive|config)\.[\w.]+)\x94?\x8c(?P<m>.)(?P<name>\w+)", re.S
)
_GLOBAL = re.compile(rb"c(?P<module>(?:search|archive|config)\.[\w.]+)\n(?P<name>\w+)\n")


def _project_classes(folder: Path) -> set[tuple[str, str]]:
    found = set()
    for path in folder.iterdir():
        data = path.read_bytes()
        for match in _STACK_GLOBAL.finditer(data):
            module, name = match["module"], match["name"]
            if match["n"][0] == len(module) and match["m"][0] == len(name):
                found.add((module.decode(), name.decode()))
        for match in _GLOBAL.finditer(data):
            found.add((match["module"].decode(), match["name"].decode()))
    return found


def test_index_files_name_only_the_pinned_project_classes(corpus, search_backend):
    assert result("街道", limit=0).total  # the index was written and reads
    found = _project_classes(Path(search_backend.path))
    assert found == PINNED, f"new pickled project classes {found - PINNED}: pin them and see the README"


def test_every_pinned_class_is_importable_under_its_pinned_path():
    import importlib

    for module, name in PINNED:
        assert hasattr(importlib.import_module(module), name), (module, name)
