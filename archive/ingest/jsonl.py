"""JSON Lines records: a feed item (title + body/content) or a crawl dump's text inside JSON."""

from __future__ import annotations

import re

from archive.weblinks import is_web_url

from .dates import Moment, parse_moment, search_moment
from .dump import decode_dump_line, is_dump_line, parse_dump_text
from .fields import ArticleFields
from .reprint import find_reprint_note
from .residue import drop_site_chrome, drop_wechat_residue, is_substantial
from .text import body_from_lines, normalize_line, split_lines

_URL_KEYS = ("url", "original_url", "link", "source_url")
_SOURCE_KEYS = ("account", "source", "source_name", "nickname", "site")
_DATE_KEYS = ("published", "date", "publish_date", "publish_time", "pubdate", "created_at")
_BODY_KEYS = ("body", "content")
# What marks a "text" value as a WeChat page dump rather than a plain article body.
_DUMP_MARKERS = re.compile(r"^\s*(?:微信号|功能介绍)\s*$|var first_sceen__time|受苹果公司新规定影响", re.M)
_DOMAIN = re.compile(r"^(?:[\w-]+\.)+[a-z]{2,}$", re.I)
_SECTION = re.compile(r"\s*[（(][^()（）]*[)）]\s*$")
_HEADER_DATE_LABEL = re.compile(r"(?:发布时间|发布日期|发表时间|成文日期|时间|日期)\s*[：:]\s*")


def parse_json_record(data: dict) -> ArticleFields:
    """Return the article fields of a JSON record; its explicit fields win over what the text says."""
    title = normalize_line(_as_text(data.get("title")))
    body = next((_as_text(data[k]) for k in _BODY_KEYS if _as_text(data.get(k)).strip()), "")
    text = _as_text(data.get("text"))
    url = record_address(data)
    source = _source_name(data)
    moment = next((d for k in _DATE_KEYS if (d := parse_moment(data.get(k)))), None)

    if not body and text.strip() and (not title or _looks_like_dump(text)):
        if is_dump_line(text):
            text = decode_dump_line(text.strip())  # ValueError: the caller rejects the record
        dump = parse_dump_text(text)
        return ArticleFields(
            title=title or dump.title,
            body=dump.body,
            published=moment[0] if moment else dump.published,
            published_time=moment[1] if moment else dump.published_time,
            source_name=source or dump.source_name,
            account_id=normalize_line(_as_text(data.get("account_id"))) or dump.account_id,
            account_description=dump.account_description,
            original_url=url,
            reprint_note=dump.reprint_note,
        )
    lines = split_lines(body or text)
    if moment is None:
        moment = _header_date(lines)
    lines = drop_wechat_residue(drop_site_chrome(lines, title))
    if not title and lines:
        title, lines = _title_from_body(lines)
    body = body_from_lines(lines)
    return ArticleFields(
        title=title,
        body=body,
        published=moment[0] if moment else None,
        published_time=moment[1] if moment else None,
        source_name=source,
        account_id=normalize_line(_as_text(data.get("account_id"))),
        original_url=url,
        reprint_note=find_reprint_note(body.split("\n\n")),
    )


def record_address(data: dict) -> str:
    """Return the address a JSON record gives for its original: its first web address (http, https),
    else whatever its first address field holds (which parsing then leaves out of the article).
    """
    addresses = [a for k in _URL_KEYS if (a := normalize_line(_as_text(data.get(k))))]
    return next((a for a in addresses if is_web_url(a)), addresses[0] if addresses else "")


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\n".join(value)  # a body given as a list of paragraphs
    return ""


def _looks_like_dump(text: str) -> bool:
    return is_dump_line(text) or _DUMP_MARKERS.search(text) is not None


def _source_name(data: dict) -> str:
    for key in _SOURCE_KEYS:
        value = normalize_line(_as_text(data.get(key)))
        if value:
            return _site_name(value) if key == "site" else value
    return ""


def _site_name(site: str) -> str:
    """Return a site's name from "常州市钟楼区人民政府 zhonglou.gov.cn (新闻中心>基层信息)"."""
    site = _SECTION.sub("", site)
    words = [w for w in site.split() if not _DOMAIN.match(w)]
    return " ".join(words) or site


def _header_date(lines: list[str]) -> Moment | None:
    """Return the date a page prints above its text (发布时间：2020-04-11), when the record has none."""
    for line in lines:
        if is_substantial(line):
            return None
        for label in _HEADER_DATE_LABEL.finditer(line):
            moment = search_moment(line[label.end() : label.end() + 40])
            if moment:
                return moment
    return None


def _title_from_body(lines: list[str]) -> tuple[str, list[str]]:
    """Use a short first line as the title; else the start of the first sentence (the body stays whole)."""
    first = lines[0]
    if len(first) <= 60 and not first.endswith(("。", "！", "？")):
        return first, lines[1:]
    sentence = re.split(r"(?<=[。！？])", first, maxsplit=1)[0]
    return (sentence[:60] + "…" if len(sentence) > 60 else sentence), lines
