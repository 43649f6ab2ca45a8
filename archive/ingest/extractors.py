"""The one door to the off-the-shelf main-text extractors (trafilatura, readability-lxml).

Each function takes a page's HTML text and returns the paragraphs its extractor takes for the
article, normalised like the archive's own (``htmltext.paragraphs``); an extractor that finds
nothing, or fails on the page, gives ``[]``: it is one candidate among several, never the only
word.  The versions these calls were written for are checked on import (the libraries themselves
are imported on first use), so an upgrade that may change their behaviour is noticed here and
nowhere else.
"""

from __future__ import annotations

import functools
import logging
from importlib.metadata import version

from lxml import etree
from lxml import html as lxml_html

from .htmltext import paragraphs
from .text import normalize_line

# The release series each library's calls below were written (and measured) for.
WRITTEN_FOR = {"trafilatura": "2.3", "readability-lxml": "0.9"}


def _check_versions() -> None:
    for name, series in WRITTEN_FOR.items():
        installed = version(name)
        if installed != series and not installed.startswith(series + "."):
            raise ImportError(
                f"archive.ingest.extractors was written for {name} {series}.x, but {installed} is installed: "
                "check the calls in this module against its changes and update WRITTEN_FOR."
            )


_check_versions()


@functools.cache
def _trafilatura():
    """Import trafilatura on first use: it takes half a second, which only parsing a page needs."""
    import trafilatura

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # it logs each page it gives up on
    return trafilatura


@functools.cache
def _readability_document():
    from readability import Document

    logging.getLogger("readability").setLevel(logging.CRITICAL)
    logging.getLogger("readability.readability").setLevel(logging.CRITICAL)
    return Document


TRAFILATURA_VARIANTS = ("recall", "precision")


def trafilatura_paragraphs(page: str, *, variant: str = "recall") -> list[str]:
    """Return trafilatura's article paragraphs (``variant``: favour recall or precision), comments left out.

    Its own fallback extractors are skipped (``fast``): readability is a candidate of its own.
    """
    if variant not in TRAFILATURA_VARIANTS:
        raise ValueError(f"unknown trafilatura variant {variant!r}")
    try:
        text = _trafilatura().extract(
            page,
            include_comments=False,
            include_tables=True,
            favor_recall=variant == "recall",
            favor_precision=variant == "precision",
            deduplicate=False,
            fast=True,
        )
    except Exception:  # noqa: BLE001 (a library failing on one page must not fail the ingest)
        return []
    return [line for line in (normalize_line(part) for part in (text or "").splitlines()) if line]


def readability_paragraphs(page: str) -> list[str]:
    """Return readability-lxml's article paragraphs."""
    try:
        summary = _readability_document()(page).summary(html_partial=True)
    except Exception:  # noqa: BLE001
        return []
    if not summary or not summary.strip():
        return []
    try:
        tree = lxml_html.fragment_fromstring(summary, create_parent="div")
    except (etree.ParserError, ValueError, AssertionError):  # lxml asserts on a summary without a body
        return []
    return paragraphs(tree)
