"""What counts as page residue, and what is article text even when it uses the same words."""

import pytest

from archive.ingest.reprint import find_reprint_note
from archive.ingest.residue import drop_script, drop_site_chrome, drop_wechat_residue, is_wechat_residue


@pytest.mark.parametrize(
    "line",
    [
        "赞赏",
        "长按二维码向我转账",
        "受苹果公司新规定影响，微信 iOS 版的赞赏功能被关闭，可通过二维码转账支持公众号。",
        "阅读",
        "阅读 10万+",
        "在看 12",
        "好看",
        "阅读原文",
        "已推荐到看一看",
        "分享你的想法...",
        "网络异常,请稍后重试",  # half-width comma: matched all the same
        "知道了",
        "最多200字，当前共字",
        "已取消，“好看”想法已同步删除",
        "微信扫一扫关注该公众号",
        "喜欢此内容的人还喜欢",
        "预览时标签不可点",
        "投诉",
        "写留言",
        "长按识别二维码关注我们",
        "扫码关注越城组工",
        "点击上方蓝字关注我们",
        "▼",
        "- END -",
        "推荐阅读：绥德交警：8月1日起，专项整治电动车",
    ],
)
def test_wechat_ui_lines_are_residue(line):
    assert is_wechat_residue(line)


@pytest.mark.parametrize(
    "line",
    [
        "社区开展全民阅读活动，居民踊跃参加。",
        "真正根据票决知道了居民最主要的需求。",
        "市民可扫描二维码进行预约登记",
        "居民扫码进行登记后方可进入小区。",
        "大家都说好看。",
    ],
)
def test_sentences_using_ui_words_are_not_residue(line):
    assert not is_wechat_residue(line)


def test_list_of_other_articles_after_its_heading_is_dropped_until_prose_resumes():
    lines = [
        "正文最后一句。",
        "喜欢此内容的人还喜欢",
        "越城区召开党建工作会",
        "府山街道：老旧小区焕新颜",
        "越城组工",
        "这是一段很长的正文，说明了列表已经结束，而文章的文字又回来了，所以应当保留。",
    ]
    assert drop_wechat_residue(lines) == [lines[0], lines[-1]]


def test_account_name_is_dropped_only_where_it_stands_among_residue():
    lines = ["越城组工", "正文一句。", "继续滑动看下一个", "越城组工", "轻触阅读原文"]
    assert drop_wechat_residue(lines, names=["越城组工"]) == ["越城组工", "正文一句。"]


def test_script_blocks_are_dropped_and_prose_after_them_kept():
    lines = [
        "var first_sceen__time = (+new Date());",
        "if (\"\" == 1 && document.getElementById('js_content')) {",
        "document.getElementById('js_content').addEventListener(\"selectstart\",function(e){ e.preventDefault(); });",
        "}",
        "(function(){",
        "link.rel = 'stylesheet';",
        "})();",
        "2.婚俗综合改革(催生“甜蜜经济”新业态)入选省“五十百千”试点;",
        "3.入选(省级)试点",
    ]
    assert drop_script(lines) == lines[-2:]


def test_site_chrome_lines_go_and_the_header_metadata_only_above_the_text():
    lines = [
        "您当前的位置:首页>>新闻中心>>内容",
        "标题",
        "来源: 发布时间:2020-04-11",
        "浏览量:",
        "字号：大 中 小",
        "4月11日上午,区委书记王迎波带队开展城市社区治理工作观摩活动,区委副书记黄东明参加观摩。",
        "时间：2020年4月11日上午九点",  # in the text: an event's time, not page metadata
        "【打印本页】【关闭窗口】",
        "[打印此页] [关闭本页]",
    ]
    assert drop_site_chrome(lines, "标题") == [lines[5], lines[6]]


def test_a_first_sentence_that_starts_with_the_title_is_kept():
    title = "北海街道党工委召开会议"
    lines = [
        "北海街道党工委召开会议 2019-03-02 来源：越城组工",  # the title with metadata: header
        "北海街道党工委召开会议，部署垃圾分类工作。越城区委组织部参加。",  # the short text itself
    ]
    assert drop_site_chrome(lines, title) == [lines[1]]
    assert drop_site_chrome([title, lines[1]], title) == [lines[1]]  # the title alone above it: header


@pytest.mark.parametrize(
    ("paragraphs", "note"),
    [
        (["《共产党员》2018年第8期刊登了《搭好“五星”台》，全文如下：……"], "《共产党员》2018年第8期"),
        (["近日，《人民日报》头版刊发文章，介绍了越城区的做法。"], "《人民日报》"),
        (["正文。", "（来源：新华社）"], "新华社"),
        (["来源:绍兴日报", "正文。"], "绍兴日报"),
        (["本文转载自越城发布，有删节。"], "越城发布"),
        (["正文。", "原载《学习时报》2018年9月3日第2版"], "《学习时报》2018年9月3日第2版"),
        (["资金来源于区财政拨款，专款专用。"], ""),
        (["府山街道组织居民开展消防演练。"], ""),
    ],
)
def test_reprint_note_is_read_from_the_first_or_last_paragraphs(paragraphs, note):
    assert find_reprint_note(paragraphs) == note


# -- page generations 2014-2024 ------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        # 2019-2021: the reward carousel, the 看一看 sharing dialog, topic tags
        "上一页",
        "下一页",
        "3人赞赏",
        "已同步到看一看",
        "写下你的想法",
        "前往看一看",
        "看一看入口已关闭",
        "在“设置”-“通用”-“发现页管理”打开“看一看”入口",
        "发送到看一看",
        "收录于话题 #老旧小区改造",
        # the accessibility text and the bottom bar of 2020-2024
        "：，。视频小程序赞，轻点两下取消赞在看，轻点两下取消在看",
        "分享 留言 收藏 听过",
        "分享 收藏 点赞 在看",
        # mini-program and 视频号 cards, the share-to-open prompt
        "微信扫一扫可打开此内容，使用完整服务",
        "微信扫一扫使用小程序",
        "视频号",
        "轻触阅读原文",
        "继续滑动看下一个",
        "向上滑动看下一个",
        "预览时标签不可点",
        "修改于2020年7月16日",
    ],
)
def test_reader_ui_of_every_generation_is_residue(line):
    assert is_wechat_residue(line)


@pytest.mark.parametrize(
    "line",
    [
        "一、问需于民，改什么由居民说了算",
        "下一步，府山街道将继续推进剩余5个小区的改造工作。",
        "看一看老街的新变化",
        "分享会上，居民们各抒己见。",
        "王晓燕",  # a name alone is not UI: only among UI lines is it dropped
        "1/3",  # nor a fraction or a count alone (a table's cell): only after UI
        "3个",
    ],
)
def test_prose_using_the_ui_words_is_not_residue(line):
    assert not is_wechat_residue(line)


def test_a_2020_dump_comes_out_clean_with_all_its_prose(test_data):
    from archive.ingest.parse import parse_record
    from archive.ingest.records import iter_records

    record = next(iter_records(test_data / "yuechengfabu_2020-07-15.dump.txt", max_record_bytes=1 << 20))
    article = parse_record(record)
    paragraphs = article.body.split("\n\n")
    assert paragraphs[0].startswith("今年以来，越城区府山街道把老旧小区改造")
    assert paragraphs[-3:] == ["文字：王晓燕", "编辑：李明", "审核：张华"]  # the credits are the article's
    assert "一、问需于民，改什么由居民说了算" in paragraphs  # short headings stay
    for residue in ("上一页", "1/3", "看一看", "写下你的想法", "轻点两下", "#老旧小区改造", "听过", "继续滑动"):
        assert residue not in article.body, residue
    assert article.body.count("王晓燕") == 1  # the author under 喜欢作者 is gone, the credit stays
    assert article.title not in article.body  # the title repeated at the end
    assert len(article.body) == 1209  # every character of the 16 paragraphs and their breaks, nothing else


GENERATION_PROSE = [
    "今年以来，东浦街道以“五水共治”为抓手，全面推进河道综合整治，累计清淤河道12公里。",
    "分享会上，居民们各抒己见，对下一步的河长制工作提出了不少好建议。",
    "一、压实河长责任",
    "街道、村两级河长每周巡河不少于一次，发现问题当天交办、限期整改。",
]
# What each generation's page puts after the article, as a text dump has it (all of it UI).
GENERATION_TAILS = {
    "2015": ["阅读原文", "阅读 100000+", "赞 326", "举报"],
    "2017": ["阅读原文", "阅读 5231", "投诉", "写留言", "精选留言", "以上留言由公众号筛选后显示", "了解留言功能详情"],
    "2018": [
        "阅读原文",
        "阅读 2.1万",
        "好看 88",
        "已推荐到看一看",
        "你的朋友可以在“发现”-“看一看”看到你认为好看的文章。",
        "已取消，“好看”想法已同步删除",
        "已推荐到看一看和朋友分享想法",
        "最多200字，当前共字",
        "发送",
        "取消",
    ],
    "2020": [
        "喜欢作者",
        "赞赏",
        "上一页",
        "1/3",
        "下一页",
        "3人赞赏",
        "收录于话题 #五水共治",
        "3个",
        "上一篇",
        "下一篇",
        "已同步到看一看",
        "写下你的想法",
        "前往看一看",
        "看一看入口已关闭",
        "在“设置”-“通用”-“发现页管理”打开“看一看”入口",
        "发送到看一看",
        "：，。视频小程序赞，轻点两下取消赞在看，轻点两下取消在看",
    ],
    "2023": [
        "修改于2023年5月4日",
        "预览时标签不可点",
        "微信扫一扫可打开此内容，使用完整服务",
        "视频号",
        "轻触阅读原文",
        "分享 收藏 点赞 在看",
        "继续滑动看下一个",
        "东浦发布",
        "向上滑动看下一个",
        "东浦街道：河道整治见成效",
    ],
    "2024": [
        "微信扫一扫",
        "关注该公众号",
        "作者头像",
        "划线",
        "听全文",
        "分享 留言 收藏 听过",
        "写留言",
        "留言",
        "暂无留言",
        "已无更多数据",
    ],
}


@pytest.mark.parametrize("generation", sorted(GENERATION_TAILS))
def test_each_generations_dump_keeps_the_prose_and_only_the_prose(generation):
    from archive.ingest.dump import parse_dump_text

    header = [
        "东浦街道：河道整治见成效",
        "东浦发布",
        "微信号",
        "dongpufabu",
        "功能介绍",
        "东浦街道官方发布。",
        "2023-05-04",
    ]
    article = parse_dump_text("\n".join(header + GENERATION_PROSE + GENERATION_TAILS[generation]))
    assert article.body.split("\n\n") == GENERATION_PROSE
