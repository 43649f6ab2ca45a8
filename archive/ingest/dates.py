"""Read publish dates in the forms the sources use, as a date in China time.

``parse_date(value)`` reads one value that is meant to be a date (a JSON field, a meta tag, a
dump's date line); ``search_date(text)`` finds the first date written inside running text.
Both return None rather than guess: an invalid or implausible date is no date.
"""

from __future__ import annotations

import datetime as dt
import re
from email.utils import parsedate_to_datetime

CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")  # no DST since 1991: a fixed offset is exact
EARLIEST_YEAR = 1990

_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "Ｏ": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}

_TIME = r"(?:[T\s]*(?P<hh>\d{1,2})[:：](?P<mi>\d{2})(?:[:：](?P<ss>\d{2})(?:\.\d+)?)?)?"
_OFFSET = r"\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}:?\d{2})?"
_NUMERIC = r"(?P<y>\d{4})\s*(?P<sep>[-/.])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})"
_CHINESE = r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?"
_CN_NUMERALS = (  # 二〇一八年九月十一日
    r"(?P<y>[〇零○Ｏ一二三四五六七八九]{4})年"
    r"(?P<m>[一二三四五六七八九十]{1,2})月"
    r"(?P<d>[一二三四五六七八九十]{1,3})[日号]"
)

_NUMERIC_RE = re.compile(_NUMERIC + _TIME + _OFFSET)
_CHINESE_RE = re.compile(_CHINESE + r"(?:\s*(?P<hh>\d{1,2})[:：时](?P<mi>\d{2})分?(?:[:：](?P<ss>\d{2})秒?)?)?")
_CN_NUMERALS_RE = re.compile(_CN_NUMERALS)
_COMPACT_RE = re.compile(r"(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})")
_TIMESTAMP_RE = re.compile(r"\d{9,13}(?:\.\d+)?")
# Inside running text a numeric date must not be the tail or head of a longer number.
_SEARCH_RES = (
    re.compile(r"(?<!\d)" + _NUMERIC + r"(?!\d)"),
    re.compile(r"(?<!\d)" + _CHINESE),
    _CN_NUMERALS_RE,
)


def parse_date(value: object) -> dt.date | None:
    """Return the China-time date a value states, or None when it is empty, invalid or implausible."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return _plausible(_china_date(value))
    if isinstance(value, dt.date):
        return _plausible(value)
    if isinstance(value, int | float):
        return _from_timestamp(float(value))
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    if _COMPACT_RE.fullmatch(text):  # 20180911 before timestamps: as seconds it would be 1970
        return _plausible(_from_parts(text[:4], text[4:6], text[6:]))
    if _TIMESTAMP_RE.fullmatch(text):
        return _from_timestamp(float(text))
    for regex in (_NUMERIC_RE, _CHINESE_RE):
        match = regex.fullmatch(text)
        if match:
            return _plausible(_from_match(match))
    match = _CN_NUMERALS_RE.fullmatch(text)
    if match:
        return _plausible(_from_cn_numerals(match))
    return _plausible(_from_rfc2822(text))


def search_date(text: str) -> dt.date | None:
    """Return the first plausible date written in running text (2020-04-11, 2020年4月11日 ...), or None."""
    best: tuple[int, dt.date] | None = None
    for regex in _SEARCH_RES:
        for match in regex.finditer(text):
            if best is not None and match.start() >= best[0]:
                break
            found = _from_cn_numerals(match) if regex is _CN_NUMERALS_RE else _from_parts(*match.group("y", "m", "d"))
            if _plausible(found):
                best = (match.start(), found)
                break
    return best[1] if best else None


def _plausible(day: dt.date | None) -> dt.date | None:
    if day is None:
        return None
    next_year = dt.datetime.now(CHINA_TZ).year + 1
    return day if EARLIEST_YEAR <= day.year <= next_year else None


def _from_parts(year: str, month: str, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _from_match(match: re.Match[str]) -> dt.date | None:
    day = _from_parts(*match.group("y", "m", "d"))
    groups = match.groupdict()
    tz = groups.get("tz")
    if day is None or not tz or groups.get("hh") is None:
        return day  # no offset: the time is already local (China) time
    try:
        moment = dt.datetime(
            day.year, day.month, day.day, int(groups["hh"]), int(groups["mi"]), int(groups.get("ss") or 0)
        )
    except ValueError:
        return None
    return _china_date(moment.replace(tzinfo=_parse_offset(tz)))


def _parse_offset(tz: str) -> dt.timezone:
    if tz in ("Z", "UTC", "GMT"):
        return dt.UTC
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _from_cn_numerals(match: re.Match[str]) -> dt.date | None:
    year = "".join(str(_CN_DIGITS[c]) for c in match.group("y"))
    return _from_parts(year, str(_cn_number(match.group("m"))), str(_cn_number(match.group("d"))))


def _cn_number(text: str) -> int:
    """Read 一 … 九, 十, 十一, 二十, 二十一, 三十一."""
    if "十" not in text:
        return _CN_DIGITS.get(text, 0)
    tens, _, units = text.partition("十")
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(units, 0) if units else 0)


def _from_timestamp(seconds: float) -> dt.date | None:
    if seconds >= 1e11:  # milliseconds: a seconds timestamp this large would be past the year 5000
        seconds /= 1000
    try:
        return _plausible(dt.datetime.fromtimestamp(seconds, CHINA_TZ).date())
    except (OverflowError, OSError, ValueError):
        return None


def _from_rfc2822(text: str) -> dt.date | None:
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return _china_date(moment)


def _china_date(moment: dt.datetime) -> dt.date:
    if moment.tzinfo is None:
        return moment.date()  # naive times in these sources are China time
    return moment.astimezone(CHINA_TZ).date()
