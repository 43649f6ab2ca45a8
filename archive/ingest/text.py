"""Whitespace and paragraph helpers shared by every format's cleaner."""

from __future__ import annotations

import re

# Zero-width and control characters carry nothing a reader sees; they only break matching (and
# a NUL breaks some databases).
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\x00-\x08\x0e-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# A space after a full stop inside one line is a paragraph break the HTML-to-text pass lost
# (Chinese never puts a space after 。！？), e.g. "兼职？\xa0实则不然".
_LOST_BREAK = re.compile(r"([。！？][”’」』）)]?)\s+(?=\S)")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

# Keys for matching labels and UI strings regardless of half/full width and spacing.  (A regex,
# not str.translate: translate with a dict is slow on non-ASCII text.)
_KEY_WIDTH = {
    ":": "：",
    ",": "，",
    ";": "；",
    "!": "！",
    "?": "？",
    "(": "（",
    ")": "）",
    "[": "【",
    "]": "】",
    "|": "｜",
}
_KEY_DROP = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff\u00ad]+")
_KEY_PUNCT = re.compile(r"[:,;!?()\[\]|]")


def normalize_line(line: str) -> str:
    """Return one line with invisible characters removed and space runs collapsed to one space."""
    if not line.isprintable():  # cheap test: invisible characters and odd spaces are not printable
        line = _INVISIBLE.sub("", line)
    return " ".join(line.split())  # str.split() knows every Unicode space (\xa0, \u3000 ...)


def split_lines(text: str) -> list[str]:
    """Return the text's lines, normalised, without the empty ones."""
    # strip() first: dumps are mostly whitespace-only lines, and it is much cheaper than the regexes.
    lines = (normalize_line(line) for line in text.splitlines() if not line.isspace())
    return [line for line in lines if line]


def split_lost_breaks(line: str) -> list[str]:
    """Split a line where a sentence end is followed by space: those were paragraph breaks."""
    if "。" not in line and "！" not in line and "？" not in line:
        return [line]
    return [part.strip() for part in _LOST_BREAK.sub(r"\1\n", line).split("\n") if part.strip()]


def join_paragraphs(paragraphs: list[str]) -> str:
    """Join clean paragraphs with exactly one blank line between them."""
    return "\n\n".join(p for p in paragraphs if p)


def body_from_lines(lines: list[str], title: str = "") -> str:
    """Return the body: the lines without a leading repeat of the title, lost breaks restored."""
    title_key = match_key(title) if title else None
    start = 0
    while start < len(lines) and match_key(lines[start]) == title_key:
        start += 1
    return join_paragraphs([part for line in lines[start:] for part in split_lost_breaks(line)])


def match_key(line: str) -> str:
    """Return a line reduced for matching: no spaces, ASCII punctuation made full-width."""
    return _KEY_PUNCT.sub(_full_width, _KEY_DROP.sub("", line))


def _full_width(match: re.Match[str]) -> str:
    return _KEY_WIDTH[match.group()]


def fix_surrogates(text: str) -> str:
    """Join escaped surrogate pairs (\\ud83d\\ude00 in a dump) into their character; replace lone ones.

    A lone surrogate cannot be encoded as UTF-8, so the database would refuse the whole article.
    """
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def cjk_count(text: str) -> int:
    """Return how many Chinese characters the text has."""
    return len(_CJK.findall(text))


def has_cjk(text: str) -> bool:
    """Return whether the text has any Chinese character."""
    return _CJK.search(text) is not None
