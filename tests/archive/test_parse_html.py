"""Government and news pages: main text, title, date and source out of the site's chrome."""

import datetime as dt
import html
import json
import sys
from pathlib import Path

import pytest
from lxml import html as lxml_html

from archive.ingest.parse import RecordRejected, parse_record
from archive.ingest.records import HTML, WECHAT_HTML, RawRecord, iter_records

NAV = """
<div class="top"><a href="/">首页</a> <a href="/xw">新闻中心</a> <a href="/zw">政务公开</a> <a href="/bs">办事服务</a>
<a href="/hd">互动交流</a> <span>今天是2018年10月16日 星期二</span></div>
<div class="search"><form><input name="q"><button>搜索</button></form></div>"""
SIDEBAR = """
<div class="side"><h3>热点新闻</h3><ul>
<li><a href="/a1">钟楼区召开全区经济工作会议部署明年重点任务</a></li>
<li><a href="/a2">南大街街道开展垃圾分类进社区宣传活动</a></li>
<li><a href="/a3">区领导调研老旧小区改造工作推进情况</a></li>
<li><a href="/a4">五星街道举办邻里节活动丰富居民文化生活</a></li>
</ul></div>"""
FOOTER = """
<div class="foot"><p>主办单位：常州市钟楼区人民政府办公室 地址：常州市钟楼区龙城大道 联系电话：0519-00000000</p>
<p>版权所有：常州市钟楼区人民政府 苏ICP备00000000号 网站标识码：0000000000</p></div>"""


@pytest.fixture
def item(test_data):
    with (test_data / "localgov_sample.jsonl").open(encoding="utf-8") as lines:
        return json.loads(next(lines))


def paragraphs_of(item):
    """The article's own paragraphs: the sample's text without its breadcrumb line."""
    return [line for line in item["text"].split("\n") if line and not line.startswith("您当前的位置")]


def parse(page):
    return parse_record(RawRecord("page.html", "file", HTML, page))


def gov_page(item, *, container='<div class="TRS_Editor">', head=""):
    body = "".join(f"<p>{html.escape(p)}</p>\n" for p in paragraphs_of(item))
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>{item["title"]}_常州市钟楼区人民政府</title>{head}</head><body>
{NAV}
<div class="position">您当前的位置：<a href="/">首页</a> &gt;&gt; <a>新闻中心</a> &gt;&gt;
<a>基层信息</a> &gt;&gt; 南大街街道</div>
<div class="main"><div class="left">
<h1 class="title">{item["title"]}</h1>
<div class="info">来源：南大街街道&nbsp;&nbsp;发布时间：2018-10-16 09:30&nbsp;&nbsp;浏览次数：<span>128</span></div>
<div class="fontsize">字号：<a>大</a> <a>中</a> <a>小</a></div>
{container}
{body}
</div>
<div class="tools">【<a>打印本页</a>】【<a>关闭窗口</a>】</div>
</div>{SIDEBAR}</div>
{FOOTER}
</body></html>"""


def test_government_page_gives_title_date_source_and_only_the_article_text(item):
    article = parse(gov_page(item))
    assert article.title == "市政协考察团到南大街街道金色新城社区视察减负增效工作"
    assert article.published == dt.date(2018, 10, 16)
    assert article.source_name == "南大街街道"
    assert article.body.split("\n\n") == paragraphs_of(item)
    assert article.title_only is False


def test_main_text_is_found_by_density_without_a_known_container(item):
    article = parse(gov_page(item, container='<div class="xl-nr-box">'))
    assert article.body.split("\n\n") == paragraphs_of(item)
    for chrome in ("热点新闻", "版权所有", "打印本页", "字号", "您当前的位置", "首页", "浏览次数"):
        assert chrome not in article.body


def test_meta_tags_give_date_title_and_site_when_the_page_prints_none():
    paragraphs = [
        "4月11日上午，区委书记王迎波带队开展城市社区治理工作观摩活动，区委副书记黄东明等参加观摩。",
        "王迎波一行先后到北环路街道明珠社区、五一路街道五一路社区实地了解社区班子配备、网格划分等情况。",
    ]
    page = f"""<html><head>
<meta name="ArticleTitle" content="卫东区开展城市社区治理观摩活动">
<meta name="PubDate" content="2020-04-11 10:20">
<meta property="og:site_name" content="平顶山市卫东区人民政府">
<title>卫东区开展城市社区治理观摩活动 - 卫东要闻</title></head><body>{NAV}
<article><h1>卫东区开展城市社区治理观摩活动</h1>{"".join(f"<p>{p}</p>" for p in paragraphs)}</article>
{SIDEBAR}{FOOTER}</body></html>"""
    article = parse(page)
    assert (article.title, article.published, article.source_name) == (
        "卫东区开展城市社区治理观摩活动",
        dt.date(2020, 4, 11),
        "平顶山市卫东区人民政府",
    )
    assert article.body.split("\n\n") == paragraphs


def test_published_time_meta_with_an_offset_is_a_china_date():
    page = """<html><head><meta property="article:published_time" content="2021-06-10T20:15:35+00:00">
<title>新闻</title></head><body><article><h1>新闻</h1>
<p>府山街道组织辖区居民开展消防应急演练，提高居民火灾防范意识和自救互救能力。</p></article></body></html>"""
    assert parse(page).published == dt.date(2021, 6, 11)


def test_title_falls_back_to_the_title_tag_without_the_site_suffix():
    page = """<html><head><title>新新街街道召开区域化党建联席会 | 平顶山市新华区人民政府</title></head><body>
<div id="zoom"><p>新新街街道召集辖区共驻共建企事业单位负责人，召开新新街街道8月份党建联席会议，搭建共建平台。</p></div>
</body></html>"""
    article = parse(page)
    assert article.title == "新新街街道召开区域化党建联席会"
    assert article.published is None  # the page states no date: none is guessed
    assert article.source_name == ""


def test_page_with_no_text_and_no_title_is_rejected():
    with pytest.raises(RecordRejected) as caught:
        parse("<html><head></head><body><img src='a.png'></body></html>")
    assert caught.value.reason == "no_content"


# -- routing: a page is WeChat's by its structure, not by a script it loads ---------------------------

JWEIXIN = '<script src="https://res.wx.qq.com/open/js/jweixin-1.6.0.js"></script>'
NEWS_PARAGRAPHS = (
    "5月9日，国务院新闻办举行系列主题新闻发布会，河南省有关负责同志介绍了推动中部地区崛起的相关情况。",
    "今年一季度，全省地区生产总值同比增长4.7%，规模以上工业增加值增长7.9%，固定资产投资增长7.9%。",
    "下一步，河南将坚持把发展经济的着力点放在实体经济上，加快建设现代化产业体系。",
)


def news_page(*, head: str = JWEIXIN, after: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in NEWS_PARAGRAPHS)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">{head}</head><body>
{NAV}<div class="main"><h1>河南在新时代中部地区崛起中争先出彩</h1>
<div class="box"><div class="text">{body}{after}</div></div></div>{SIDEBAR}{FOOTER}
<script>wx.config({{debug: false, appId: "wx0000", jsApiList: ["updateAppMessageShareData"]}});</script>
</body></html>"""


def ingest_file(path):
    (record,) = iter_records(path, max_record_bytes=1 << 24)
    return record, parse_record(record)


def test_a_news_page_that_loads_wechats_share_sdk_parses_as_a_news_article(tmp_path):
    path = tmp_path / "news.html"
    path.write_text(news_page(), encoding="utf-8")
    record, article = ingest_file(path)
    assert record.format == HTML
    assert article.title == "河南在新时代中部地区崛起中争先出彩"
    assert article.body.split("\n\n") == list(NEWS_PARAGRAPHS)


def test_a_news_page_linking_to_a_wechat_article_parses_as_a_news_article(tmp_path):
    link = '<p><a href="https://mp.weixin.qq.com/s?__biz=Mzg3NTA5&amp;mid=22483">原文链接</a></p>'
    path = tmp_path / "news.html"
    head = "<title>河南在新时代中部地区崛起中争先出彩_新浪新闻</title>"
    path.write_text(news_page(head=head, after=link), encoding="utf-8")
    record, article = ingest_file(path)
    assert record.format == HTML
    assert article.body.startswith(NEWS_PARAGRAPHS[0])


def test_a_page_wechats_parser_finds_no_text_in_goes_to_the_generic_parser():
    page = news_page(head='<meta property="og:url" content="https://mp.weixin.qq.com/s/abcDEF">')
    article = parse_record(RawRecord("page.html", "file", WECHAT_HTML, page))
    assert article.body.split("\n\n") == list(NEWS_PARAGRAPHS)


def test_a_wechat_picture_post_stays_title_only_without_the_account_card_as_its_body(test_data):
    page = (test_data / "gcdyweixin_2018-03-20.html").read_text(encoding="utf-8")
    root = lxml_html.document_fromstring(page)
    content = root.get_element_by_id("js_content")
    for child in list(content):
        content.remove(child)
    content.text = ""
    article = parse_record(RawRecord("page.html", "file", WECHAT_HTML, lxml_html.tostring(root, encoding="unicode")))
    assert (article.title, article.body, article.title_only) == ("【视频】石榴花开", "", True)


def test_wechats_deleted_article_notice_is_still_rejected(test_data):
    with pytest.raises(RecordRejected) as caught:
        ingest_file(test_data / "deleted_article.html")
    assert caught.value.reason == "deleted_article"


# -- where the article ends -----------------------------------------------------------------------------


def test_the_body_ends_at_the_editor_line_not_in_the_related_reading_and_comments_below():
    after = """<p>（记者 王晓）</p><p>责任编辑：刘光博</p>
<div class="related"><h3>相关阅读</h3><p>河南省召开全省经济形势分析会议，研究部署下一阶段经济工作。</p>
<p>郑州市出台支持先进制造业高质量发展的若干政策措施，涵盖资金土地人才等方面。</p></div>
<div class="comments"><p>243条评论|3,930人参与网友评论</p>
<p>这篇报道写得很好，希望家乡越来越好，发展越来越快。</p></div>"""
    article = parse(news_page(head="<title>河南在新时代中部地区崛起中争先出彩</title>", after=after))
    assert article.body.split("\n\n") == [*NEWS_PARAGRAPHS, "（记者 王晓）", "责任编辑：刘光博"]


def test_a_related_reading_list_below_the_article_is_cut_without_an_editor_line():
    after = """<p>相关新闻</p><p>郑州市出台支持先进制造业高质量发展的若干政策措施，涵盖资金土地人才等方面。</p>"""
    article = parse(news_page(head="<title>河南在新时代中部地区崛起中争先出彩</title>", after=after))
    assert article.body.split("\n\n") == list(NEWS_PARAGRAPHS)


def test_a_player_and_author_card_in_the_article_block_are_dropped_where_no_peer_keeps_them():
    before = "<div>播报文章</div><div>管不饿</div><div>关注</div><div>00:00/00:00</div><div>倍速</div>"
    body = "".join(f"<p>{p}</p>" for p in NEWS_PARAGRAPHS)
    page = f"""<html><head><title>河南在新时代中部地区崛起中争先出彩</title></head><body>{NAV}
<div class="box"><h1>河南在新时代中部地区崛起中争先出彩</h1>{before}<div class="text">{body}</div></div>
{SIDEBAR}{FOOTER}</body></html>"""
    assert parse(page).body.split("\n\n") == list(NEWS_PARAGRAPHS)


# -- the real pages of ../shared/data/extraction ------------------------------------------------------------

EXTRACTION = Path(__file__).resolve().parents[3] / "shared" / "data" / "extraction"
F1_FLOOR = 0.93  # the archive's mean on these pages is 0.983 (readability-lxml 0.862, the best peer)


@pytest.mark.skipif(not (EXTRACTION / "references.json").exists(), reason="../shared/data/extraction is absent")
def test_the_dev_pages_are_all_parsed_and_their_mean_f1_is_above_the_floor():
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from extract import archive_extract, f1

    references = json.loads((EXTRACTION / "references.json").read_text("utf-8"))
    scores, rejected = [], []
    for key, reference in sorted(references.items()):
        body, reason = archive_extract(EXTRACTION / "pages" / f"{key}.html")
        if reason:
            rejected.append((key, reason))
        scores.append(f1(body, reference["content"]))
    assert rejected == []
    assert sum(scores) / len(scores) > F1_FLOOR


def test_a_comment_thread_longer_than_the_article_does_not_take_its_place():
    comments = "".join(
        f'<div class="comment-item"><p>网友{i}号：我是河南人，看到家乡这些年的变化真的很感慨，道路宽了，楼房高了，'
        f"工厂多了，希望越来越好，第{i}条。</p></div>"
        for i in range(12)
    )
    page = f"""<html><head><title>河南在新时代中部地区崛起中争先出彩</title></head><body>
<div class="wrap"><h1>河南在新时代中部地区崛起中争先出彩</h1><div class="text">
{"".join(f"<p>{p}</p>" for p in NEWS_PARAGRAPHS)}</div></div>
<div id="comments" class="comment-list"><h3>网友评论</h3>{comments}</div></body></html>"""
    assert parse(page).body.split("\n\n") == list(NEWS_PARAGRAPHS)


@pytest.mark.parametrize(
    "markup",
    [
        '<div class="rich_media_content" id="js_content"><p>正文。</p></div>',
        '<div class="rich_media_area_primary"><h1 class="rich_media_title">标题</h1></div>',
        '<meta property="og:url" content="http://mp.weixin.qq.com/s?__biz=MzAx&amp;mid=26">',
        '<script>var ct = "1659254400";</script>',
    ],
    ids=["js_content", "rich_media", "og:url", "var ct"],
)
def test_a_page_is_wechats_by_its_structure(tmp_path, markup):
    assert _routed_format(tmp_path, markup) == WECHAT_HTML


@pytest.mark.parametrize(
    "markup",
    [
        JWEIXIN,
        '<link rel="dns-prefetch" href="//res.wx.qq.com">',
        '<a href="https://mp.weixin.qq.com/s/abcDEF">关注我们的公众号</a>',
        "<script>var nickname = '';</script>",
    ],
    ids=["jweixin", "res.wx.qq.com", "link to mp.weixin", "var nickname"],
)
def test_a_script_or_link_to_wechat_does_not_make_a_page_wechats(tmp_path, markup):
    assert _routed_format(tmp_path, markup) == HTML


def _routed_format(tmp_path, markup: str) -> str:
    """The format a page holding the markup and one paragraph is read as."""
    path = tmp_path / "page.html"
    path.write_text(f"<html><head></head><body>{markup}<p>正文。</p></body></html>", encoding="utf-8")
    (record,) = iter_records(path, max_record_bytes=1 << 20)
    return record.format


def test_a_players_controls_above_the_first_sentence_go_and_the_byline_stays():
    player = "".join(f"<div>{c}</div>" for c in ("展开", "倍速", "2.0X", "1.5X", "00:00", "时长：01:45 来源：电影网"))
    body = "".join(f"<p>{p}</p>" for p in NEWS_PARAGRAPHS)
    page = f"""<html><head><title>河南在新时代中部地区崛起中争先出彩</title></head><body>
<div class="video-news"><div class="player">{player}</div><p>本报讯（记者 王晓）</p>{body}</div>
{FOOTER}</body></html>"""
    assert parse(page).body.split("\n\n") == ["本报讯（记者 王晓）", *NEWS_PARAGRAPHS]
