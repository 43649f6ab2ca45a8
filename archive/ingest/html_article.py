"""Article pages from government and news sites: find the main text, title, date and source."""

from __future__ import annotations

import re

from lxml import etree

from . import extractors
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

# Where a Chinese news or government article ends: the editor's credit line (kept, with the credit
# lines right after it: 责任编辑：… 审读：…), then whatever the page puts below the article.
_EDITOR_LINE = re.compile(
    r"^[（(【\[]?\s*(?:责任编辑|责编|编辑|编审|审核|审校|审\s*读|校对|终审|监制|值班编辑|本文来源|稿件来源|文章来源)"
    r"\s*[：:/丨|｜]"
)
# Credit lines that may follow it (a photographer's or reporter's credit alone may be a caption).
_CREDIT_LINE = re.compile(
    r"^[（(【\[]?\s*(?:责任编辑|责编|编辑|编审|审核|审校|审\s*读|校对|终审|监制|统筹|值班编辑|作者|撰文|记者|"
    r"文字|摄影|图片|来源|本文来源|稿件来源|文章来源|出品|制作|策划)\s*[：:/丨|｜]"
)
# Headings of the blocks pages put after the article (related reading, comments, sharing, paging).
_TAIL_HEADINGS = frozenset(
    match_key(heading)
    for heading in (
        "相关阅读 相关新闻 相关文章 相关报道 相关推荐 相关链接 推荐阅读 延伸阅读 扩展阅读 热门推荐 精彩推荐 "
        "为你推荐 猜你喜欢 更多精彩 热点推荐 热门文章 热门阅读 热门新闻 大家都在看 热门评论 网友评论 最新评论 "
        "我要评论 发表评论 全部评论 评论 分享到 分享至 分享 相關閱讀 相關新聞 延伸閱讀 推薦閱讀 熱門推薦 更多新聞 "
        "上一篇 下一篇 返回顶部 打印本页 关闭窗口"
    ).split()
)
# Lines that start the page's furniture below an article: comment counters, keywords, disclaimers.
_TAIL_LINE = re.compile(
    r"^(?:\d[\d,]*条评论|\d[\d,]*人参与|关键[字词][：:]|以上内容.{0,40}(?:上传|发布|存储)|特别声明|免责声明|版权声明|"
    r"声明[：:]|本文(?:仅代表作者|系作者|为作者)|(?:上一篇|下一篇)[：:])"
)
_MIN_PROSE_ABOVE = 60  # Chinese characters of prose lines above a line before it can end the article
_PROSE_PUNCTUATION = re.compile("[。，；！？、]")
_MIN_PROSE_LINE = 10  # a line with this many Chinese characters and a comma or full stop is prose
_MIN_CANDIDATE = 50  # Chinese characters an extractor's candidate needs to have a say
# Readability and trafilatura agreeing this much (bigram Dice) on a text the densest block shares
# less than _BLOCK_DIFFERS with: the block is something else (a comment thread, a list), they win.
_PEERS_AGREE = 0.8
_BLOCK_DIFFERS = 0.5
_LINK_SHARE = 0.7  # a line this much of which is link text is a link, not prose
_MAX_LEAD_LINE = 20  # a byline or dateline right above the first sentence is at most this long
_MAX_MISSED = 0.5  # prose the peers find beyond the block, at most this share of the block's


def parse_html_article(root: etree._Element, *, page: str = "") -> ArticleFields:
    """Return the article fields of a news or government page.

    ``page`` is the page's HTML text: with it, trafilatura's and readability's candidates check
    the archive's own (see ``_main_lines``).
    """
    meta = _meta(root)
    title = _title(root, meta)
    body = root.find("body")
    header = _header_lines(paragraphs(body if body is not None else root), title)
    _drop_chrome(root)
    lines = _from_first_prose(_main_lines(root, page, title))
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


def _main_lines(root: etree._Element, page: str, title: str) -> list[str]:
    """Return the article's lines: the densest block, cut where the article ends, checked by the peers.

    The densest block (``_main_content``) keeps every paragraph of an article split in sibling
    blocks, but also the page furniture inside its container; trafilatura (favouring recall) and
    readability each propose the article too.  A line of the block that is not prose (no 。，；,
    only a few characters, or all of it a link: an advertisement, a teaser) is kept only when one
    of them keeps it as well, so a player's buttons, an author card or a date stamp go while
    headings and short paragraphs the extractors agree on stay.  A line repeated word for word (a
    caption printed twice) is kept once.  When the block finds nothing, the peers' candidate
    that agrees most with the others is the article; and when no container declared the block
    and both peers agree on a text it does not share, readability's candidate is.
    """
    content, declared = _main_content(root)
    lines = paragraphs(content) if content is not None else []
    lines = _once(drop_wechat_residue(drop_site_chrome(_cut_tail(lines), title)))
    links = _link_keys(content) if content is not None else set()
    enough = cjk_count("".join(lines)) >= _MIN_CANDIDATE
    doubtful = any(not _is_prose(line) or _is_link(match_key(line), links) for line in lines)
    if not page or (enough and declared and not doubtful):  # nothing for the peers to decide
        return lines
    candidates = [
        extractors.readability_paragraphs(page),
        extractors.trafilatura_paragraphs(page, variant="recall"),
    ]
    candidates = [_once(drop_wechat_residue(drop_site_chrome(_cut_tail(c), title))) for c in candidates]
    candidates = [c for c in candidates if cjk_count("".join(c)) >= _MIN_CANDIDATE]
    if not enough:
        return _most_agreed(candidates) or lines
    if len(candidates) < 2:
        return lines
    if not declared and _peers_overrule(lines, candidates):
        return candidates[0]
    keys = [match_key("".join(c)) for c in candidates]
    if not declared:
        lines = _with_missed_prose(lines, candidates[0], keys[1])
    peer_lines = [{match_key(line) for line in c} for c in candidates]
    kept = []
    for line in lines:
        key = match_key(line)
        support = [
            key in own or (len(key) >= _MIN_PROSE_LINE and key in joined)
            for own, joined in zip(peer_lines, keys, strict=True)
        ]
        if _is_link(key, links):  # a link's text: only where every peer keeps it
            if all(support):
                kept.append(line)
        elif _is_prose(line) or any(support):
            kept.append(line)
    return kept


def _from_first_prose(lines: list[str]) -> list[str]:
    """Return the lines from the article's first prose line, and the short line just above it.

    What comes before the first sentence is the page's: a headline repeated or broken over lines,
    a player's controls, an author card, share buttons.  The one short line right above it is
    kept: a byline or a dateline (文丨…, 本报讯, 各区县人民政府：).
    """
    first = next((i for i, line in enumerate(lines) if _is_prose(line)), None)
    if not first:
        return lines
    lead = lines[first - 1]
    return ([lead] if len(lead) <= _MAX_LEAD_LINE else []) + lines[first:]


def _peers_overrule(lines: list[str], candidates: list[list[str]]) -> bool:
    """Whether the peers agree on an article the densest block (no container declared it) is not."""
    text, first, second = "".join(lines), "".join(candidates[0]), "".join(candidates[1])
    return (
        _overlap(first, second) >= _PEERS_AGREE
        and _overlap(text, first) < _BLOCK_DIFFERS
        and _overlap(text, second) < _BLOCK_DIFFERS
    )


def _with_missed_prose(lines: list[str], first: list[str], second_key: str) -> list[str]:
    """Return the block's lines with the prose both peers have and it lacks, in the first peer's order.

    The densest block can be one of the sibling blocks an article is split in; what both peers
    find beyond it is taken when it is a smaller part than the block (not a list of teasers).
    """
    block_key = match_key("".join(lines))
    missed = {i for i, line in enumerate(first) if _is_prose(line) and match_key(line) not in block_key} & {
        i for i, line in enumerate(first) if match_key(line) in second_key
    }
    if not missed or sum(cjk_count(first[i]) for i in missed) > _MAX_MISSED * cjk_count("".join(lines)):
        return lines
    merged = list(lines)
    for i in sorted(missed, reverse=True):  # before the block line the first peer has next
        follower = next((line for line in first[i + 1 :] if line in merged), None)
        merged.insert(merged.index(follower) if follower is not None else len(merged), first[i])
    return merged


def _once(lines: list[str]) -> list[str]:
    """Return the lines without word-for-word repeats of a longer line above."""
    seen: set[str] = set()
    kept = []
    for line in lines:
        if len(line) >= _MIN_PROSE_LINE:
            if line in seen:
                continue
            seen.add(line)
        kept.append(line)
    return kept


def _link_keys(content: etree._Element) -> set[str]:
    keys = (match_key(element_text(a)) for a in content.iter("a"))
    return {key for key in keys if len(key) >= 4}


def _is_link(key: str, links: set[str]) -> bool:
    """Whether a line (its ``match_key``) is nearly all link text: advertisements, teasers."""
    if not links or not key:
        return False
    if any(key in link for link in links):
        return True
    return sum(len(link) for link in links if link in key) >= _LINK_SHARE * len(key)


def _is_prose(line: str) -> bool:
    return cjk_count(line) >= _MIN_PROSE_LINE and _PROSE_PUNCTUATION.search(line) is not None


def _most_agreed(candidates: list[list[str]]) -> list[str]:
    """Return the candidate whose characters the others share most (the medoid), or []."""
    if len(candidates) <= 2:
        return max(candidates, key=lambda c: cjk_count("".join(c)), default=[])
    texts = ["".join(c) for c in candidates]
    return max(
        candidates,
        key=lambda c: sum(_overlap("".join(c), other) for other in texts),
    )


def _overlap(text: str, other: str) -> float:
    """Return the Dice overlap of two texts' character bigrams (a cheap agreement measure)."""
    a = {text[i : i + 2] for i in range(len(text) - 1)}
    b = {other[i : i + 2] for i in range(len(other) - 1)}
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _cut_tail(lines: list[str]) -> list[str]:
    """Return the lines down to where the article ends: its credit lines, or the furniture below it."""
    prose = 0
    for i, line in enumerate(lines):
        if prose >= _MIN_PROSE_ABOVE:
            key = match_key(line)
            if (len(key) <= 12 and key.strip("【】：") in _TAIL_HEADINGS) or _TAIL_LINE.match(key):
                return lines[:i]
            if len(line) <= 50 and _EDITOR_LINE.match(line):
                end = i + 1
                while end < len(lines) and len(lines[end]) <= 50 and _CREDIT_LINE.match(lines[end]):
                    end += 1
                return lines[:end]
        if _is_prose(line):
            prose += cjk_count(line)
    return lines


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


def _main_content(root: etree._Element) -> tuple[etree._Element | None, bool]:
    """Return the article's block, and whether the page declares it (<article>, a CMS's container)."""
    articles = [a for a in _ARTICLE(root) if cjk_count(element_text(a)) >= _MIN_CONTENT_CJK]
    if articles:
        return max(articles, key=lambda a: cjk_count(element_text(a))), True
    for xpath in _CONTENT_XPATHS:
        for el in xpath(root):
            if cjk_count(element_text(el)) >= _MIN_CONTENT_CJK:
                return el, True
    return _densest(root), False


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
