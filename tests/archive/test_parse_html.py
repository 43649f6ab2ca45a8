"""Government and news pages: main text, title, date and source out of the site's chrome."""

import datetime as dt
import html
import json

import pytest

from archive.ingest.parse import RecordRejected, parse_record
from archive.ingest.records import HTML, RawRecord

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
