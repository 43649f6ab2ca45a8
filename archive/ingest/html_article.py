"""Article pages from government and news sites: find the main text, title, date and source."""

from __future__ import annotations

import re

from lxml import etree

from .dates import Moment, parse_moment, search_moment
from .fields import ArticleFields
from .htmltext import BLOCK_TAGS, SKIP_TAGS, element_text, paragraphs
from .reprint import find_reprint_note
from .residue import drop_site_chrome, drop_wechat_residue
from .text import body_from_lines, cjk_count, match_key, normalize_line

# Containers content-management systems put the article text in (TRS, 政务云 and common themes).
_CONTENT_XPATHS = [
    etree.XPath(xpath)
    for xpath in (
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]",
        "//*[@id='zoom' or @id='Zoom' or @id='fontzoom' or @id='UCAP-CONTENT' or @id='article-content'"
        " or @id='articleContent' or @id='ArticleContent' or @id='js_content']",
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' article-content ')"
        " or contains(concat(' ', normalize-space(@class), ' '), ' article_content ')"
        " or contains(concat(' ', normalize-space(@class), ' '), ' articleContent ')"
        " or contains(concat(' ', normalize-space(@class), ' '), ' pages_content ')"
        " or contains(concat(' ', normalize-space(@class), ' '), ' news_content ')"
        " or contains(concat(' ', normalize-space(@class), ' '), ' detail-content ')"
        " or contains(concat(' ', normalize-space(@class), ' '), ' art_con ')"
        " or contains(concat(' ', normalize-space(@class), ' '), ' zoom ')]",
    )
]
_ARTICLE = etree.XPath("//article")
_MIN_CONTENT_CJK = 30  # a container with less Chinese text than this is a teaser, not the article
_SCORED_TAGS = ("p", "div", "td", "section", "pre", "li", "span", "font", "blockquote")
_CHROME_TAGS = ("nav", "header", "footer", "aside", "form", "select")

_DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "og:release_date",
    "pubdate",
    "publishdate",
    "publish_date",
    "publishtime",
    "firstpublishedtime",
    "dc.date.issued",
    "dc.date",
    "date",
    "createdate",
)
_SOURCE_META = ("contentsource", "source", "og:site_name", "sitename", "site_name", "application-name")
_TITLE_META = ("articletitle", "og:title", "twitter:title")
_DATE_LABEL = re.compile(r"(?:发布时间|发布日期|发表时间|发文日期|更新时间|成文日期|时间|日期)\s*[：:]\s*")
_SOURCE_LABEL = re.compile(r"(?:信息来源|文章来源|稿件来源|来源)\s*[：:]\s*(?P<source>[^\s|｜：:]{2,40})")
# A label glued to the source's name ("来源：钟楼区发布时间：…") ends the name.
_NEXT_LABEL = re.compile(r"(?:发布|发表|更新|成文)?(?:时间|日期)|作者|编辑|浏览|点击|阅读|字号")
# Not "——" or a bare "-": titles use those themselves (…戏——绍兴越城…).
_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜)\s*|\s+[-–—]\s+")
_HEADER_SPAN = 8  # paragraphs below the title where a page prints its date and source


def parse_html_article(root: etree._Element) -> ArticleFields:
    """Return the article fields of a news or government page."""
    meta = _meta(root)
    title = _title(root, meta)
    body = root.find("body")
    header = _header_lines(paragraphs(body if body is not None else root), title)
    _drop_chrome(root)
    content = _main_content(root)
    lines = paragraphs(content) if content is not None else []
    lines = drop_wechat_residue(drop_site_chrome(lines, title))
    body = body_from_lines(lines, title)
    return ArticleFields(
        title=title,
        body=body,
        published=(moment := _published(meta, header) or (None, None))[0],
        published_time=moment[1],
        source_name=_source(meta, header),
        original_url=_url(root, meta),
        reprint_note=find_reprint_note(body.split("\n\n")),
    )


def _drop_chrome(root: etree._Element) -> None:
    """Remove navigation, footers, sidebars and forms, so they cannot win the density contest."""
    doomed = []
    for el in root.iter(*_CHROME_TAGS):
        if el.tag == "header" and any(a.tag in ("article", "main") for a in el.iterancestors()):
            continue  # an article's own header holds its title and date
        if cjk_count(element_text(el)) < 400:  # a theme that wraps the whole page in one of these
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()


def _meta(root: etree._Element) -> dict[str, str]:
    found: dict[str, str] = {}
    for el in root.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        value = normalize_line(el.get("content") or "")
        if key and value and key not in found:
            found[key] = value
    return found


def _title(root: etree._Element, meta: dict[str, str]) -> str:
    """Prefer the page's declared title, then a heading that <title> confirms, then <title>'s first part."""
    for key in _TITLE_META:
        if meta.get(key):
            return meta[key]
    page_title = normalize_line(root.findtext(".//title") or "")
    headings = [element_text(h) for tag in ("h1", "h2", "h3") for h in root.iter(tag)]
    headings = [h for h in headings if h]
    for heading in headings:
        if page_title and match_key(heading) in match_key(page_title) and len(heading) >= 4:
            return heading
    if page_title:  # "标题_站点名": the site's name comes after the separator
        return next((p for p in _TITLE_SEPARATORS.split(page_title) if p), page_title)
    return headings[0] if headings else ""


def _main_content(root: etree._Element) -> etree._Element | None:
    articles = [a for a in _ARTICLE(root) if cjk_count(element_text(a)) >= _MIN_CONTENT_CJK]
    if articles:
        return max(articles, key=lambda a: cjk_count(element_text(a)))
    for xpath in _CONTENT_XPATHS:
        for el in xpath(root):
            if cjk_count(element_text(el)) >= _MIN_CONTENT_CJK:
                return el
    return _densest(root)


def _densest(root: etree._Element) -> etree._Element | None:
    """Return the element whose paragraphs hold the most Chinese text, with link-heavy blocks penalised."""
    scores: dict[etree._Element, float] = {}
    for el in root.iter(*_SCORED_TAGS):
        own = cjk_count(_own_text(el))
        if own < 10:
            continue
        parent = el.getparent()
        scores[el] = scores.get(el, 0) + own
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + own
            grandparent = parent.getparent()
            if grandparent is not None:
                scores[grandparent] = scores.get(grandparent, 0) + own / 2
    if not scores:
        return None
    # Link density only for the front runners: it walks the subtree, too slow for every element.
    leaders = sorted(scores, key=scores.__getitem__, reverse=True)[:8]
    best = max(leaders, key=lambda el: scores[el] * (1 - _link_density(el)))
    if best.tag in ("p", "span", "font") and best.getparent() is not None:
        best = best.getparent()  # the paragraph's container, so sibling paragraphs come along
    return best


def _own_text(el: etree._Element) -> str:
    """Return the text in an element itself and its inline children (not in nested blocks)."""
    parts = [el.text or ""]
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag not in BLOCK_TAGS and tag not in SKIP_TAGS:
            parts.append(element_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _link_density(el: etree._Element) -> float:
    total = len(element_text(el)) or 1
    linked = sum(len(element_text(a)) for a in el.iter("a"))
    return min(1.0, linked / total)


def _header_lines(page_lines: list[str], title: str) -> list[str]:
    """Return the page's lines from the title down a little: where the date and 来源 are printed."""
    key = match_key(title)
    for i, line in enumerate(page_lines):
        line_key = match_key(line)
        if key and (line_key == key or (len(line_key) >= 6 and line_key.startswith(key))):
            return page_lines[i : i + _HEADER_SPAN]
    return []


def _published(meta: dict[str, str], header: list[str]) -> Moment | None:
    for key in _DATE_META:
        published = parse_moment(meta.get(key))
        if published and published[1] is None:
            # A meta date alone (publishdate 2024-05-10): the header line under the title often
            # prints the same day with its time (2024年05月10日06:58 | 来源：…); only that day counts.
            return _with_header_time(published, header)
        if published:
            return published
    for line in header:  # 发布时间：2020-04-11 09:30
        for label in _DATE_LABEL.finditer(line):
            published = search_moment(line[label.end() : label.end() + 40])
            if published:
                return published
    return None


def _with_header_time(published: Moment, header: list[str]) -> Moment:
    for line in header:
        moment = search_moment(line)
        if moment and moment[0] == published[0] and moment[1] is not None:
            return moment
    return published


def _source(meta: dict[str, str], header: list[str]) -> str:
    for line in header:
        match = _SOURCE_LABEL.search(line)
        if match:
            source = _NEXT_LABEL.split(match.group("source"), maxsplit=1)[0]
            if len(source) >= 2:
                return source
    for key in _SOURCE_META:
        if meta.get(key):
            return meta[key]
    return ""


def _url(root: etree._Element, meta: dict[str, str]) -> str:
    canonical = root.find(".//link[@rel='canonical']")
    url = meta.get("og:url") or (canonical.get("href", "") if canonical is not None else "")
    return url if url.startswith(("http://", "https://")) else ""
