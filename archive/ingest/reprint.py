"""Find where an article says it was first printed: 《共产党员》2018年第8期刊登了…, 来源：XX日报, 原载《…》."""

from __future__ import annotations

import re

_ISSUE = (
    r"(?:\s*\d{4}\s*年)?"
    r"(?:\s*第\s*\d+\s*期|\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\s*\d{1,2}\s*月)?"  # 第8期, 9月3日, 9月
    r"(?:\s*[（(]?第\s*\d+\s*版[）)]?)?"  # 第2版
)
_PUBLICATION = r"《[^《》\n]{1,30}》(?:杂志|日报|报|周刊|期刊)?"
# "《共产党员》2018年第8期刊登了…", "近日，《人民日报》头版刊发…": the note is the publication and issue.
_PRINTED_IN = re.compile(
    rf"^(?:(?:近日|日前|最近|近期|今天|今日|\d{{1,2}}月\d{{1,2}}日)\s*[，,]?\s*)?(?P<note>{_PUBLICATION}{_ISSUE})"
    r"\s*(?:在?(?:头版|要闻版|理论版|专版|整版)\s*)?(?:刊登|刊发|刊载|登载|发表|报道|推出|以)"
)
# "原载《学习时报》2018年9月3日", "转载自人民网": a verb of reprinting, then the publication.
_REPRINTED_FROM = re.compile(
    r"(?:原文?(?:刊|载|发)(?:载|发|登)?(?:于|在)?|(?:刊|载|发)(?:载|发|登)于|摘自|选自|(?:本文)?转(?:载)?自|本文来源于)"
    rf"\s*[：:]?\s*(?P<note>{_PUBLICATION}{_ISSUE}|[^，。,；;\s（）()《》]{{2,30}})"
)
# "来源：新华社", "（来源：越城发布）", "文章来源: 绍兴日报".
_SOURCE_LABEL = re.compile(
    r"(?:^|[（(【\s])(?:文章|本文|稿件|信息|转载)?(?:来源|来自|出处)\s*[：:]\s*(?P<note>[^，。；;\n（）()【】：:]{2,30})"
)
_LABEL_AFTER = re.compile(r"\s+\S{1,6}[：:].*$")


def find_reprint_note(paragraphs: list[str]) -> str:
    """Return the publication an article says it reprints (from its first or last paragraphs), or ""."""
    if not paragraphs:
        return ""
    match = _PRINTED_IN.search(paragraphs[0][:160])
    if match:
        return _tidy(match.group("note"))
    candidates = paragraphs[:2] + paragraphs[-3:] if len(paragraphs) > 5 else paragraphs
    for regex in (_REPRINTED_FROM, _SOURCE_LABEL):
        for paragraph in candidates:
            match = regex.search(paragraph)
            if match:
                note = _tidy(match.group("note"))
                if note:
                    return note
    return ""


def _tidy(note: str) -> str:
    note = _LABEL_AFTER.sub("", note.strip())  # "新华社 记者：张三" -> "新华社"
    return note.strip(" )）】」』”,，.。")
