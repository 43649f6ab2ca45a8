"""Reading files into raw records: format detection, decoding, and every kind of bad input."""

import gzip
import json
import shutil
import tracemalloc

import pytest

from archive.ingest.records import DUMP, HTML, JSONL, KEEP_BYTES, WECHAT_HTML, RawRecord, Rejected, iter_records

LIMIT = 1024 * 1024


def read(path, limit=LIMIT):
    return list(iter_records(path, max_record_bytes=limit))


def only(path, limit=LIMIT):
    items = read(path, limit)
    assert len(items) == 1, items
    return items[0]


def seed_line(test_data):
    return (test_data / "seed.txt").read_text(encoding="utf-8")


# -- formats -------------------------------------------------------------------------------


def test_seed_file_is_one_dump_record_kept_exactly_as_in_the_file(test_data):
    record = only(test_data / "seed.txt")
    assert isinstance(record, RawRecord)
    assert (record.format, record.position) == (DUMP, "file")
    assert record.raw == seed_line(test_data)
    assert record.path == str(test_data / "seed.txt")


def test_dump_with_one_record_per_line_gives_line_positions(test_data, tmp_path):
    seed = seed_line(test_data)
    (tmp_path / "dump.txt").write_text(seed + "\n\n" + seed.replace("越城组工", "柯桥发布") + "\n", encoding="utf-8")
    records = read(tmp_path / "dump.txt")
    assert [(r.format, r.position) for r in records] == [(DUMP, "line 1"), (DUMP, "line 3")]
    assert "柯桥发布" in records[1].raw


def test_double_quoted_dump_literal_is_a_record(tmp_path):
    (tmp_path / "d.txt").write_text('text:"标题\\n正文，说\\"好\\"。"', encoding="utf-8")
    record = only(tmp_path / "d.txt")
    assert (record.format, record.raw) == (DUMP, 'text:"标题\\n正文，说\\"好\\"。"')


def test_jsonl_lines_are_records_with_their_decoded_objects(test_data):
    records = read(test_data / "localgov_sample.jsonl")
    assert len(records) == 15
    assert all(isinstance(r, RawRecord) and r.format == JSONL for r in records)
    assert records[0].position == "line 1" and records[14].position == "line 15"
    assert records[1].data["title"] == "卫东区开展城市社区治理观摩活动"
    assert json.loads(records[1].raw) == records[1].data


def test_wechat_pages_are_wechat_html_and_other_pages_html(test_data, tmp_path):
    assert only(test_data / "zhangshangsuide_2022-07-31.html").format == WECHAT_HTML
    assert only(test_data / "deleted_article.html").format == WECHAT_HTML
    (tmp_path / "page.htm").write_text("<html><body><h1>标题</h1><p>正文。</p></body></html>", encoding="utf-8")
    page = only(tmp_path / "page.htm")
    assert (page.format, page.position) == (HTML, "file")


def test_format_is_detected_by_content_not_extension(test_data, tmp_path):
    shutil.copy(test_data / "seed.txt", tmp_path / "article.html")
    shutil.copy(test_data / "gcdyweixin_2018-03-20.html", tmp_path / "page.txt")
    assert only(tmp_path / "article.html").format == DUMP
    assert only(tmp_path / "page.txt").format == WECHAT_HTML


def test_gzipped_jsonl_is_read_like_the_plain_file(test_data, tmp_path):
    with gzip.open(tmp_path / "feed.jsonl.gz", "wb") as out:
        out.write((test_data / "localgov_sample.jsonl").read_bytes())
    records = read(tmp_path / "feed.jsonl.gz")
    assert [r.raw for r in records] == [r.raw for r in read(test_data / "localgov_sample.jsonl")]
    assert records[0].path == str(tmp_path / "feed.jsonl.gz")


def test_gzipped_html_page_is_one_record(test_data, tmp_path):
    with gzip.open(tmp_path / "page.html.gz", "wb") as out:
        out.write((test_data / "gcdyweixin_2018-03-20.html").read_bytes())
    assert only(tmp_path / "page.html.gz").format == WECHAT_HTML


def test_utf8_bom_is_not_part_of_the_first_record(test_data, tmp_path):
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + (test_data / "seed.txt").read_bytes())
    assert only(tmp_path / "bom.txt").raw == seed_line(test_data)


def test_gb18030_file_is_decoded(tmp_path):
    line = json.dumps({"title": "迪荡街道召开党建联席会议", "body": "会议召开。"}, ensure_ascii=False)
    (tmp_path / "gbk.jsonl").write_bytes(line.encode("gb18030") + b"\n")
    assert only(tmp_path / "gbk.jsonl").data["title"] == "迪荡街道召开党建联席会议"


def test_gbk_html_page_declaring_its_charset_is_decoded(tmp_path):
    page = '<html><head><meta charset="gbk"><title>府山街道</title></head><body><p>府山街道开展活动。</p></body></html>'
    (tmp_path / "gbk.html").write_bytes(page.encode("gbk"))
    assert "府山街道开展活动" in only(tmp_path / "gbk.html").raw


# Traditional Chinese as a Taiwanese or Hong Kong site writes it; every Big5 byte pair here is also
# valid GB18030, which is how the old fixed "UTF-8, then GB18030" list stored it as 羉砰… mojibake.
BIG5_TITLE = "臺北市里長座談會 社區營造計畫說明"
BIG5_BODY = (
    "本次座談會由區公所與社區發展協會共同舉辦，邀請各里里長與居民參與，說明明年度社區營造計畫的補助方式與申請期程。"
)


def test_big5_jsonl_file_is_decoded_not_stored_as_mojibake(tmp_path):
    line = json.dumps({"title": BIG5_TITLE, "body": BIG5_BODY}, ensure_ascii=False)
    (tmp_path / "big5.jsonl").write_bytes(line.encode("big5") + b"\n")
    record = only(tmp_path / "big5.jsonl")
    assert record.data["title"] == BIG5_TITLE
    assert record.data["body"] == BIG5_BODY
    assert line.encode("big5").decode("gb18030") not in record.raw  # what the old reader stored


def test_big5_dump_file_is_decoded(tmp_path):
    literal = "text:" + repr(f"{BIG5_TITLE}\n{BIG5_BODY}")
    (tmp_path / "big5.txt").write_bytes(literal.encode("big5"))
    assert only(tmp_path / "big5.txt").raw == literal


def test_big5_html_page_without_a_declared_charset_is_decoded(tmp_path):
    page = f"<html><head><title>{BIG5_TITLE}</title></head><body><p>{BIG5_BODY}</p></body></html>"
    (tmp_path / "big5.html").write_bytes(page.encode("big5"))
    assert only(tmp_path / "big5.html").raw == page


def test_gbk_jsonl_lines_are_decoded(tmp_path):
    titles = ["淳安县召开乡村振兴工作推进会", "越城区开展垃圾分类进社区活动"]
    lines = [json.dumps({"title": t, "body": "会议部署了下一阶段的重点任务。"}, ensure_ascii=False) for t in titles]
    (tmp_path / "gbk.jsonl").write_bytes("\n".join(lines).encode("gbk") + b"\n")
    assert [r.data["title"] for r in read(tmp_path / "gbk.jsonl")] == titles


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_files_with_a_byte_order_mark_are_decoded(tmp_path, codec):
    lines = [json.dumps({"title": f"府山街道第{n}次议事会", "body": "居民议事。"}, ensure_ascii=False) for n in (1, 2)]
    data = "\n".join(lines).encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    (tmp_path / "wide.jsonl").write_bytes(data)
    records = read(tmp_path / "wide.jsonl")
    assert [r.data["title"] for r in records] == ["府山街道第1次议事会", "府山街道第2次议事会"]
    assert [r.position for r in records] == ["line 1", "line 2"]


def test_utf8_text_is_read_unchanged(tmp_path):
    fields = {"title": "北京市朝阳区“接诉即办”", "body": "繁體與简体、emoji 🚀 和 ½ 都原样保留。"}
    line = json.dumps(fields, ensure_ascii=False)
    (tmp_path / "utf8.jsonl").write_bytes(line.encode("utf-8") + b"\n")
    assert only(tmp_path / "utf8.jsonl").raw == line


def test_page_declaring_gb2312_but_saved_as_utf8_is_read_as_utf8(tmp_path):
    page = '<html><head><meta charset="gb2312"><title>府山</title></head><body><p>府山街道開展活動。</p></body></html>'
    (tmp_path / "resaved.html").write_bytes(page.encode("utf-8"))
    assert "府山街道開展活動" in only(tmp_path / "resaved.html").raw


def test_a_single_json_document_is_one_record(tmp_path):
    (tmp_path / "one.json").write_text(json.dumps({"title": "标题", "body": "正文"}, indent=1), encoding="utf-8")
    record = only(tmp_path / "one.json")
    assert (record.format, record.position, record.data["title"]) == (JSONL, "file", "标题")


# -- bad input -----------------------------------------------------------------------------


def rejection(item, reason, position="file"):
    assert isinstance(item, Rejected), item
    assert (item.reason, item.position) == (reason, position), item
    assert item.message
    return item


def test_empty_file_is_rejected(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    rejection(only(tmp_path / "empty.txt"), "empty_file")


def test_whitespace_only_file_is_rejected_as_empty(tmp_path):
    (tmp_path / "blank.txt").write_text("\n   \n\t\n", encoding="utf-8")
    rejection(only(tmp_path / "blank.txt"), "empty_file")


def test_gzip_of_nothing_is_rejected_as_empty(tmp_path):
    with gzip.open(tmp_path / "nothing.gz", "wb"):
        pass
    rejection(only(tmp_path / "nothing.gz"), "empty_file")


def test_binary_file_is_rejected(tmp_path):
    (tmp_path / "binary.bin").write_bytes(bytes(range(256)) * 40)
    item = rejection(only(tmp_path / "binary.bin"), "binary_file")
    assert "\x00" not in item.raw  # nothing that would break a database column


def test_bytes_that_are_chinese_text_in_no_encoding_are_undecodable(tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"text:'\xff\xfe\xff\xfe\xff'" * 10)
    rejection(only(tmp_path / "bad.txt"), "undecodable")


def test_one_undecodable_line_is_rejected_and_the_others_kept(test_data, tmp_path):
    good = json.dumps({"title": "好", "body": "正文"}, ensure_ascii=False).encode()
    (tmp_path / "mixed.jsonl").write_bytes(good + b"\n" + b'{"title": "\xff\xff\xff"}' + b"\n" + good + b"\n")
    items = read(tmp_path / "mixed.jsonl")
    assert [type(i).__name__ for i in items] == ["RawRecord", "Rejected", "RawRecord"]
    rejection(items[1], "undecodable", "line 2")


def test_unrecognised_content_is_rejected(tmp_path):
    (tmp_path / "notes.txt").write_text("这是一段普通的文字，不是任何已知格式。\n第二行。\n", encoding="utf-8")
    item = rejection(only(tmp_path / "notes.txt"), "unknown_format")
    assert item.raw.startswith("这是一段普通的文字")


def test_bad_json_line_is_rejected_with_its_line_and_the_rest_yielded(tmp_path):
    lines = ['{"title": "一", "body": "甲"}', "", "{not json", '{"title": "二", "body": "乙"}', "   "]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = read(tmp_path / "feed.jsonl")
    assert [i.position for i in items] == ["line 1", "line 3", "line 4"]
    bad = rejection(items[1], "invalid_json", "line 3")
    assert bad.raw == "{not json"
    assert items[2].data == {"title": "二", "body": "乙"}


def test_json_line_that_is_not_an_object_is_rejected(tmp_path):
    (tmp_path / "feed.jsonl").write_text('{"title": "一"}\n{"a": 1}\n', encoding="utf-8")
    (tmp_path / "list.json").write_text('["一", {"title": "二"}]', encoding="utf-8")
    assert all(isinstance(i, RawRecord) for i in read(tmp_path / "feed.jsonl"))
    first, second = read(tmp_path / "list.json")
    rejection(first, "not_an_object", "record 1")
    assert second.data == {"title": "二"}


def test_truncated_dump_literal_is_rejected(tmp_path):
    (tmp_path / "cut.txt").write_text("text:'只有开头，没有结尾\\n越城区", encoding="utf-8")
    item = rejection(only(tmp_path / "cut.txt"), "truncated_literal")
    assert item.raw == "text:'只有开头，没有结尾\\n越城区"


def test_literal_ending_in_an_escaped_quote_is_truncated(tmp_path):
    (tmp_path / "cut.txt").write_text("text:'标题\\n正文\\'", encoding="utf-8")
    rejection(only(tmp_path / "cut.txt"), "truncated_literal")


@pytest.mark.parametrize(
    "line",
    ["text:'a' + 'b'", "text:'a' 'b'", "text:'a'; import os", "text:'a')", "text:'标题'  垃圾"],
)
def test_anything_after_the_literal_is_rejected_not_evaluated(tmp_path, line):
    (tmp_path / "odd.txt").write_text(line, encoding="utf-8")
    rejection(only(tmp_path / "odd.txt"), "invalid_literal")


def test_non_dump_line_in_a_dump_file_is_rejected_alone(test_data, tmp_path):
    seed = seed_line(test_data)
    (tmp_path / "dump.txt").write_text(seed + "\nhello there\n" + seed + "\n", encoding="utf-8")
    items = read(tmp_path / "dump.txt")
    assert [type(i).__name__ for i in items] == ["RawRecord", "Rejected", "RawRecord"]
    rejection(items[1], "unknown_format", "line 2")


def test_too_large_line_keeps_its_start_and_full_size_and_the_next_line_is_read(tmp_path):
    huge = json.dumps({"title": "超大记录", "body": "党建" * 3_000_000}, ensure_ascii=False)
    (tmp_path / "feed.jsonl").write_text(huge + "\n" + '{"title": "小"}\n', encoding="utf-8")
    big, small = read(tmp_path / "feed.jsonl")
    rejection(big, "too_large", "line 1")
    assert big.raw_size == len(huge.encode())
    assert big.raw.startswith('{"title": "超大记录"') and len(big.raw.encode()) <= KEEP_BYTES
    assert small.data == {"title": "小"}


def test_too_large_html_file_is_rejected_with_its_size(tmp_path):
    page = "<html><body>" + "<p>党建引领基层治理。</p>" * 100_000 + "</body></html>"
    (tmp_path / "big.html").write_text(page, encoding="utf-8")
    item = rejection(only(tmp_path / "big.html"), "too_large")
    assert item.raw_size == len(page.encode())
    assert item.raw.startswith("<html><body>")


def test_a_huge_line_is_never_held_in_memory(tmp_path):
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as out:
        out.write(b'{"title": "huge", "body": "')
        for _ in range(40):
            out.write(b"x" * (1 << 20))
        out.write(b'"}\n{"title": "next"}\n')
    tracemalloc.start()
    try:
        items = read(path, limit=1 << 20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [getattr(i, "reason", "ok") for i in items] == ["too_large", "ok"]
    assert items[0].raw_size > 40 * (1 << 20)
    assert peak < 8 * (1 << 20)  # a 40 MB line, read with a few MB at most


def test_a_long_jsonl_file_is_streamed_not_loaded(tmp_path):
    path = tmp_path / "long.jsonl"
    line = json.dumps({"title": "街道新闻", "body": "社区开展活动。" * 100}, ensure_ascii=False) + "\n"
    with path.open("w", encoding="utf-8") as out:
        for _ in range(10_000):
            out.write(line)
    assert path.stat().st_size > 20 * (1 << 20)
    tracemalloc.start()
    try:
        count = sum(1 for _ in iter_records(path, max_record_bytes=LIMIT))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 10_000
    assert peak < 4 * (1 << 20)


def test_corrupt_gzip_is_rejected(test_data, tmp_path):
    data = gzip.compress((test_data / "localgov_sample.jsonl").read_bytes())
    corrupt = data[:40] + bytes(b ^ 0xFF for b in data[40:200]) + data[200:]
    (tmp_path / "broken.jsonl.gz").write_bytes(corrupt)
    items = read(tmp_path / "broken.jsonl.gz")
    assert isinstance(items[-1], Rejected) and items[-1].reason == "corrupt_gzip"


def test_truncated_gzip_keeps_the_records_before_the_cut_and_reports_where(test_data, tmp_path):
    lines = "\n".join(json.dumps({"title": f"标题{i}", "body": "正文" * 200}, ensure_ascii=False) for i in range(300))
    data = gzip.compress(lines.encode())
    (tmp_path / "cut.jsonl.gz").write_bytes(data[: len(data) // 2])
    items = read(tmp_path / "cut.jsonl.gz")
    good = [i for i in items if isinstance(i, RawRecord)]
    assert 0 < len(good) < 300
    last = rejection(items[-1], "corrupt_gzip", f"line {len(good) + 1}")
    assert "truncated" in last.message


def test_file_named_gz_without_gzip_data_is_corrupt_gzip(test_data, tmp_path):
    shutil.copy(test_data / "seed.txt", tmp_path / "seed.txt.gz")
    rejection(only(tmp_path / "seed.txt.gz"), "corrupt_gzip")


def test_jsonl_with_a_broken_first_line_rejects_only_that_line(tmp_path):
    (tmp_path / "feed.jsonl").write_text('{"title": "一", \n{"title": "二"}\n{"title": "三"}\n', encoding="utf-8")
    first, *rest = read(tmp_path / "feed.jsonl")
    rejection(first, "invalid_json", "line 1")
    assert [r.data["title"] for r in rest] == ["二", "三"]


def test_pretty_printed_json_object_is_one_record_not_a_rejection_per_line(tmp_path):
    document = {"title": "府山街道", "body": "第一段。\n第二段。", "date": "2021-06-11"}
    (tmp_path / "one.json").write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    record = only(tmp_path / "one.json")
    assert (record.position, record.data) == ("file", document)


def test_utf16_html_page_with_a_byte_order_mark_is_one_page(tmp_path):
    page = "<html><head><title>府山街道</title></head><body><p>府山街道開展志願服務。</p></body></html>"
    (tmp_path / "wide.html").write_bytes(page.encode("utf-16"))
    record = only(tmp_path / "wide.html")
    assert record.format == HTML and record.raw == page
