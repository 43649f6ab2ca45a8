"""Crawl-dump records (text:'…'): the seed, and the variants other dumps of the same kind take."""

import ast
import datetime as dt
import json
import re

import pytest

from archive.ingest.parse import RecordRejected, parse_record
from archive.ingest.records import DUMP, JSONL, RawRecord

SEED_TITLE = "【媒体聚焦】共产党员杂志：越城区搭好“五星”台，唱好“和美”戏"
BODY_START = "《共产党员》2018年第8期刊登了"
BODY_END = "导致党员们缺少组织活动的空白。"
RESIDUE = [
    "赞赏",
    "长按二维码向我转账",
    "受苹果公司新规定影响",
    "好看",
    "var first_sceen__time",
    "document.getElementById",
    "navigator.userAgent",
    "网络异常",
    "已推荐到看一看",
    "分享你的想法",
    "最多200字",
    "朋友将在看一看看到",
    "已取消",
    "微信号",
    "功能介绍",
    "yuechengZG",
    "政策咨询、信息发布、交流共享",
    "2018-09-11",
]
# Whole lines the page's UI leaves; the body may still use the words inside sentences
# (the seed's body says "真正根据票决知道了居民最主要的需求").
UI_LINES = {"阅读", "好看", "知道了", "我知道了", "取消", "确定", "推荐", "发送", "已发送", "发送中", "赞赏"}


@pytest.fixture
def seed(test_data):
    return (test_data / "seed.txt").read_text(encoding="utf-8")


def dump(raw):
    return parse_record(RawRecord("seed.txt", "file", DUMP, raw))


def seed_sentences(raw):
    """Return the seed body's sentences, straight from the literal (whitespace removed)."""
    text = ast.literal_eval(raw[len("text:") :])
    body = text[text.index(BODY_START) : text.index(BODY_END) + len(BODY_END)]
    return [s for s in re.split(r"(?<=[。？！])", re.sub(r"\s", "", body)) if s]


def assert_sentences_in_order(body, sentences):
    flat = re.sub(r"\s", "", body)
    at = 0
    for sentence in sentences:
        found = flat.find(sentence, at)
        assert found >= 0, f"missing or out of order: {sentence}"
        at = found + len(sentence)


def test_seed_dump_yields_exact_title_source_and_date(seed):
    article = dump(seed)
    assert article.title == SEED_TITLE
    assert (article.source_name, article.account_id, article.account_description) == (
        "越城组工",
        "yuechengZG",
        "政策咨询、信息发布、交流共享",
    )
    assert article.published == dt.date(2018, 9, 11)
    assert article.reprint_note == "《共产党员》2018年第8期"
    assert article.original_url == ""
    assert article.title_only is False


def test_seed_body_keeps_every_sentence_in_order_between_the_known_ends(seed):
    body = dump(seed).body
    assert body.startswith(BODY_START)
    assert body.endswith(BODY_END)
    assert_sentences_in_order(body, seed_sentences(seed))
    assert "真正根据票决知道了居民最主要的需求" in body  # a sentence with a UI word in it stays


def test_seed_body_has_no_page_residue(seed):
    body = dump(seed).body
    for residue in RESIDUE:
        assert residue not in body, residue
    assert not UI_LINES & set(body.split("\n\n"))


def test_seed_body_paragraphs_are_clean_and_split_where_the_page_had_breaks(seed):
    body = dump(seed).body
    paragraphs = body.split("\n\n")
    # Each \xa0 after a sentence end marks a lost paragraph break: 兼职？\xa0实则不然 …
    assert seed.count("\\xa0") == 7
    assert len(paragraphs) == 8
    assert paragraphs[1].startswith("实则不然")
    assert "\n\n\n" not in body
    for paragraph in paragraphs:
        assert paragraph == paragraph.strip() and paragraph
        assert not re.search(r"[\xa0\u3000\t\n]| {2}", paragraph)


def test_date_line_before_the_account_block_is_found(seed):
    moved = seed.replace("\\n\\n\\n                    2018-09-11\\n", "\\n").replace(
        SEED_TITLE + "\\n", SEED_TITLE + "\\n2018-09-11\\n"
    )
    assert "2018-09-11" in moved and moved.index("2018-09-11") < moved.index("微信号")
    article = dump(moved)
    assert article.published == dt.date(2018, 9, 11)
    assert (article.source_name, article.account_id) == ("越城组工", "yuechengZG")
    assert article.account_description == "政策咨询、信息发布、交流共享"
    assert article.body.startswith(BODY_START) and article.body.endswith(BODY_END)


def test_dump_without_a_date_line_has_no_date(seed):
    undated = seed.replace("2018-09-11", "")
    article = dump(undated)
    assert article.published is None
    assert article.account_description == "政策咨询、信息发布、交流共享"
    assert article.body.startswith(BODY_START)


def test_empty_wechat_id_gives_empty_account_id_and_keeps_the_rest(seed):
    article = dump(seed.replace("yuechengZG", ""))
    assert (article.source_name, article.account_id) == ("越城组工", "")
    assert article.account_description == "政策咨询、信息发布、交流共享"
    assert article.published == dt.date(2018, 9, 11)
    assert article.body.startswith(BODY_START)


def test_dump_without_an_account_block_keeps_title_date_and_body():
    raw = "text:" + repr("府山街道开展消防演练\n\n   2021-06-11\n\n   府山街道组织居民开展消防演练。\n 阅读 \n 好看 ")
    article = dump(raw)
    assert (article.title, article.published, article.source_name) == ("府山街道开展消防演练", dt.date(2021, 6, 11), "")
    assert article.body == "府山街道组织居民开展消防演练。"


def test_residue_lines_injected_mid_body_are_removed_and_the_body_kept(seed):
    injected = (
        "\\n 阅读原文 \\n好看\\n 长按识别二维码关注我们 \\n赞赏\\n在看 12\\n预览时标签不可点\\n扫码关注越城组工\\n"
    )
    keep = "\\n社区开展全民阅读活动，居民扫码进行登记后参加。\\n"
    variant = seed.replace("兼职？\\xa0", "兼职？" + injected + keep, 1)
    body = dump(variant).body
    assert_sentences_in_order(body, seed_sentences(seed))
    for residue in ("阅读原文", "长按识别二维码", "赞赏", "在看", "预览时标签不可点", "扫码关注"):
        assert residue not in body, residue
    assert "社区开展全民阅读活动，居民扫码进行登记后参加。" in body.split("\n\n")


def test_script_block_mid_body_is_removed(seed):
    script = "\\n(function(){\\n  var a = 1;\\n  if (a) {\\n    window.x = a;\\n  }\\n})();\\n"
    body = dump(seed.replace("兼职？\\xa0", "兼职？" + script, 1)).body
    assert "function" not in body and "window" not in body
    assert_sentences_in_order(body, seed_sentences(seed))


def test_same_content_inside_jsonl_text_gives_the_same_article(seed):
    text = ast.literal_eval(seed[len("text:") :])
    line = json.dumps({"text": text, "url": "https://mp.weixin.qq.com/s/abc"}, ensure_ascii=False)
    from_json = parse_record(RawRecord("feed.jsonl", "line 1", JSONL, line, json.loads(line)))
    from_dump = dump(seed)
    assert from_json.original_url == "https://mp.weixin.qq.com/s/abc"
    from_json.original_url = ""
    assert from_json == from_dump


def test_jsonl_text_may_hold_the_dump_literal_form_too(seed):
    data = {"text": seed}
    article = parse_record(RawRecord("feed.jsonl", "line 1", JSONL, json.dumps(data, ensure_ascii=False), data))
    assert article.title == SEED_TITLE and article.published == dt.date(2018, 9, 11)


def test_double_quoted_dump_literal_is_decoded():
    article = dump('text:"标题一\\n\\n2020-01-02\\n正文说：\\"你好\\"。"')
    assert (article.title, article.published, article.body) == ("标题一", dt.date(2020, 1, 2), '正文说："你好"。')


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("text:'只有开头，没有结尾\\n越城区", "truncated_literal"),
        ("text:'a' + 'b'", "invalid_literal"),
        ("text:'bad escape \\x4'", "invalid_literal"),
        ("text:'   \\n  \\n'", "no_content"),
        ("text:'\\n阅读\\n好看\\n知道了\\n'", "no_content"),
    ],
)
def test_broken_or_empty_dump_records_are_rejected_with_a_reason(raw, reason):
    with pytest.raises(RecordRejected) as caught:
        dump(raw)
    assert caught.value.reason == reason
    assert caught.value.message


def test_labels_on_one_line_with_their_values_are_read():
    raw = "text:" + repr("标题\n越城组工\n微信号：yuechengZG\n功能介绍：政策咨询、信息发布\n2018-09-11\n正文第一句。")
    article = dump(raw)
    assert (article.source_name, article.account_id) == ("越城组工", "yuechengZG")
    assert (article.account_description, article.published, article.body) == (
        "政策咨询、信息发布",
        dt.date(2018, 9, 11),
        "正文第一句。",
    )


def test_byline_with_a_date_under_the_title_gives_the_date():
    article = dump("text:" + repr("标题\n原创 张三 越城组工 2018-09-11 10:30\n正文第一句。\n阅读 1234"))
    assert (article.published, article.body) == (dt.date(2018, 9, 11), "正文第一句。")


def test_jsonl_text_with_a_cut_off_dump_literal_is_rejected():
    data = {"text": "text:'标题\\n正文没有结尾"}
    with pytest.raises(RecordRejected) as caught:
        parse_record(RawRecord("feed.jsonl", "line 1", JSONL, json.dumps(data, ensure_ascii=False), data))
    assert caught.value.reason == "truncated_literal"


def test_escaped_surrogate_pairs_become_characters_and_lone_ones_are_replaced():
    article = dump("text:'标题\\n点赞\\ud83d\\udc4d为社区工作者。坏字符\\ud800在此。\\x00'")
    assert article.body == "点赞👍为社区工作者。坏字符\ufffd在此。"
    article.body.encode("utf-8")  # storable: no lone surrogate left
