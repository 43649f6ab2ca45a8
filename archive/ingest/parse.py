"""Turn one raw record into clean article fields: cleaning and metadata extraction.

Public function: ``parse_record(record)``.  Raises ``RecordRejected`` with a reason code and a
message when the record cannot become an article (deleted page, no title and no body, ...).
The work per format lives in ``dump``, ``jsonl``, ``wechat_html`` and ``html_article``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass

from lxml import etree

from archive.text import xml_safe
from archive.weblinks import is_web_url

from .dump import INVALID, OK, TRUNCATED, decode_dump_literal, parse_dump_text, scan_dump_line
from .fields import ArticleFields
from .govdoc import extract_govdoc, page_may_have_govdoc
from .html_article import parse_html_article
from .htmltext import parse_html
from .jsonl import parse_json_record, record_address
from .records import DUMP, HTML, JSONL, WECHAT_HTML, RawRecord
from .text import fix_surrogates
from .wechat_html import NoticePage, parse_wechat_page

_RICH_MEDIA = etree.XPath("//*[contains(concat(' ', normalize-space(@class), ' '), ' rich_media_content ')]")
# The Article model's column sizes.
_MAX_TITLE = 500
_MAX_SOURCE = 200
_MAX_ACCOUNT_ID = 100
_MAX_REPRINT = 300
_MAX_URL = 2000
# The fields that keep line breaks; the others are one line.
_MULTILINE = {"body", "account_description"}


class RecordRejected(Exception):
    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass
class ParsedArticle:
    title: str
    body: str  # clean text, paragraphs separated by one blank line ("\n\n")
    published: dt.date | None  # None when the record does not say; never a guess
    source_name: str = ""  # account name, e.g. 越城组工 (or the site / JSON account field)
    account_id: str = ""  # 微信号, e.g. yuechengZG
    account_description: str = ""  # 功能介绍
    original_url: str = ""
    reprint_note: str = ""  # e.g. 《共产党员》2018年第8期
    title_only: bool = False  # a feed item with a title and no body
    published_time: dt.time | None = None  # China time of day on ``published``; None when not stated
    # Government-document metadata (archive.ingest.govdoc); empty when the record does not give it.
    doc_number: str = ""  # 发文字号 as shown, e.g. 越政发〔2020〕3号
    issuing_body: str = ""  # 发文机关
    written_date: dt.date | None = None  # 成文日期
    index_number: str = ""  # 索引号
    subject_category: str = ""  # 主题分类


def parse_record(record: RawRecord) -> ParsedArticle:
    """Return the clean article in a raw record, or raise RecordRejected."""
    if record.format == DUMP:
        fields = parse_dump_text(_decode_dump(record.raw))
    elif record.format == JSONL:
        fields = _parse_json(record)
    elif record.format in (WECHAT_HTML, HTML):
        fields = _parse_page(record)
    else:
        raise RecordRejected("unknown_format", f"Records of format {record.format!r} cannot be parsed.")
    return _finish(fields, record)


def original_address(raw_format: str, raw: str) -> str:
    """Return the address a stored raw record gives for its original, a web page's or not ("" when none).

    Only a JSON record names it in a field of its own; a page's address is read from its markup,
    where only web addresses are taken.
    """
    if raw_format != JSONL:
        return ""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return ""
    return fix_surrogates(record_address(data)) if isinstance(data, dict) else ""


@functools.lru_cache(maxsize=1)  # decoded once more for the document metadata (_raw_text)
def _decode_dump(raw: str) -> str:
    status, literal = scan_dump_line(raw.strip())
    if status == TRUNCATED:
        raise RecordRejected("truncated_literal", "The text:'…' literal has no closing quote (the record is cut off).")
    if status == INVALID:
        raise RecordRejected("invalid_literal", "After the text:'…' literal comes something else.")
    if status != OK:
        raise RecordRejected("unknown_format", "The record does not start with text:'…'.")
    try:
        return decode_dump_literal(literal)
    except ValueError as exc:
        raise RecordRejected("invalid_literal", f"The text:'…' literal cannot be decoded: {exc}.") from exc


def _parse_json(record: RawRecord) -> ArticleFields:
    data = record.data
    if data is None:
        try:
            data = json.loads(record.raw)
        except (ValueError, RecursionError) as exc:
            raise RecordRejected("invalid_json", f"The record is not valid JSON: {exc}.") from exc
    if not isinstance(data, dict):
        raise RecordRejected("not_an_object", "The record is JSON but not an object.")
    try:
        return parse_json_record(data)
    except ValueError as exc:  # a text:'…' value inside the JSON that is cut off or broken
        reason = exc.args[1] if len(exc.args) > 1 else "invalid_literal"
        raise RecordRejected(reason, f"The record's text value is a broken text:'…' literal: {exc.args[0]}.") from exc


def _parse_page(record: RawRecord) -> ArticleFields:
    """Parse a page by its structure: WeChat's article parser for WeChat's pages, else the generic one.

    A page WeChat's parser finds no article text in goes to the generic parser before anything is
    rejected (unless it is a WeChat picture or video post: WeChat's own container, empty, under a
    title); only WeChat's own notice ("该内容已被发布者删除") rejects the page outright.
    """
    try:
        root = parse_html(record.raw)
    except ValueError as exc:
        raise RecordRejected("unknown_format", f"The page cannot be parsed as HTML: {exc}.") from exc
    if record.format != WECHAT_HTML and not _has_wechat_structure(root):
        return parse_html_article(root, page=record.raw)
    try:
        fields = parse_wechat_page(record.raw, root)
    except NoticePage as notice:
        if notice.reason == "deleted_article":
            message = f"WeChat shows the notice “{notice.notice}” instead of the article: it was deleted or blocked."
        else:
            message = f"WeChat shows the notice “{notice.notice}” instead of an article."
        raise RecordRejected(notice.reason, message) from notice
    if fields.body or (fields.title and _wechat_container(root) is not None):
        return fields  # a picture or video post: WeChat's own (empty) container, nothing more to find
    generic = parse_html_article(root, page=record.raw)  # WeChat's parser only read the tree
    return generic if generic.body else fields


def _has_wechat_structure(root) -> bool:
    """Whether the page's markup is a WeChat article's (its body container or its rich_media layout)."""
    return _wechat_container(root) is not None or bool(_RICH_MEDIA(root))


def _wechat_container(root):
    """WeChat's article container (``#js_content``), or None."""
    return root.find(".//*[@id='js_content']")


def _finish(fields: ArticleFields, record: RawRecord) -> ParsedArticle:
    for name in ("title", "body", "source_name", "account_id", "account_description", "original_url", "reprint_note"):
        # Nothing is stored that an Atom feed (XML) could not carry; a title or a name is one line.
        text = xml_safe(fix_surrogates(getattr(fields, name)), one_line=name not in _MULTILINE)
        setattr(fields, name, text.strip())
    if not fields.title and not fields.body:
        raise RecordRejected("no_content", f"The {record.format} record has neither a title nor any article text.")
    doc = _govdoc(fields, record)
    for name in ("doc_number", "issuing_body", "index_number", "subject"):  # read from the raw text too
        setattr(doc, name, xml_safe(fix_surrogates(getattr(doc, name)), one_line=True).strip())
    return ParsedArticle(
        title=_cap(fields.title, _MAX_TITLE) or _cap(fields.body.split("\n", 1)[0], 60),
        body=fields.body,
        published=fields.published,
        published_time=fields.published_time if fields.published else None,
        source_name=_cap(fields.source_name, _MAX_SOURCE),
        account_id=_cap(fields.account_id, _MAX_ACCOUNT_ID),
        account_description=fields.account_description,
        original_url=_web_address(fields.original_url),
        reprint_note=_cap(fields.reprint_note, _MAX_REPRINT),
        title_only=not fields.body,
        doc_number=doc.doc_number,
        issuing_body=doc.issuing_body,
        written_date=doc.written_date,
        index_number=doc.index_number,
        subject_category=doc.subject,
    )


def _govdoc(fields: ArticleFields, record: RawRecord):
    """发文字号 and the rest from a page's 政府信息公开 table (parsed again only when it has one) and the text."""
    root = None
    if record.format in (WECHAT_HTML, HTML) and page_may_have_govdoc(record.raw):
        try:
            root = parse_html(record.raw)
        except ValueError:
            root = None
    return extract_govdoc(root=root, lines=[fields.title, *fields.body.split("\n")], raw_lines=_raw_text(record))


def _raw_text(record: RawRecord) -> list[str]:
    """A dump's or a JSON record's text before cleaning (its header keeps 索引号: … lines); [] for a page."""
    if record.format == DUMP:
        return _decode_dump(record.raw).splitlines()
    if record.format == JSONL:
        data = record.data if record.data is not None else json.loads(record.raw)
        texts = [v for v in data.values() if isinstance(v, str)] if isinstance(data, dict) else []
        return max(texts, key=len, default="").splitlines()  # the record's text or body
    return []


def _web_address(url: str) -> str:
    """Only a web page is the original: any other address (javascript:, data:) stays in the raw record."""
    return url if is_web_url(url) and len(url) <= _MAX_URL else ""


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
