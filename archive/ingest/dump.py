"""The crawl-dump format: ``text:'…'`` records and the WeChat page text inside them.

A record is one line: ``text:`` then a Python string literal.  ``scan_dump_line`` checks the
literal's syntax without evaluating anything, ``decode_dump_literal`` decodes it, and
``parse_dump_text`` turns the decoded page text (title, account block, date, body, residue)
into article fields.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from dataclasses import dataclass

from .dates import Moment, parse_moment, search_moment
from .fields import ArticleFields
from .reprint import find_reprint_note
from .residue import drop_wechat_residue, is_date_line
from .text import body_from_lines, match_key, split_lines

_PREFIX = re.compile(r"\s*text\s*:\s*(?P<mod>[uUrR]?)(?P<q>['\"])")
# The rest of a literal after its opening quote: anything but the quote, a backslash or a raw
# newline, with backslash escapes (the unrolled form, fast on long lines).
_REST = {
    "'": re.compile(r"[^'\\\n]*(?:\\.[^'\\\n]*)*'"),
    '"': re.compile(r'[^"\\\n]*(?:\\.[^"\\\n]*)*"'),
}
_TAIL = re.compile(r"\s*,?\s*")
_ESCAPE_BEFORE_NON_ASCII = re.compile(r"\\[^\x00-\x7f]")

OK, NOT_DUMP, TRUNCATED, INVALID = "ok", "not_dump", "truncated_literal", "invalid_literal"


def scan_dump_line(line: str) -> tuple[str, str]:
    """Return (status, literal) for a dump line; status is OK, NOT_DUMP, TRUNCATED or INVALID.

    Only the syntax is checked: text:, one complete string literal, then nothing but space (a
    trailing comma is tolerated).  ``text:'a' + 'b'``, ``text:'a' 'b'`` or ``text:'a';x`` are INVALID.
    """
    match = _PREFIX.match(line)
    if not match:
        return NOT_DUMP, ""
    quote_at = match.end() - 1
    rest = _REST[match.group("q")].match(line, match.end())
    if rest is None:
        return TRUNCATED, line[match.start("mod") :]
    if not _TAIL.fullmatch(line, rest.end()):
        return INVALID, line[match.start("mod") : rest.end()]
    return OK, line[match.start("mod") if match.group("mod") else quote_at : rest.end()]


def is_dump_line(line: str) -> bool:
    """Return whether a line starts like a dump record (``text:'`` or ``text:"``)."""
    return _PREFIX.match(line) is not None


def decode_dump_literal(literal: str) -> str:
    """Decode a checked string literal; raise ValueError when it is not a valid str literal."""
    if literal[:1] in "'\"" and not _ESCAPE_BEFORE_NON_ASCII.search(literal):
        # The fast path (7x faster than literal_eval): the codec applies Python's escapes; the
        # non-Latin-1 text goes through it as \\u escapes and comes back unchanged.
        try:
            return literal[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
        except UnicodeDecodeError as exc:
            raise ValueError(f"bad escape in the literal: {exc.reason}") from exc
    try:
        value = ast.literal_eval(literal)
    except (ValueError, SyntaxError, MemoryError, RecursionError) as exc:
        raise ValueError(f"not a valid string literal: {exc}") from exc
    if not isinstance(value, str):
        raise ValueError(f"the literal is a {type(value).__name__}, not text")
    return value


def decode_dump_line(line: str) -> str:
    """Decode a whole ``text:'…'`` line; raise ValueError (with the status as args[1]) if it is not one."""
    status, literal = scan_dump_line(line)
    if status != OK:
        raise ValueError(f"not a complete text:'…' record ({status})", status)
    return decode_dump_literal(literal)


_ACCOUNT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")
_WECHAT_ID_KEY = match_key("微信号")
_INTRO_KEY = match_key("功能介绍")
_HEADER_SPAN = 14  # the account block and date sit in the first lines after the title
_MAX_INTRO = 120  # WeChat caps 功能介绍 at 120 characters; longer is article text


def parse_dump_text(text: str) -> ArticleFields:
    """Return the article fields in a WeChat page's plain text (a decoded dump record)."""
    lines = split_lines(text)
    # Residue first, but with title and account still unknown: footer repeats are caught later.
    lines = drop_wechat_residue(lines)
    if not lines:
        return ArticleFields(title="", body="", published=None)
    title = lines[0]
    lines = _split_inline_labels(lines)
    header = _read_header(lines)
    body_lines = lines[header.body_start :]
    if body_lines and match_key(body_lines[0]) == match_key(title):
        body_lines = body_lines[1:]
    body_lines = drop_wechat_residue(body_lines, names=(header.name, title))
    body = body_from_lines(body_lines)
    return ArticleFields(
        title=title,
        body=body,
        published=header.published,
        published_time=header.published_time,
        source_name=header.name,
        account_id=header.account_id,
        account_description=header.description,
        reprint_note=find_reprint_note(body.split("\n\n")),
    )


_INLINE_LABEL = re.compile(r"(微信号|功能介绍)\s*[：:]?\s*(\S.*)")


def _split_inline_labels(lines: list[str]) -> list[str]:
    """Put "微信号：yuechengZG" (label and value on one line) on two lines, as most dumps have them."""
    head = lines[: 1 + _HEADER_SPAN]
    if not any(line.startswith(("微信号", "功能介绍")) for line in head):
        return lines
    expanded: list[str] = []
    for line in head:
        match = _INLINE_LABEL.fullmatch(line)
        expanded.extend(match.groups() if match else (line,))
    return expanded + lines[len(head) :]


@dataclass
class _Header:
    body_start: int
    name: str = ""
    account_id: str = ""
    description: str = ""
    published: dt.date | None = None
    published_time: dt.time | None = None


def _read_header(lines: list[str]) -> _Header:
    """Find the account block and the date line between the title (line 0) and the body."""
    window = lines[1 : 1 + _HEADER_SPAN]
    keys = [match_key(line) for line in window]
    wx = keys.index(_WECHAT_ID_KEY) if _WECHAT_ID_KEY in keys else None
    intro = keys.index(_INTRO_KEY) if _INTRO_KEY in keys else None
    # Without an account block only a date right under the title is the page's date line.
    scan = window if wx is not None or intro is not None else window[:6]
    date_at = next((i for i, line in enumerate(scan) if is_date_line(line)), None)
    header = _Header(body_start=1)
    end = 0  # index in window just past the header
    marker = wx if wx is not None else intro
    if marker is not None:
        names = [line for i, line in enumerate(window[:marker]) if i != date_at]
        header.name = names[-1] if names else ""
        end = marker + 1
        if wx is not None and wx + 1 < len(window) and wx + 1 != intro and wx + 1 != date_at:
            if _ACCOUNT_ID.fullmatch(window[wx + 1]):
                header.account_id = window[wx + 1]
                end = wx + 2
        if intro is not None:
            end = max(end, intro + 1)
            nxt = intro + 1
            if nxt < len(window) and nxt != date_at and len(window[nxt]) <= _MAX_INTRO:
                header.description = window[nxt]
                end = nxt + 1
        if date_at is not None and date_at > end:
            date_at = None  # a date further down belongs to the body
    elif date_at is not None:
        # No account block: short lines between the title and a date are a byline (the account).
        names = [line for line in window[:date_at] if len(line) <= 20]
        if len(names) != date_at:
            date_at = None
        else:
            header.name = names[-1] if names else ""
    if date_at is not None and date_at <= end:
        header.published, header.published_time = _date_of(window[date_at]) or (None, None)
        end = max(end, date_at + 1)
    header.body_start = 1 + end
    return header


def _date_of(line: str) -> Moment | None:
    # search_moment for a date line with a weekday or a name in front of the date
    return parse_moment(line) or search_moment(line)
