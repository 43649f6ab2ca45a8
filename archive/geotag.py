"""Find the places an article mentions, using the gazetteer (the Place table).

Public functions: ``geotag(text, *, home_place=None) -> dict[str, int]`` (place code → mention
count) and ``infer_home_place(source_name) -> str | None`` (a place code).
"""

from __future__ import annotations


def geotag(text: str, *, home_place: str | None = None) -> dict[str, int]:
    """Return {place code: mentions} for every place the text names, unambiguously."""
    raise NotImplementedError


def infer_home_place(source_name: str) -> str | None:
    """Return the code of the place an account's name points at (越城组工 → 330602), if any."""
    raise NotImplementedError
