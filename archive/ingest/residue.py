"""Recognise page residue: WeChat's reader UI and inline script, and government sites' chrome.

Everything here works on whole lines (or whole paragraphs) and matches known strings or tightly
bounded patterns, so a body sentence that merely contains a word like 阅读 or 二维码 is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .dates import search_date
from .text import cjk_count, has_cjk, match_key

# WeChat's page furniture, as whole lines (compared by match_key: spacing and width ignored).
_WECHAT_UI = frozenset(
    match_key(s)
    for s in """
赞赏|长按二维码向我转账|受苹果公司新规定影响，微信 iOS 版的赞赏功能被关闭，可通过二维码转账支持公众号。
阅读|阅读原文|轻触阅读原文|好看|在看|点赞|赞|分享|收藏|听过|推荐|投诉|留言|写留言|写下你的留言|精选留言
已推荐到看一看|你的朋友可以在“发现”-“看一看”看到你认为好看的文章。|已推荐到看一看和朋友分享想法
已取消，“好看”想法已同步删除|已取消，“在看”想法已同步删除|朋友将在看一看看到|分享你的想法...|分享你的想法…
分享想法到看一看|最多200字，当前共字|发送|已发送|发送中|取消|确定|知道了|我知道了|网络异常，请稍后重试
微信扫一扫关注该公众号|微信扫一扫|关注该公众号|微信扫一扫使用小程序|使用小程序|使用完整服务|喜欢此内容的人还喜欢
预览时标签不可点|继续滑动看下一个|向上滑动看下一个|轻点两下取消赞|轻点两下取消在看|赞赏作者|喜欢作者|其他金额
赞赏金额|最低赞赏 ¥0|微信扫一扫赞赏作者|人赞赏|名称已清空|留言功能已关闭|以上留言由公众号筛选后显示|了解留言功能详情
该文章作者已设置需关注才可以留言|已无更多数据|加载中|正在加载|暂无留言|复制链接|撤销|提交|已关注|关注公众号
视频详情|小程序|作品|赞赏二维码|向上滑动|Read more|Like|Wow|Share|Comment|Send|Sent|Cancel|OK|Got It
Scan to Follow|Scan QR Code via WeChat to follow Official Account|Views|Report|Close|Reward|Favorite
上一页|下一页|已同步到看一看|写下你的想法|前往看一看|看一看入口已关闭|在“设置”-“通用”-“发现页管理”打开“看一看”入口
发送到看一看|同步到看一看|在“设置”-“通用”-“发现页管理”打开“看一看”入口。|看一看|已同步到看一看写下你的想法
微信扫一扫可打开此内容，使用完整服务|微信扫一扫可打开此内容|轻点两下打开表情|视频号|微信视频号|小程序卡片
：，。视频小程序赞，轻点两下取消赞在看，轻点两下取消在看|：，。视频小程序赞，轻点两下取消赞在看，轻点两下取消在看分享留言收藏
：，。视频小程序赞，轻点两下取消赞在看，轻点两下取消在看分享留言收藏听过|视频小程序赞，轻点两下取消赞在看，轻点两下取消在看
分享留言收藏|分享留言收藏听过|分享收藏在看|分享点赞在看|点赞在看|分享在看|赞在看|点赞分享在看|点个在看你最好看
作者头像|喜欢此内容的人还喜欢|选择留言身份|留言精选|写留言|我的留言|全部留言|暂无评论|作者赞过
修改于|收录于话题|收录于合集|收录于|个|上一篇|下一篇|轻触查看原文|查看原文|阅读全文|展开|收起
当前内容可能存在未经审核的第三方商业营销信息，请确认是否继续访问。|继续访问|该内容已被发布者删除|此内容因违规无法查看
允许|拒绝|不允许|在小说阅读器中沉浸阅读|在小说阅读器读本章|去阅读|听全文|原创|原创声明|可在设置中关闭
举报|关注|打开|，轻点两下取消赞|，轻点两下取消在看|划线|写划线|取消划线|复制|搜一搜|发表于|微信公众平台|听全文|音频|视频|图片|
赞赏是一种态度|赞赏支持|喜欢就赞赏吧|作者已设置赞赏|谢谢你请我吃糖果|人喜欢|喜欢|赏|向上滑动看下一个|继续滑动看下一个
""".replace("\n", "|").split("|")
    if s.strip()
)
# Counters and prompts, matched against match_key(line); only short lines are tried.
_BAR_WORDS = "阅读|在看|点赞|分享|留言|收藏|听过|赞|推荐|转发|写留言"
_WECHAT_UI_PATTERNS = re.compile(
    r"""
    (?:阅读|在看|好看|点赞|赞|分享|收藏|留言|评论|浏览|阅读量|阅读数)[\d.,，]+[万wWkK]?[+＋]?
  | [\d.,，]+[万wWkK]?[+＋]?(?:人|次)?(?:阅读|在看|赞|点赞|赞赏|人赞赏|浏览|条留言)
  | (?:Read|Views?|Likes?|Wow)[\d.,]+[kKwW]?\+?
  | ©?原创(?:：|：.{1,10})?阅读[\d.]+万?
  | 长按(?:识别|扫描|扫码|关注|保存|下方|上方|图中|图片|此图|二维码|小程序码|指纹|下图|上图).{0,24}
  | .{0,8}(?:扫码|扫描.{0,6}二维码|扫一扫|识别.{0,6}二维码).{0,12}(?:关注|公众号|小程序|阅读原文|订阅).{0,12}
  | (?:点击|戳)(?:上方|下方|顶部|底部|左下角|右上角|标题下|蓝字)?.{0,12}(?:关注|阅读原文|查看原文|订阅|星标|在看).{0,16}
  | (?:欢迎|请|记得)?关注.{0,16}(?:公众号|微信号|我们)[！!。~～]*
  | (?:分享|转发)(?:给|到|至)?(?:朋友|好友|朋友圈).{0,8}
  | 阅读原文.{0,10}
  | (?:推荐阅读|往期推荐|往期回顾|往期精彩|相关阅读|精彩推荐|热文推荐|猜你喜欢|更多精彩|延伸阅读)：.*
  | [-—－–_=·•~～\s]*(?:END|End|end)[-—－–_=·•~～\s]*
  | [\d.]+[万wWkK]?人(?:赞赏|喜欢|已赞赏|在看)            # 3人赞赏
  | 修改于\d{4}年\d{1,2}月\d{1,2}日                    # 修改于2020年7月16日
  | 收录于(?:话题|合集)(?:\#[^\#]{1,20}){0,5}(?:\d+个)?    # 收录于话题 #老旧小区改造 3个
  | (?:BAR)(?:[\d.,，]*[万wWkK]?(?:BAR)){1,8}[\d.,，]*[万wWkK]?  # the bottom bar: 分享 留言 收藏 听过
    """.replace("BAR", _BAR_WORDS),
    re.X,
)
# A heading after which WeChat lists other articles' titles (short lines) rather than the article.
_LIST_HEADERS = frozenset(
    match_key(s)
    for s in (
        "喜欢此内容的人还喜欢",
        "推荐阅读",
        "往期推荐",
        "往期回顾",
        "往期精彩",
        "相关阅读",
        "精彩推荐",
        "热文推荐",
    )
)
_SENTENCE_END = re.compile(r"[。！？!?]")
_HASHTAGS = re.compile(r"(?:\#[^\#\s。！？]{1,20}\#?){1,5}")  # WeChat's topic tags: #老旧小区改造
_MAX_NAME = 12  # an author's or account's name shown among the UI
# Counters that are UI only right after other UI (alone, "1/3" or "3个" could be a table's cell):
# the reward carousel's page (上一页 1/3 下一页) and a topic's article count (收录于话题 #… 3个).
_COUNTERS_AFTER_UI = re.compile(r"\d{1,2}/\d{1,2}|(?:共|已有)?\d{1,4}个(?:话题|内容)?")
_WORDLESS = re.compile(r"[\W_]+")  # a line of only symbols: ▼, ↓↓↓, |, ●

# Inline JavaScript (and CSS) the HTML-to-text pass left in the dump.
_SCRIPT_START = re.compile(
    r"""^(?:
        (?:var|let|const)\s+[A-Za-z_$][\w$]*\s*=
      | (?:if|for|while|switch|catch)\s*\(
      | (?:function\b|\(\s*function|!\s*function|try\s*\{|else\b|return\b|typeof\b|new\s+[A-Za-z_$]\w*\()
      | [A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+\s*(?:\(|\[|=(?!=))
      | [A-Za-z_$][\w$]*\s*(?:\[[^\]]*\])+\s*=
      | [}\])][\s})\];,(]*;?$
      | [.#@][A-Za-z_-][^{}]*\{
    )""",
    re.X | re.A,
)
_CODE_CHARS = re.compile(r"[;{}()=]")

# Government and news sites' chrome.
_BREADCRUMB = re.compile(
    r"^(?:您?当前(?:所在)?的?位置|您的位置|所在位置|当前页面)\s*[：:]|^首页\s*(?:>|»|→|->|＞|/|\||｜)"
)
_LABELS = (
    r"来源|信息来源|文章来源|稿件来源|发布时间|发布日期|更新时间|时间|日期|浏览量|浏览次数|访问量|访问次数|点击数|点击量|点击率"
    r"|阅读次数|阅读量|作者|索\s*引\s*号|公开方式|公开时限|公开范围|公开日期|发布机构|发文机关|成文日期|主题分类|发文字号"
    r"|文件编号|文\s*号|有效性|字号|字体|分享到|录入|录入时间"
)
# Labels that, two of them on one line, can only be a page's metadata strip.
_STRONG_LABELS = re.compile(
    r"(?:来源|发布时间|发布日期|浏览量|浏览次数|访问量|点击数|点击量|阅读次数|索\s*引\s*号|公开方式|发布机构|成文日期"
    r"|主题分类|发文字号|文件编号|字号)\s*[：:|｜]"
)
_LABEL_LINE = re.compile(rf"^(?:{_LABELS})\s*[：:|｜]")
_EMPTY_LABEL = re.compile(rf"^(?:{_LABELS})\s*[：:|｜]?\s*$")
_UI_WORDS = re.compile(
    r"打印本页|打印此页|打印文章|打印本文|打印|关闭窗口|关闭本页|关闭此页|关闭|字号|字体|收藏本页|收藏|分享到|分享|返回顶部"
    r"|返回|顶部|保存|我要纠错|纠错|视力保护色|背景色|默认|放大|缩小|正常|大|中|小|【|】|\[|\]|[：:|｜\s]"
)
_STRONG_UI = re.compile(r"打印|关闭窗口|关闭本页|关闭此页|字号|字体|收藏本页|分享到|返回顶部|纠错")
_SITE_LINES = re.compile(
    r"^(?:今天是.{0,30}|扫一扫在手机(?:上)?(?:打开|浏览|查看)(?:当前页|本页)?|本篇文章\d+字.{0,12}"
    r"|打开.{1,12}客户端查看|该功能需要在.{1,20}中使用.{0,10}|(?:上|下)一篇[：:].*|相关链接[：:]?|【?相关(?:阅读|新闻)】?)$"
)
_IMAGE_NAME = re.compile(r"^[\w\s()（）.\-]{1,80}\.(?:jpe?g|png|gif|bmp|webp)$", re.I)
_DATE_ONLY = re.compile(
    r"^(?:\S{1,16}\s+){0,3}(?:\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{1,2}月\d{1,2}日)"
    r"(?:\s*\d{1,2}[:：]\d{2}(?::\d{2})?)?(?:\s*(?:星期|周)[一二三四五六日天])?$"
)
_RELATIVE_DATE = re.compile(r"^(?:今天|昨天|前天|\d{1,2}\s*(?:分钟|小时|天|周)前)$")


def is_wechat_residue(line: str) -> bool:
    """Return whether a whole line is WeChat page furniture (reader UI, tip box, QR prompt, counter)."""
    if len(line) > 120:
        return False  # no UI string is this long; skip the key on body paragraphs
    key = match_key(line)
    if not key or key in _WECHAT_UI:
        return True
    if len(key) > 48 or _SENTENCE_END.search(key[:-1]):
        return False  # long lines and multi-sentence lines are article text
    if key.endswith("。") and not key.startswith(("长按", "扫码", "关注", "点击")):
        return False  # a sentence; prompts rarely end with a full stop
    return _WECHAT_UI_PATTERNS.fullmatch(key) is not None or _WORDLESS.fullmatch(key) is not None


def is_list_header(line: str) -> bool:
    """Return whether a line heads a list of other articles (喜欢此内容的人还喜欢, 往期推荐 ...)."""
    return len(line) <= 24 and match_key(line) in _LIST_HEADERS


def is_date_line(line: str) -> bool:
    """Return whether a line is only a date (and maybe a time, weekday, or a short name before it)."""
    return (_DATE_ONLY.fullmatch(line) is not None and search_date(line) is not None) or bool(
        _RELATIVE_DATE.fullmatch(line)
    )


def drop_script(lines: Iterable[str]) -> list[str]:
    """Return the lines without inline JavaScript/CSS statements and blocks."""
    kept: list[str] = []
    depth = 0
    for line in lines:
        if depth > 0:
            if has_cjk(line) and not _CODE_CHARS.search(line) and cjk_count(line) >= 8:
                depth = 0  # a prose line: the block was unbalanced, stop eating text
            else:
                depth = max(0, depth + line.count("{") - line.count("}"))
                continue
        if _SCRIPT_START.match(line) and not _is_prose(line):
            depth = max(0, line.count("{") - line.count("}"))
            continue
        kept.append(line)
    return kept


def _is_prose(line: str) -> bool:
    # "if(" can start nothing Chinese, but a dotted name could be "1.2.3 ..." style numbering.
    return cjk_count(line) > 20 and not line.rstrip().endswith((";", "{", "}"))


def drop_wechat_residue(lines: Iterable[str], *, names: Iterable[str] = ()) -> list[str]:
    """Return the lines without script, WeChat furniture and lists of other articles.

    ``names`` (the account name, the title) are dropped only where they stand among residue,
    where WeChat repeats them in its footer, never inside the article.
    """
    repeat_keys = {match_key(n) for n in names if n}
    kept: list[str] = []
    after_residue = False
    in_list = False
    lines = drop_script(lines)
    for at, line in enumerate(lines):
        if in_list:
            if len(line) <= 40 and not _SENTENCE_END.search(line):
                continue
            in_list = False
        if is_list_header(line):
            in_list = after_residue = True
            continue
        if (
            is_wechat_residue(line)
            or (after_residue and len(line) <= 64 and match_key(line) in repeat_keys)
            or (after_residue and _HASHTAGS.fullmatch(match_key(line)))
            or (after_residue and _COUNTERS_AFTER_UI.fullmatch(match_key(line)))
            or (after_residue and _is_label_between_residue(line, lines[at + 1 : at + 2]))
        ):
            after_residue = True
            continue
        after_residue = False
        kept.append(line)
    return _cut_tail(kept, repeat_keys)


def _is_label_between_residue(line: str, following: list[str]) -> bool:
    """A short name-like line with UI on both sides: the author under 喜欢作者, the account under 继续滑动看下一个."""
    key = match_key(line)
    return (
        0 < len(key) <= _MAX_NAME
        and not _SENTENCE_END.search(key)
        and not any(mark in key for mark in "，、；：")
        and bool(following)
        and is_wechat_residue(following[0])
    )


def _cut_tail(lines: list[str], repeat_keys: set[str]) -> list[str]:
    """Drop what trails the article: the title or account repeated, and UI, from the last line up."""
    end = len(lines)
    while end and (is_wechat_residue(lines[end - 1]) or match_key(lines[end - 1]) in repeat_keys):
        end -= 1
    return lines[:end]


def is_site_chrome(line: str) -> bool:
    """Return whether a line is a site's chrome anywhere on a page: breadcrumb, print/close, font size."""
    if _BREADCRUMB.search(line) or _SITE_LINES.match(line) or _IMAGE_NAME.match(line):
        return True
    if len(_STRONG_LABELS.findall(line)) >= 2 or _EMPTY_LABEL.match(line):
        return True
    if _STRONG_UI.search(line) and len(line) <= 40 and not _UI_WORDS.sub("", line):
        return True
    return bool(_WORDLESS.fullmatch(line))


def is_header_chrome(line: str, title: str = "") -> bool:
    """Return whether a line above the article text is metadata rather than article.

    Label lines (来源：, 发布时间：, 索引号：), dates, and the title repeated (maybe with metadata
    after it, or broken over lines) are only dropped in the header, where they cannot be prose.
    """
    if is_site_chrome(line) or is_date_line(line) or _LABEL_LINE.match(line):
        return True
    key = match_key(line)
    title_key = match_key(title)
    if title_key and key.startswith(title_key):
        # The title, maybe with metadata after it; but "标题，接着说下去。" is the article's first sentence.
        return not _continues_as_prose(key[len(title_key) :])
    if title_key and len(key) >= 4 and key in title_key:
        return True
    return bool(_WECHAT_UI_PATTERNS.fullmatch(key)) and len(key) <= 30


def _continues_as_prose(rest: str) -> bool:
    """Whether what follows the title on a line (as ``match_key`` gives it) goes on as a sentence."""
    return bool(rest) and (rest[0] in "，、；" or any(mark in rest for mark in "。！？"))


def is_substantial(line: str) -> bool:
    """Return whether a line is clearly article prose (where a page's header must have ended)."""
    return cjk_count(line) >= 30 and not _LABEL_LINE.match(line)


def drop_site_chrome(lines: list[str], title: str = "") -> list[str]:
    """Return the lines without site chrome, and without metadata lines above the article text."""
    kept: list[str] = []
    in_header = True
    for line in lines:
        if in_header and is_substantial(line) and not is_header_chrome(line, title):
            in_header = False
        if is_site_chrome(line) or (in_header and is_header_chrome(line, title)):
            continue
        kept.append(line)
    return kept
