"""Government-document metadata: 发文字号, 发文机关, 成文日期, 索引号 and 主题分类.

Public functions: :func:`extract_govdoc` (a page's lxml root and/or the article's text lines in,
:class:`GovDocMeta` out) and :func:`doc_number_key` (a document number, or a search query shaped
like one, in its one normalised form: 越政发[2020]3号, 越政发2020年3号 → 越政发〔2020〕3号).

Conservative by design: every value must have the shape of its kind or it is dropped.

* A document number is an issuer's abbreviation, a four-digit year in brackets (〔〕 [] 【】 ［］ ()
  （） 〖〗) and a number followed by 号. In running text only a line that *is* a document number
  (or "文号：…") counts, so "第3号" or a number cited in prose is never taken. A labelled cell
  (发文字号) may also hold a number without its serial (绍市委〔2022〕).
* An issuing body must end like an organ (人民政府, 办公室, 委员会, 局, 厅, 部, 党委, 办事处 …).
* A date must be a real date between 1949 and 2100.

政府信息公开 pages carry the values in a table or list: the label (索 引 号, 主题分类, 发文机关,
成文日期, 发文字号; spaces between characters and a colon or none) in one cell and the value in the
next, or "label：value" in one element. Texts carry the number in the first lines and the body and
date in the sign-off lines at the end ("绍兴市越城区人民政府\\n2020年3月5日").
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lxml import etree

MAX_DOC_NUMBER = 100
MAX_ISSUING_BODY = 200
MAX_INDEX_NUMBER = 100
MAX_SUBJECT = 200
# The Article columns these values are stored in (NULL when unknown), and their text sizes.
GOVDOC_FIELDS = ("doc_number", "issuing_body", "written_date", "index_number", "subject_category")
GOVDOC_LIMITS = {
    "doc_number": MAX_DOC_NUMBER,
    "issuing_body": MAX_ISSUING_BODY,
    "index_number": MAX_INDEX_NUMBER,
    "subject_category": MAX_SUBJECT,
}


@dataclass
class GovDocMeta:
    doc_number: str = ""  # as shown, e.g. 越政发[2020]3号
    issuing_body: str = ""  # e.g. 绍兴市越城区人民政府; joint issuers joined with 、
    written_date: dt.date | None = None
    index_number: str = ""  # e.g. 11330602002562436B/2020-123456
    subject: str = ""  # e.g. 综合政务/通知

    def __bool__(self) -> bool:
        return bool(self.doc_number or self.issuing_body or self.written_date or self.index_number or self.subject)


# --- shapes -----------------------------------------------------------------------------------

_OPEN = "〔[【［(（〖"
_CLOSE = "〕]】］)）〗"
_CJK = "\u4e00-\u9fff"
# 越政发〔2020〕3号: prefix, year, serial. The prefix is CJK (a few letters allowed, e.g. 浙G).
_DOC_NUMBER = re.compile(
    rf"(?P<prefix>[{_CJK}][{_CJK}A-Za-z]{{0,19}})\s*[{re.escape(_OPEN)}]\s*(?P<year>(?:19|20)\d\d)\s*"
    rf"[{re.escape(_CLOSE)}]\s*(?:第\s*)?(?P<serial>\d{{1,5}})\s*号"
)
_DOC_NUMBER_NO_SERIAL = re.compile(
    rf"(?P<prefix>[{_CJK}][{_CJK}A-Za-z]{{0,19}})\s*[{re.escape(_OPEN)}]\s*(?P<year>(?:19|20)\d\d)\s*[{re.escape(_CLOSE)}]"
)
# What a searcher types: the brackets may be missing or be 年 (越政发2020年3号, 越政发2020-3号).
_DOC_QUERY = re.compile(
    rf"(?P<prefix>[{_CJK}][{_CJK}A-Za-z]{{0,19}}?)\s*[{re.escape(_OPEN)}]?\s*(?P<year>(?:19|20)\d\d)\s*"
    rf"(?:[{re.escape(_CLOSE)}]|年|-)?\s*(?:第\s*)?(?P<serial>\d{{1,5}})\s*号"
)
_ORGAN_ENDINGS = (
    "人民政府",
    "政府",
    "办公室",
    "办公厅",
    "委员会",
    "管委会",
    "常委会",
    "党委",
    "党组",
    "党工委",
    "办事处",
    "街道",
    "总局",
    "局",
    "厅",
    "部",
    "委",
    "署",
    "人民法院",
    "人民检察院",
    "工会",
    "妇联",
    "团委",
    "政协",
)
_ORGAN = re.compile(rf"^[{_CJK}（）()]{{2,40}}$")
_ORGAN_SEPARATORS = re.compile(r"[、，,；;\s]+")
_INDEX_NUMBER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z\-]{4,39}/(?:19|20)\d\d-?[0-9A-Za-z]{1,12}$")
_DATE = re.compile(r"^((?:19|20)\d\d)\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?$")
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7}
_CN_DIGITS.update({"八": 8, "九": 9})
_CN_NUMBER = "[一二三四五六七八九十]{1,3}"
_CN_DATE = re.compile(rf"^([〇○零O一二三四五六七八九]{{4}})年({_CN_NUMBER})月({_CN_NUMBER})日$")

# --- labels -----------------------------------------------------------------------------------

LABELS = {
    "doc_number": ("发文字号", "发文文号", "文件编号", "文号"),
    "issuing_body": ("发文机关", "发文单位", "发布机构", "发文机构", "制发机关"),
    "written_date": ("成文日期", "发文日期", "生成日期"),
    "index_number": ("索引号",),
    "subject": ("主题分类", "信息分类", "主题类别"),
}
# Other labels of the same tables: they end a value that runs on ("索引号：… 发布日期：…").
_OTHER_LABELS = (
    "发布日期",
    "公开日期",
    "有效性",
    "公开方式",
    "公开范围",
    "公开时限",
    "主题词",
    "体裁分类",
    "名称",
    "标题",
)
_GAP = r"[\s\u3000\xa0]*"


def _label_pattern(label: str) -> str:
    return _GAP.join(re.escape(ch) for ch in label)


_ALL_LABELS = sorted(
    [(name, label) for name, labels in LABELS.items() for label in labels] + [("", x) for x in _OTHER_LABELS],
    key=lambda pair: -len(pair[1]),
)
# A label followed by a colon (or, at the start of a line, by spaces), anywhere in an element's text.
_LABEL_COLON = re.compile("(?P<label>" + "|".join(_label_pattern(label) for _, label in _ALL_LABELS) + rf"){_GAP}[:：]")
_LABEL_NAMES = {label: name for name, label in _ALL_LABELS}
_CELL_TAGS = frozenset("td th li span p div dd dt strong b label em font i".split())
_MAX_CELL = 400


def _squeeze(text: str) -> str:
    return re.sub(r"[\s\u3000\xa0]+", "", text)


def _label_name(text: str) -> str | None:
    """The field a cell's text labels ("索 引 号：" → index_number), None for anything else."""
    label = _squeeze(text).rstrip(":：").strip("【】[]")
    return _LABEL_NAMES.get(label) if label in _LABEL_NAMES else None


# --- values -----------------------------------------------------------------------------------


def doc_number_key(text: str) -> str | None:
    """The normalised form of a document number or a query shaped like one (None when it is not)."""
    text = _squeeze(text or "")
    match = _DOC_QUERY.fullmatch(text)
    if match:
        return f"{match['prefix']}〔{match['year']}〕{int(match['serial'])}号"
    match = _DOC_NUMBER_NO_SERIAL.fullmatch(text)  # 绍市委〔2022〕: brackets required without a serial
    return f"{match['prefix']}〔{match['year']}〕" if match else None


def issuing_bodies(value: str) -> list[str]:
    """The bodies of a (joint) 发文机关 value: 中共绍兴市委、绍兴市人民政府 → both."""
    return [part for part in _ORGAN_SEPARATORS.split(value or "") if part]


def _doc_number(value: str, *, labelled: bool) -> str:
    value = value.strip()
    if len(value) > MAX_DOC_NUMBER:
        return ""
    if _DOC_NUMBER.fullmatch(value):
        return value
    if labelled and _DOC_NUMBER_NO_SERIAL.fullmatch(value):
        return value
    return ""


def _organ(value: str) -> str:
    value = value.strip()
    if not value or len(value) > MAX_ISSUING_BODY:
        return ""
    parts = [p for p in _ORGAN_SEPARATORS.split(value) if p]
    if parts and all(_ORGAN.match(p) and p.endswith(_ORGAN_ENDINGS) for p in parts):
        return "、".join(parts)
    return ""


def parse_date(value: str) -> dt.date | None:
    value = _squeeze(value)
    match = _DATE.match(value)
    if match:
        year, month, day = (int(x) for x in match.groups())
    else:
        match = _CN_DATE.match(value)
        if not match:
            return None
        year = int("".join(str(_CN_DIGITS[ch]) for ch in match[1]))
        month, day = _cn_number(match[2]), _cn_number(match[3])
        if month is None or day is None:
            return None
    if not 1949 <= year <= 2100:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _cn_number(text: str) -> int | None:
    """一 … 三十一."""
    if text == "十":
        return 10
    if "十" in text:
        tens, _, ones = text.partition("十")
        value = (_CN_DIGITS.get(tens, -100) if tens else 1) * 10 + (_CN_DIGITS.get(ones, -100) if ones else 0)
    else:
        value = _CN_DIGITS.get(text, -100) if len(text) == 1 else -100
    return value if 0 < value <= 31 else None


def _index_number(value: str) -> str:
    value = _squeeze(value)
    return value if _INDEX_NUMBER.match(value) else ""


def _subject(value: str) -> str:
    # Free text: invisible controls (bidi overrides and the like) are not part of it.
    value = " ".join("".join(ch for ch in value if unicodedata.category(ch) not in ("Cc", "Cf")).split())
    if not value or len(value) > MAX_SUBJECT or any(ch in value for ch in "。！？；"):
        return ""
    return value


def _check(name: str, value: str, *, labelled: bool = True):
    value = value.strip(" |｜\t\u3000\xa0")  # a table flattened to text: "索引号: | 1133…/2018-192321 |"
    if name == "doc_number":
        return _doc_number(value, labelled=labelled)
    if name == "issuing_body":
        return _organ(value)
    if name == "written_date":
        return parse_date(value)
    if name == "index_number":
        return _index_number(value)
    return _subject(value)


# --- reading ----------------------------------------------------------------------------------


def _pairs_in(text: str) -> Iterable[tuple[str, str]]:
    """(field, value) for each "label：value" in a text; a value runs to the next label."""
    matches = list(_LABEL_COLON.finditer(text))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        name = _LABEL_NAMES[_squeeze(match["label"])]
        if name:
            yield name, text[match.end() : end]


def _cell_text(element: etree._Element) -> str:
    return " ".join(" ".join(element.itertext()).split())


def _page_pairs(root: etree._Element) -> Iterable[tuple[str, str]]:
    for element in root.iter(*_CELL_TAGS):
        text = _cell_text(element)
        if not text or len(text) > _MAX_CELL:
            continue
        name = _label_name(text)
        if name:
            # The label fills the cell: the value is in the next cell, or right after it.
            following = element.getnext()
            if following is not None and following.tag in _CELL_TAGS:
                yield name, _cell_text(following)
            elif element.tail and element.tail.strip():
                yield name, element.tail
            continue
        yield from _pairs_in(text)


def _line_pairs(lines: Sequence[str]) -> Iterable[tuple[str, str]]:
    for line in lines:
        if len(line) <= _MAX_CELL and (":" in line or "：" in line):
            yield from _pairs_in(line)


def _fill(meta: GovDocMeta, pairs: Iterable[tuple[str, str]]) -> None:
    for name, value in pairs:
        field_name = "subject" if name == "subject" else name
        if getattr(meta, field_name):
            continue
        checked = _check(name, value)
        if checked:
            setattr(meta, field_name, checked)


def _text_doc_number(lines: Sequence[str]) -> str:
    """A line near the top that is a document number and nothing else."""
    for line in lines[:12]:
        value = line.strip()
        if _DOC_NUMBER.fullmatch(value) and len(value) <= MAX_DOC_NUMBER:
            return value
    return ""


def _sign_off(lines: Sequence[str]) -> tuple[str, dt.date | None]:
    """The issuing body and date of the last lines: organ line(s) right above a date line."""
    tail = lines[-6:]
    for i in range(len(tail) - 1, 0, -1):
        date = parse_date(tail[i])
        if date is None:
            continue
        organs = []
        j = i - 1
        while j >= 0 and _organ(tail[j]) and len(organs) < 5:
            organs.insert(0, _organ(tail[j]))
            j -= 1
        if organs:
            return "、".join(organs), date
        return "", None
    return "", None


def extract_govdoc(
    *, root: etree._Element | None = None, lines: Sequence[str] = (), raw_lines: Sequence[str] = ()
) -> GovDocMeta:
    """The document metadata a page (its parsed root) and/or its text give; empty when none.

    ``lines``: the clean text (title first); ``raw_lines``: the record's text before cleaning,
    whose header keeps the labelled lines (索引号: …) that cleaning drops as page furniture.
    """
    meta = GovDocMeta()
    if root is not None:
        _fill(meta, _page_pairs(root))
    lines = [line.strip() for line in lines if line and line.strip()]
    raw_lines = [line.strip() for line in raw_lines if line and line.strip()]
    for text in (raw_lines, lines):
        if text:
            _fill(meta, _line_pairs(text[:30] + text[-30:] if len(text) > 60 else text))
    for text in (lines, raw_lines):
        if not meta.doc_number:
            meta.doc_number = _text_doc_number(text)
    if lines:
        if not meta.issuing_body:
            body, date = _sign_off(lines)
            if body:
                meta.issuing_body = body
                meta.written_date = meta.written_date or date
    return meta


# Whether a page is worth parsing for a table: one of the labels occurs in its markup, maybe with
# spaces or &nbsp; between its characters. Each occurrence of a label's last character is looked
# back from (a page has few), rather than running a pattern over the whole page.
_PAGE_HINT_GAPS = re.compile(r"&nbsp;|&#160;|&#12288;|[\s\u3000\xa0]")
_PAGE_HINTS = ("发文字号", "文号", "文件编号", "索引号", "发文机关", "成文日期", "主题分类", "发布机构")
_HINT_LOOKBACK = 80


def page_may_have_govdoc(raw: str) -> bool:
    for last in {label[-1] for label in _PAGE_HINTS}:
        labels = tuple(label for label in _PAGE_HINTS if label[-1] == last)
        pos = raw.find(last)
        while pos >= 0:
            window = _PAGE_HINT_GAPS.sub("", raw[max(0, pos - _HINT_LOOKBACK) : pos + 1])
            if window.endswith(labels):
                return True
            pos = raw.find(last, pos + 1)
    return False
