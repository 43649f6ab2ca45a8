"""Raw WeChat article pages (HTML as mp.weixin.qq.com serves it) and WeChat's notice pages."""

from __future__ import annotations

import html
import re

from lxml import etree

from .dates import Moment, parse_moment
from .fields import ArticleFields
from .htmltext import element_text, paragraphs
from .reprint import find_reprint_note
from .residue import drop_wechat_residue
from .text import body_from_lines, match_key, normalize_line

# Notices WeChat serves instead of an article that was removed (reason deleted_article) ...
REMOVED_NOTICES = (
    "该内容已被发布者删除",
    "此内容已被发布者删除",
    "该内容已被删除",
    "此内容因违规无法查看",
    "此内容被投诉且经审核涉嫌侵权",
    "此内容因涉嫌违反相关法律法规和政策发送失败",
    "此内容发送失败无法查看",
    "经用户投诉",
    "链接已过期",
    "该文章已被删除",
    "此帐号已被屏蔽",
    "此账号已被屏蔽",
    "该公众号已被封禁",
    "此帐号已自主注销",
    "此账号已自主注销",
    "内容无法查看",
)
# ... and other notices: the page is not an article, but the article may still exist (wechat_notice).
OTHER_NOTICES = ("该公众号已迁移", "访问过于频繁", "环境异常", "请在微信客户端打开链接", "参数错误", "系统出错")

_NOTICE_XPATH = etree.XPath(
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' weui-msg__title ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' global_error_msg ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' weui-msg__desc ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' warn_desc ')]"
)
_CONTENT = etree.XPath("//*[@id='js_content']")
_TITLE = etree.XPath("//*[@id='activity-name']")
_NAME = etree.XPath("//*[@id='js_name'] | //*[contains(@class, 'profile_nickname')]")
_PROFILE_META = etree.XPath("//*[contains(concat(' ', normalize-space(@class), ' '), ' profile_meta ')]")
_META_LABEL = etree.XPath(".//*[contains(@class, 'profile_meta_label')]")
_META_VALUE = etree.XPath(".//*[contains(@class, 'profile_meta_value')]")
_ALL_META_VALUES = etree.XPath("//*[contains(@class, 'profile_meta_value')]")
_OG = etree.XPath("//meta[@property=$name]/@content")

_JS_STRING = r"""\s*(?:htmlDecode\s*\(\s*)?(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)')"""
_JS_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)")
_JS_SIMPLE = {"n": "\n", "t": "\t", "r": "", "b": "", "f": "", "v": "", "0": ""}


class NoticePage(Exception):
    """The page is a WeChat notice, not an article."""

    def __init__(self, reason: str, notice: str):
        super().__init__(notice)
        self.reason = reason
        self.notice = notice


def parse_wechat_page(text: str, root: etree._Element) -> ArticleFields:
    """Return the article fields of a WeChat page; raise NoticePage for a deleted/notice page."""
    content = _first(_CONTENT(root))
    if content is None or not element_text(content):
        _raise_if_notice(root)
    title = _title(text, root)
    name = js_var(text, "nickname") or _text_of(_first(_NAME(root)))
    account_id, description = _profile(root)
    published, published_time = _published(text, root) or (None, None)
    url = _original_url(text, root)
    lines = drop_wechat_residue(paragraphs(content), names=(name, title)) if content is not None else []
    body = body_from_lines(lines, title)
    return ArticleFields(
        title=title,
        body=body,
        published=published,
        published_time=published_time,
        source_name=name,
        account_id=account_id,
        account_description=description,
        original_url=url,
        reprint_note=find_reprint_note(body.split("\n\n")),
    )


def js_var(text: str, name: str) -> str:
    """Return the value of ``var name = "…"`` in the page's script, unescaped (JS then HTML), or ""."""
    match = re.search(r"\bvar\s+" + re.escape(name) + r"\s*=" + _JS_STRING, text)
    if not match:
        return ""
    value = match.group(1) if match.group(1) is not None else match.group(2)
    return normalize_line(html.unescape(_JS_ESCAPE.sub(_js_unescape, value)))


def _js_unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code[0] in "xu" and len(code) > 1:
        return chr(int(code[1:], 16))
    return _JS_SIMPLE.get(code, code)


def _raise_if_notice(root: etree._Element) -> None:
    shown = " ".join(_text_of(el) for el in _NOTICE_XPATH(root))
    body = root.find("body")
    page_text = shown or (_text_of(body) if body is not None else "")
    for notice in REMOVED_NOTICES:
        if notice in page_text:
            raise NoticePage("deleted_article", shown or notice)
    for notice in OTHER_NOTICES:
        if notice in page_text:
            raise NoticePage("wechat_notice", shown or notice)
    if shown:  # a notice box with wording we do not know: still not an article
        raise NoticePage("wechat_notice", shown)


def _title(text: str, root: etree._Element) -> str:
    return (
        _text_of(_first(_TITLE(root)))
        or js_var(text, "msg_title")
        or normalize_line(_first(_OG(root, name="og:title")) or "")
        or js_var(text, "msg_desc")
    )


def _profile(root: etree._Element) -> tuple[str, str]:
    """Return (微信号, 功能介绍) from the profile card, by label when the labels are there."""
    account_id = description = ""
    for block in _PROFILE_META(root):
        label = match_key(_text_of(_first(_META_LABEL(block))))
        value = _text_of(_first(_META_VALUE(block)))
        if label == "微信号" and not account_id:
            account_id = value
        elif label == "功能介绍" and not description:
            description = value
    if not account_id and not description:
        values = [_text_of(el) for el in _ALL_META_VALUES(root)]
        account_id = values[0] if values else ""
        description = values[1] if len(values) > 1 else ""
    return account_id, description


def _published(text: str, root: etree._Element) -> Moment | None:
    # ct is the Unix time of publication; parse_moment turns it into a China-time date and time.
    for name in ("ct", "create_time", "publish_time"):
        published = parse_moment(js_var(text, name))
        if published:
            return published
    return parse_moment(_text_of(root.find(".//*[@id='publish_time']")))


def _original_url(text: str, root: etree._Element) -> str:
    url = js_var(text, "msg_link") or normalize_line(_first(_OG(root, name="og:url")) or "")
    return url if url.startswith(("http://", "https://")) else ""


def _first(items: list) -> object | None:
    return items[0] if items else None


def _text_of(element: object | None) -> str:
    return element_text(element) if element is not None else ""
