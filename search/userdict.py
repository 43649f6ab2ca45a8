"""Build the segmenter's user dictionary from gazetteer names, so 东浦街道 or 迪荡 stay one word.

Pure functions over names: the Place table (``Place.objects.values_list("name", "level")``) or the
shipped division CSVs (:func:`gazetteer_names`) can feed them, so tests need no database.
"""

from __future__ import annotations

import csv
import io
import lzma
from collections.abc import Iterable, Iterator
from pathlib import Path

from archive.place_names import PSEUDO_NAMES, STOPLIST, short_forms

DIVISIONS = Path(__file__).resolve().parent.parent / "archive" / "data" / "divisions"

# (file, Place.level); villages are left out: their names are mostly 村/社区 phrases that jieba's
# HMM already keeps together, and there are ~600k of them.
CSV_LEVELS = (("provinces", "province"), ("cities", "city"), ("areas", "district"), ("streets", "street"))

# Levels whose suffix rules are tried for a name given without its level.
_GUESS_LEVELS = ("province", "city", "district", "street")


def gazetteer_names(directory: Path = DIVISIONS) -> Iterator[tuple[str, str]]:
    """Yield ``(name, level)`` for every province, city, district and street in the shipped CSVs."""
    for stem, level in CSV_LEVELS:
        with lzma.open(directory / f"{stem}.csv.xz", "rb") as raw:
            for row in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")):
                yield row["name"], level


def user_dict_words(names: Iterable[str | tuple[str, str]]) -> list[str]:
    """Return the words to add to the segmenter: each name and its short forms, none of one character.

    An item is a name or a ``(name, level)`` pair; a bare name gets the short forms of every level's
    suffix rules, which for real gazetteer names is what its own level gives (the suffix sets hardly overlap).
    """
    words: dict[str, None] = {}  # a dict keeps first-seen order, so the result is deterministic
    for item in names:
        name, level = (item, None) if isinstance(item, str) else item
        name = name.strip()
        if not name or name in PSEUDO_NAMES:
            continue
        forms = [name]
        for lvl in (level,) if level else _GUESS_LEVELS:
            forms.extend(short_forms(name, lvl))
        for form in forms:
            # Stoplisted forms (发展, 城区 …) are ordinary words already in jieba's dictionary; raising
            # their frequency would only pull neighbouring characters into them.
            if len(form) >= 2 and form not in STOPLIST:
                words[form] = None
    return list(words)


def write_user_dict(path: Path, words: Iterable[str]) -> int:
    """Write ``words`` in jieba's user-dictionary format (one word a line, no frequency); return the count.

    Without a frequency jieba (and rjieba's ``add_word``) computes the smallest one that keeps the
    word whole, so a place name never outranks a real word more than it has to.
    """
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for word in words:
            out.write(word + "\n")
            count += 1
    return count
