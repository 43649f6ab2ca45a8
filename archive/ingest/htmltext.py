"""Turn an lxml element into paragraphs of text: block elements and <br> break, media is dropped."""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from .text import normalize_line

BLOCK_TAGS = frozenset(
    "p div section article main header footer aside nav h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre "
    "table thead tbody tfoot tr caption figure figcaption address center form fieldset hr details summary".split()
)
CELL_TAGS = frozenset(("td", "th"))
SKIP_TAGS = frozenset(
    "script style noscript iframe img svg video audio canvas object embed template button input select textarea "
    "option head title meta link map area mpvoice mpvideo qqmusic mp-miniprogram mp-common-profile "
    "mp-common-videosnap".split()
)
_HIDDEN = re.compile(r"display\s*:\s*none", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>", re.I)


def parse_html(text: str) -> etree._Element:
    """Parse a page (any quality) into an lxml tree; raise ValueError when there is no document."""
    text = _XML_DECLARATION.sub("", text, count=1)  # lxml refuses str input that declares an encoding
    try:
        root = lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ValueError(f"not parseable as HTML: {exc}") from exc
    # Comments would hide the text after them from the walker; dropping them keeps that text.
    etree.strip_tags(root, etree.Comment, etree.ProcessingInstruction)
    return root


def element_text(element: etree._Element) -> str:
    """Return an element's text with whitespace collapsed (no paragraph structure)."""
    return normalize_line(" ".join(element.itertext()))


def paragraphs(element: etree._Element) -> list[str]:
    """Return the element's paragraphs: text between block boundaries, normalised, non-empty."""
    out: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            line = normalize_line("".join(buf))
            if line:
                out.append(line)
            buf.clear()

    walker = etree.iterwalk(element, events=("start", "end"))
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in SKIP_TAGS or (el is not element and _HIDDEN.search(el.get("style") or "")):
                walker.skip_subtree()
                continue
            if tag in BLOCK_TAGS or tag == "br":
                flush()
            elif tag in CELL_TAGS:
                buf.append(" ")
            if el.text:
                buf.append(el.text)
        else:
            if tag in BLOCK_TAGS:
                flush()
            elif tag in CELL_TAGS:
                buf.append(" ")
            if el.tail and el is not element:
                buf.append(el.tail)
    flush()
    return out
