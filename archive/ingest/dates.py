"""Read publish dates in the forms the sources use, as a date (and a time of day) in China time.

``parse_date(value)`` reads one value that is meant to be a date (a JSON field, a meta tag, a
dump's date line); ``search_date(text)`` finds the first date written inside running text.
Both return None rather than guess: an invalid or implausible date is no date.

``parse_moment`` and ``search_moment`` read the same values and give ``(date, time)``: the time
of day in China time when the value states one (a Unix timestamp, RFC 2822, ISO 8601 with or
without an offset, 2021-06-12 00:07:38, 2021年6月12日 08:30), else None — a date alone never
becomes midnight. An aware time is converted to China time before it is split into date and time.
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
# A time right after the date (2021-06-12 00:07:38) is read with it.
_SEARCH_TIME = r"(?:(?:\s+|T)(?P<hh>\d{1,2})[:：](?P<mi>\d{2})(?:[:：](?P<ss>\d{2}))?(?!\d))?"
_SEARCH_CN_TIME = r"(?:\s*(?P<hh>\d{1,2})[:：时](?P<mi>\d{2})分?(?:[:：](?P<ss>\d{2})秒?)?(?!\d))?"
_SEARCH_RES = (
    re.compile(r"(?<!\d)" + _NUMERIC + r"(?!\d)" + _SEARCH_TIME),
    re.compile(r"(?<!\d)" + _CHINESE + _SEARCH_CN_TIME),
    _CN_NUMERALS_RE,
)

Moment = tuple[dt.date, dt.time | None]  # the China-time date, and the time of day when stated


def parse_date(value: object) -> dt.date | None:
    """Return the China-time date a value states, or None when it is empty, invalid or implausible."""
    moment = parse_moment(value)
    return moment[0] if moment else None


def search_date(text: str) -> dt.date | None:
    """Return the first plausible date written in running text (2020-04-11, 2020年4月11日 ...), or None."""
    moment = search_moment(text)
    return moment[0] if moment else None


def parse_moment(value: object) -> Moment | None:
    """Return (date, time of day or None) in China time that a value states, or None (as parse_date)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return _plausible_moment(_china_moment(value))
    if isinstance(value, dt.date):
        return _plausible_moment((value, None))
    if isinstance(value, int | float):
        return _from_timestamp(float(value))
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    if _COMPACT_RE.fullmatch(text):  # 20180911 before timestamps: as seconds it would be 1970
        return _plausible_moment(_date_only(_from_parts(text[:4], text[4:6], text[6:])))
    if _TIMESTAMP_RE.fullmatch(text):
        return _from_timestamp(float(text))
    for regex in (_NUMERIC_RE, _CHINESE_RE):
        match = regex.fullmatch(text)
        if match:
            return _plausible_moment(_from_match(match))
    match = _CN_NUMERALS_RE.fullmatch(text)
    if match:
        return _plausible_moment(_date_only(_from_cn_numerals(match)))
    return _plausible_moment(_from_rfc2822(text))


def search_moment(text: str) -> Moment | None:
    """Return the first plausible date in running text with the time written right after it, or None."""
    best: tuple[int, Moment] | None = None
    for regex in _SEARCH_RES:
        for match in regex.finditer(text):
            if best is not None and match.start() >= best[0]:
                break
            if regex is _CN_NUMERALS_RE:
                found = _plausible_moment(_date_only(_from_cn_numerals(match)))
            else:
                found = _plausible_moment(_from_match(match))
            if found:
                best = (match.start(), found)
                break
    return best[1] if best else None


def _plausible(day: dt.date | None) -> dt.date | None:
    if day is None:
        return None
    next_year = dt.datetime.now(CHINA_TZ).year + 1
    return day if EARLIEST_YEAR <= day.year <= next_year else None


def _plausible_moment(moment: Moment | None) -> Moment | None:
    if moment is None or _plausible(moment[0]) is None:
        return None
    return moment


def _date_only(day: dt.date | None) -> Moment | None:
    return (day, None) if day is not None else None


def _from_parts(year: str, month: str, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _from_match(match: re.Match[str]) -> Moment | None:
    day = _from_parts(*match.group("y", "m", "d"))
    groups = match.groupdict()
    if day is None:
        return None
    if groups.get("hh") is None:
        return (day, None)
    try:
        time = dt.time(int(groups["hh"]), int(groups["mi"]), int(groups.get("ss") or 0))
    except ValueError:
        return (day, None)  # 25:70 is no time of day; the date still stands
    tz = groups.get("tz")
    if not tz:
        return (day, time)  # no offset: the time is already local (China) time
    return _china_moment(dt.datetime.combine(day, time, tzinfo=_parse_offset(tz)))


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


def _from_timestamp(seconds: float) -> Moment | None:
    if seconds >= 1e11:  # milliseconds: a seconds timestamp this large would be past the year 5000
        seconds /= 1000
    try:
        return _plausible_moment(_china_moment(dt.datetime.fromtimestamp(seconds, CHINA_TZ)))
    except (OverflowError, OSError, ValueError):
        return None


def _from_rfc2822(text: str) -> Moment | None:
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return _china_moment(moment)


def _china_moment(moment: dt.datetime) -> Moment:
    if moment.tzinfo is not None:
        moment = moment.astimezone(CHINA_TZ)  # naive times in these sources are already China time
    return (moment.date(), moment.time().replace(microsecond=0, tzinfo=None))
