"""One line end in stored text: LF.

Browsers send a textarea's lines with CRLF (HTML's form submission makes every line break CRLF),
and a few old files end lines with a lone CR. The article page splits paragraphs on blank lines
("\\n\\n"), so a CR left in a body joins them.
"""

import re

_LINE_BREAK = re.compile(r"\r\n?")


def lf_line_ends(text: str) -> str:
    """Return ``text`` with every CRLF and lone CR made LF."""
    return _LINE_BREAK.sub("\n", text) if "\r" in text else text
