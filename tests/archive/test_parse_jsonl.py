"""JSON Lines records: feed items (title + body/content) and the government-site text they carry."""

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from archive.ingest.parse import RecordRejected, parse_record
from archive.ingest.records import JSONL, RawRecord

CHROME = (
    "您当前的位置",
    "当前所在位置",
    "当前位置",
    "首页",
    "今天是",
    "浏览量",
    "浏览次数",
    "发布时间",
    "发布日期",
    "打印",
    "关闭本页",
    "[字体",
    "索引号",
    "公开方式",
    "主题分类",
    "成文日期",
    "640 (15).jpg",
    "客户端",
    "©原创",
    "本篇文章",
)


def parse(data):
    return parse_record(RawRecord("feed.jsonl", "line 1", JSONL, json.dumps(data, ensure_ascii=False), data))


@pytest.fixture(scope="module")
def sample():
    with (Path(__file__).resolve().parents[1] / "data" / "localgov_sample.jsonl").open(encoding="utf-8") as lines:
        items = [json.loads(line) for line in lines]
    return [(item, parse(item)) for item in items]


def prose_sentences(text):
    """The sample text's real sentences (ended, and long enough that no chrome line can be one)."""
    found = []
    for line in text.split("\n"):
        for sentence in re.split(r"(?<=[。！？；;])", re.sub(r"\s", "", line)):
            if sentence.endswith(("。", "！", "？", "；", ";")) and len(re.findall(r"[\u4e00-\u9fff]", sentence)) >= 20:
                found.append(sentence)
    return found


def test_every_sample_item_keeps_its_prose_in_order_and_loses_the_page_chrome(sample):
    for item, article in sample:
        flat, at = re.sub(r"\s", "", article.body), 0
        for sentence in prose_sentences(item["text"]):
            found = flat.find(sentence, at)
            assert found >= 0, (item["url"], sentence)
            at = found + len(sentence)
        for chrome in CHROME:
            assert chrome not in article.body, (item["url"], chrome)
        assert article.title == item["title"]
        assert article.original_url == item["url"]
        assert "\n\n\n" not in article.body and article.body == article.body.strip()


def test_sample_dates_come_from_the_date_field_or_none(sample):
    for item, article in sample:
        expected = dt.date.fromisoformat(item["date"]) if item["date"] else None
        assert article.published == expected, item["url"]


def test_site_field_gives_the_site_name_without_domain_or_section(sample):
    names = [article.source_name for _, article in sample]
    assert names[0] == "常州市钟楼区人民政府"  # "常州市钟楼区人民政府 zhonglou.gov.cn (新闻中心>…)"
    assert names[6] == "美篇"
    assert names[13] == "sjz.gov.cn"  # only a domain: it is the name


def test_breadcrumb_title_and_metadata_lines_above_the_text_are_dropped(sample):
    bodies = {item["url"].split("/")[2]: article.body for item, article in sample}
    assert bodies["www.zhonglou.gov.cn"].startswith("10月16日,由市政协副主席")
    assert bodies["www.weidong.gov.cn"].startswith("4月11日上午,区委书记")
    assert bodies["www.shenyang.gov.cn"].startswith("5月15日,皇姑区北塔街道")
    assert bodies["www.fengxian.gov.cn"].startswith("11月27日,四团镇")
    assert bodies["www.sx.gov.cn"].startswith("《绍兴市人民政府关于越城区部分街道行政区划调整的批复》已经发布。")
    assert bodies["www.wuxing.gov.cn"].startswith("2023年,区民政局")
    assert bodies["hznews.hangzhou.com.cn"].startswith("“开学了,我儿子")
    assert bodies["m.shaoxing.com.cn"].startswith("越牛新闻记者 胡诚浩\n\n编者按:")  # the byline is the article's


def test_signature_lines_at_the_end_are_article_text_and_stay(sample):
    bodies = {item["url"].split("/")[2]: article.body for item, article in sample}
    assert bodies["xinhuaqu.gov.cn"].endswith("(文字:新新街街道 景岩 单位审核:徐振华)")
    assert bodies["www.shenyang.gov.cn"].endswith("撰稿人:李子木 审核人:毕玉洪")


def test_title_only_item_is_accepted_and_marked():
    article = parse(
        {"title": "府山街道举行消防演练", "published": "Fri, 11 Jun 2021 09:15:35 +0800", "account": "越城发布"}
    )
    assert (article.title, article.body, article.title_only) == ("府山街道举行消防演练", "", True)
    assert (article.published, article.source_name) == (dt.date(2021, 6, 11), "越城发布")


@pytest.mark.parametrize("data", [{"url": "https://example.org/x"}, {"title": "  ", "body": "\n"}, {"text": ""}])
def test_item_with_neither_title_nor_body_is_rejected(data):
    with pytest.raises(RecordRejected) as caught:
        parse(data)
    assert caught.value.reason == "no_content"


def test_content_key_and_source_key_and_timestamp_date_are_read():
    article = parse({"title": "标题", "content": "第一段。\n\n第二段。", "source": "越城发布", "date": 1521478800})
    assert (article.body, article.source_name, article.published) == (
        "第一段。\n\n第二段。",
        "越城发布",
        dt.date(2018, 3, 20),
    )


def test_account_wins_over_site():
    assert (
        parse({"title": "标题", "body": "正文。", "account": "越城组工", "site": "某网站 x.gov.cn"}).source_name
        == "越城组工"
    )


def test_missing_date_field_falls_back_to_the_date_the_page_prints_above_the_text():
    text = (
        "标题\n来源: 发布时间:2020-04-11\n\n4月11日上午,区委书记王迎波带队开展城市社区治理工作观摩活动,区委副书记参加。"
    )
    article = parse({"title": "标题", "text": text})
    assert article.published == dt.date(2020, 4, 11)
    assert article.body.startswith("4月11日上午")


def test_a_date_in_the_article_text_is_not_taken_for_the_publish_date():
    body = "府山街道将于2021年6月11日举行消防演练，欢迎辖区居民积极参加，提高火灾防范意识和自救互救能力。"
    assert parse({"title": "通知", "body": body}).published is None


def test_body_without_a_title_gives_a_title_from_its_first_line():
    article = parse({"body": "府山街道举行消防演练\n府山街道组织居民开展消防演练。"})
    assert (article.title, article.body) == ("府山街道举行消防演练", "府山街道组织居民开展消防演练。")


def test_body_with_the_reprint_source_gives_the_reprint_note():
    article = parse({"title": "标题", "body": "府山街道组织居民开展消防演练。\n（来源：绍兴日报）"})
    assert article.reprint_note == "绍兴日报"
    assert article.body.endswith("（来源：绍兴日报）")
