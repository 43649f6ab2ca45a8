"""Text as the archive stores and emits it: LF line ends, and none of the characters XML 1.0 cannot hold.

Public functions:

* ``xml_safe(text)`` (which also drops invisible controls: bidi overrides, zero widths), used by
  ingest (every field it stores), by every save of an article, source
  or place (``archive.receivers``) and by the feeds (``archive.feeds``), so that a feed can never
  fail on content: Django refuses to write a control character into XML, and a feed reader
  refuses a non-character or a lone surrogate;
* ``lf_line_ends(text)``, used by the admin's text fields and the same saves: browsers send a
  textarea's lines with CRLF, a few old files end lines with a lone CR, and the article page
  splits paragraphs on blank lines ("\\n\\n"), so a CR left in a body joins them.
"""

from __future__ import annotations

import re
import unicodedata

# XML 1.0 allows tab, newline, carriage return, and U+0020 up from there except the surrogates
# and U+FFFE, U+FFFF (https://www.w3.org/TR/xml/#charsets).
_XML_ILLEGAL = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
# Invisible characters a reader cannot see but that change what they see or find: the C1 controls
# and every format character (Unicode category Cf) -- the bidi embeddings, overrides and isolates
# (U+202A-U+202E, U+2066-U+2069: "U+202E" shows a title backwards), zero widths (U+200B-U+200F),
# the word joiner U+2060, a BOM (U+FEFF) mid-text, the soft hyphen. A search for 淳安 misses
# "淳\u200b安", and a title that looks the same as another is not.
_INVISIBLE = "\x7f-\x9f" + "".join(re.escape(chr(c)) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf")
_ILLEGAL = re.compile(f"[{_XML_ILLEGAL}{_INVISIBLE}]")
# Word's soft line break (vertical tab) and page break (form feed), and Unicode's line and paragraph
# separators, separate words or lines.
_BREAK = re.compile("[\x0b\x0c\u2028\u2029]+")
_BREAK_IN_LINE = re.compile("[ \t]*[\x0b\x0c\u2028\u2029\n\t]+[ \t]*")
_LINE_BREAK = re.compile(r"\r\n?")


def lf_line_ends(text: str) -> str:
    """Return ``text`` with every CRLF and lone CR made LF."""
    return _LINE_BREAK.sub("\n", text) if "\r" in text else text


def xml_safe(text: str, *, one_line: bool = False) -> str:
    """Return ``text`` without the characters XML cannot hold and without invisible controls.

    A vertical tab, form feed or line separator becomes a line break (a single space with
    ``one_line``, for a title or a name, where a newline or tab becomes one too), so the words on
    either side stay apart; the others are dropped. A body keeps its newlines and tabs.
    """
    if not text or (_ILLEGAL.search(text) is None and not (one_line and _BREAK_IN_LINE.search(text))):
        return text
    if one_line:
        text = _BREAK_IN_LINE.sub(" ", text)
    else:
        text = _BREAK.sub(lambda m: "\n" * len(m.group()), text)
    return _ILLEGAL.sub("", text)
