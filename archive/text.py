"""Text as the archive stores and emits it: LF line ends, and none of the characters XML 1.0 cannot hold.

Public functions:

* ``xml_safe(text)``, used by ingest (every field it stores), by every save of an article, source
  or place (``archive.receivers``) and by the feeds (``archive.feeds``), so that a feed can never
  fail on content: Django refuses to write a control character into XML, and a feed reader
  refuses a non-character or a lone surrogate;
* ``lf_line_ends(text)``, used by the admin's text fields and the same saves: browsers send a
  textarea's lines with CRLF, a few old files end lines with a lone CR, and the article page
  splits paragraphs on blank lines ("\\n\\n"), so a CR left in a body joins them.
"""

from __future__ import annotations

import re

# XML 1.0 allows tab, newline, carriage return, and U+0020 up from there except the surrogates
# and U+FFFE, U+FFFF (https://www.w3.org/TR/xml/#charsets).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Word's soft line break (vertical tab) and page break (form feed) separate words or lines.
_BREAK = re.compile("[\x0b\x0c]+")
_BREAK_IN_LINE = re.compile("[ \t]*[\x0b\x0c]+[ \t]*")
_LINE_BREAK = re.compile(r"\r\n?")


def lf_line_ends(text: str) -> str:
    """Return ``text`` with every CRLF and lone CR made LF."""
    return _LINE_BREAK.sub("\n", text) if "\r" in text else text


def xml_safe(text: str, *, one_line: bool = False) -> str:
    """Return ``text`` without the characters XML cannot hold.

    A vertical tab or form feed becomes a line break (a single space with ``one_line``, for a
    title or a name), so the words on either side stay apart; the others are dropped.
    """
    if not text or _ILLEGAL.search(text) is None:
        return text
    if one_line:
        text = _BREAK_IN_LINE.sub(" ", text)
    else:
        text = _BREAK.sub(lambda m: "\n" * len(m.group()), text)
    return _ILLEGAL.sub("", text)
