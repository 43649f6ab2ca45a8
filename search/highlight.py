"""Snippets with the query's terms marked: the text escaped, each match wrapped in ``<mark>``.

Matching is on folded text (full-width ASCII and case folded, the way the index folds it), so
ＡＢＣ in a query marks abc in the text; offsets are the original text's, since folding keeps
the length. A term with spaces or punctuation marks each of its chunks, as the index matches them.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from search.analysis import chunks as _chunks
from search.analysis import fold
from search.engine.base import highlight_spans

_SPACE = re.compile(r"\s+")


def chunks(terms) -> list[str]:
    """The letter/digit runs of ``terms``, folded, longest first, without repeats."""
    found = {run for term in terms for run in _chunks(term)}
    return sorted(found, key=lambda r: (-len(r), r))


def mark(text: str, terms) -> SafeString:
    """The whole of ``text``, escaped, with every occurrence of the terms in ``<mark>``."""
    spans = highlight_spans(text, chunks(terms))
    out, pos = [], 0
    for start, end in spans:
        out.append(escape(text[pos:start]))
        out.append("<mark>" + escape(text[start:end]) + "</mark>")
        pos = end
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))


def snippet(text: str, terms, width: int = 120) -> SafeString:
    """A window of about ``width`` characters of ``text`` around the most terms, marked and escaped."""
    text = _SPACE.sub(" ", text or "").strip()
    if not text:
        return mark_safe("")
    spans = highlight_spans(text, chunks(terms))
    if not spans or len(text) <= width:
        start = 0
    else:
        # The window holding the most distinct terms, then the earliest.
        best, best_score = 0, -1
        for first, _ in spans:
            begin = max(0, first - width // 4)
            inside = {fold(text[s:e]) for s, e in spans if s >= begin and e <= begin + width}
            if len(inside) > best_score:
                best, best_score = begin, len(inside)
        start = best
    end = min(len(text), start + width)
    if end - start < width:
        start = max(0, end - width)
    piece = text[start:end]
    html = mark(piece, terms)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + html + suffix)
