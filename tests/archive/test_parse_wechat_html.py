"""Raw WeChat article pages, and the notice pages WeChat serves for deleted articles."""

import datetime as dt
import json
import re

import pytest

from archive.ingest.parse import RecordRejected, parse_record
from archive.ingest.records import WECHAT_HTML, RawRecord


def page(path):
    return parse_record(RawRecord(str(path), "file", WECHAT_HTML, path.read_text(encoding="utf-8")))


def wechat_page(*, content, ct="1521478800", extra_script="", title="府山街道开展消防演练"):
    """Build a minimal page shaped like mp.weixin.qq.com's."""
    return f"""<!DOCTYPE html><html><head>
<meta property="og:url" content="http://mp.weixin.qq.com/s?__biz=MzA=&amp;mid=1&amp;idx=2" />
<script>var nickname = "越城发布"; var ct = "{ct}"; {extra_script}</script></head>
<body id="activity-detail"><div class="rich_media_inner">
<h2 class="rich_media_title" id="activity-name">
    {title}
</h2>
<div id="js_profile_qrcode"><strong class="profile_nickname">越城发布</strong>
<p class="profile_meta"><label class="profile_meta_label">微信号</label>
<span class="profile_meta_value">yuecheng_fabu</span></p>
<p class="profile_meta"><label class="profile_meta_label">功能介绍</label>
<span class="profile_meta_value">越城区官方发布</span></p></div>
<div class="rich_media_content" id="js_content" style="visibility: hidden;">{content}</div>
</div></body></html>"""


def parse_page(html):
    return parse_record(RawRecord("page.html", "file", WECHAT_HTML, html))


def sentences(text):
    return [s for s in re.split(r"(?<=[。！？])", re.sub(r"\s", "", text)) if len(s) > 1]


def test_gcdyweixin_page_gives_account_date_and_title(test_data):
    article = page(test_data / "gcdyweixin_2018-03-20.html")
    assert article.title == "【视频】石榴花开"
    assert (article.source_name, article.account_id) == ("共产党员", "gcdyweixin")
    assert article.account_description == "新华网承办的中共中央组织部“共产党员”项目。"
    assert article.published == dt.date(2018, 3, 20)
    assert article.body.startswith("“各民族要相互了解、相互尊重、")
    assert "像石榴籽那样紧紧抱在一起。”" in article.body.split("\n\n")
    assert article.reprint_note == "新华社"  # （来源：新华社）
    assert "mmbiz" not in article.body and "<" not in article.body


def test_zhangshangsuide_page_gives_account_date_url_and_title(test_data):
    article = page(test_data / "zhangshangsuide_2022-07-31.html")
    assert article.title == "绥德：33名退役军人被表彰"
    assert (article.source_name, article.account_id) == ("掌上绥德", "zhangshangSD")
    assert article.account_description.startswith("与您一起关注绥德")
    assert article.published == dt.date(2022, 7, 31)  # only in var ct
    # var msg_link is JS-escaped and HTML-escaped: \x26amp; is a plain "&".
    assert article.original_url.startswith("http://mp.weixin.qq.com/s?__biz=MzAxMzgxNzUxOA==&mid=2650804290&idx=8&sn=")
    assert "amp;" not in article.original_url and "\\x26" not in article.original_url


def test_zhangshangsuide_body_matches_the_benchmark_clean_text(test_data):
    article = page(test_data / "zhangshangsuide_2022-07-31.html")
    reference = json.loads((test_data / "zhangshangsuide_2022-07-31.reference.json").read_text(encoding="utf-8"))
    expected = sentences(next(iter(reference.values()))["content"])
    flat = re.sub(r"\s", "", article.body)
    found, at = 0, 0
    for sentence in expected:
        position = flat.find(sentence, at)
        if position >= 0:
            found, at = found + 1, position + len(sentence)
    assert found / len(expected) >= 0.9, f"{found} of {len(expected)} reference sentences in order"
    assert "推荐阅读" not in article.body  # the footer's link to another article
    assert article.body.endswith("（sd退役军人之家）")


def test_publish_timestamp_is_a_china_time_date():
    # 1521478800 is 2018-03-19 17:00 UTC, already the 20th in Shanghai.
    article = parse_page(wechat_page(content="<p>府山街道组织居民开展消防演练。</p>", ct="1521478800"))
    assert article.published == dt.date(2018, 3, 20)
    assert article.original_url == "http://mp.weixin.qq.com/s?__biz=MzA=&mid=1&idx=2"


def test_page_without_a_timestamp_has_no_date():
    article = parse_page(wechat_page(content="<p>府山街道组织居民开展消防演练。</p>", ct=""))
    assert article.published is None


def test_msg_link_wins_over_og_url_and_is_unescaped():
    script = r'var msg_link = "http://mp.weixin.qq.com/s?__biz=X==\x26amp;mid=9\x26amp;idx=1#rd";'
    article = parse_page(wechat_page(content="<p>正文。</p>", extra_script=script))
    assert article.original_url == "http://mp.weixin.qq.com/s?__biz=X==&mid=9&idx=1#rd"


def test_body_paragraphs_come_from_blocks_and_br_without_media_or_prompts():
    content = """
<section><p>府山街道组织居民开展消防演练。<br>演练持续两小时。</p></section>
<p><img src="x.jpg"><span>图为演练现场</span></p>
<script>var hidden = "脚本里的文字";</script><style>.a{color:red}</style>
<p style="display:none">隐藏的文字</p>
<p>长按识别二维码关注我们</p>
<section>社区居民扫描二维码进行预约登记。</section>
<p>阅读原文</p>"""
    article = parse_page(wechat_page(content=content))
    assert article.body.split("\n\n") == [
        "府山街道组织居民开展消防演练。",
        "演练持续两小时。",
        "图为演练现场",
        "社区居民扫描二维码进行预约登记。",
    ]
    assert (article.source_name, article.account_id, article.account_description) == (
        "越城发布",
        "yuecheng_fabu",
        "越城区官方发布",
    )
    assert article.title == "府山街道开展消防演练"


def test_deleted_article_page_is_rejected_with_a_clear_reason(test_data):
    with pytest.raises(RecordRejected) as caught:
        page(test_data / "deleted_article.html")
    assert caught.value.reason == "deleted_article"
    assert "链接已过期" in caught.value.message


@pytest.mark.parametrize(
    "notice", ["该内容已被发布者删除", "此内容因违规无法查看", "此内容被投诉且经审核涉嫌侵权，无法查看。"]
)
def test_other_wechat_removal_notices_are_deleted_articles(notice):
    html = (
        '<html><head><script src="//res.wx.qq.com/x.js"></script></head><body><div class="weui-msg">'
        f'<h2 class="weui-msg__title">{notice}</h2></div></body></html>'
    )
    with pytest.raises(RecordRejected) as caught:
        parse_page(html)
    assert caught.value.reason == "deleted_article"
    assert notice in caught.value.message


def test_page_with_an_unknown_notice_is_not_stored_as_an_article():
    notice = '<h2 class="weui-msg__title">访问过于频繁，请稍后再试</h2>'
    html = f'<html><body><div class="weui-msg">{notice}</div></body></html>'
    with pytest.raises(RecordRejected) as caught:
        parse_page(html)
    assert caught.value.reason == "wechat_notice"
