"""The ingest command end to end, on a real SQLite database with the gazetteer loaded."""

import datetime as dt
import gzip
import html
import json
import os
import time

import pytest
from django.core.management import CommandError, call_command

from archive.models import Article, IngestRejection, IngestRun, Source

pytestmark = pytest.mark.django_db

SEED_TITLE = "【媒体聚焦】共产党员杂志：越城区搭好“五星”台，唱好“和美”戏"


def ingest(*paths, report=None):
    """Run the command; return its exit status (0, 1 or 2) like the shell would see it."""
    args = [str(p) for p in paths] + ["--no-progress"]
    if report:
        args += ["--report", str(report)]
    try:
        call_command("ingest", *args)
    except CommandError as exc:
        return exc.returncode
    return 0


def seed_text(test_data):
    return (test_data / "seed.txt").read_text(encoding="utf-8")


def test_seed_becomes_a_clean_geotagged_article(test_data):
    assert ingest(test_data / "seed.txt") == 0

    article = Article.objects.get()
    assert article.title == SEED_TITLE
    assert article.published == dt.date(2018, 9, 11)
    assert (article.source.name, article.source.account_id, article.source.description) == (
        "越城组工",
        "yuechengZG",
        "政策咨询、信息发布、交流共享",
    )
    assert article.source.home_place.name == "越城区"
    assert article.body.startswith("《共产党员》2018年第8期刊登了")
    assert article.body.endswith("导致党员们缺少组织活动的空白。")
    assert article.reprint_note == "《共产党员》2018年第8期"
    assert article.raw == seed_text(test_data)
    paragraphs = article.body.split("\n\n")
    for residue in ("赞赏", "好看", "知道了", "阅读", "取消", "发送"):
        assert residue not in paragraphs  # UI words as lines of their own are gone …
    for residue in ("first_sceen__time", "网络异常", "已推荐到看一看", "长按二维码", "document.getElementById"):
        assert residue not in article.body
    assert "真正根据票决知道了居民最主要的需求。" in article.body  # … but not from the article's sentences
    places = {(p.name, p.code) for p in article.places.all()}
    assert places == {
        ("绍兴市", "3306"),
        ("越城区", "330602"),
        ("东浦街道", "330602010"),
        ("府山街道", "330602002"),
        ("北海街道", "330602004"),
        ("迪荡街道", "330602007"),
        ("灵芝街道", "330602009"),
        ("西湖社区", "330602004023"),
    }


def test_reingesting_the_same_record_creates_no_duplicate(test_data):
    ingest(test_data / "seed.txt")
    ingest(test_data / "seed.txt")

    assert Article.objects.count() == 1
    assert Source.objects.count() == 1
    second_run = IngestRun.objects.order_by("pk").last()
    assert (second_run.stored, second_run.unchanged) == (0, 1)


def test_same_text_from_another_account_is_linked_to_the_first(test_data, tmp_path):
    ingest(test_data / "seed.txt")
    other = seed_text(test_data).replace("越城组工", "绍兴组工").replace("yuechengZG", "sxzugong")
    other = other.replace(
        "\\n                \\n                    var first_sceen__time", "\\n扫码关注我们\\n    var first_sceen__time"
    )
    (tmp_path / "repost.txt").write_text(other, encoding="utf-8")

    ingest(tmp_path / "repost.txt")

    original, repost = Article.objects.order_by("pk")
    assert repost.source.name == "绍兴组工"
    assert repost.duplicate_of == original
    assert list(Article.objects.public()) == [original]


def test_lightly_edited_copy_is_a_near_duplicate(test_data, tmp_path):
    ingest(test_data / "seed.txt")
    edited = seed_text(test_data).replace("越城区委组织部相关负责人告诉记者", "越城区委组织部有关负责人告诉记者")
    (tmp_path / "edited.txt").write_text(edited, encoding="utf-8")

    ingest(tmp_path / "edited.txt")

    original, edited_copy = Article.objects.order_by("pk")
    assert edited_copy.content_hash != original.content_hash
    assert edited_copy.duplicate_of == original


def test_different_articles_are_not_duplicates(test_data):
    ingest(
        test_data / "seed.txt", test_data / "gcdyweixin_2018-03-20.html", test_data / "zhangshangsuide_2022-07-31.html"
    )

    assert Article.objects.count() == 3
    assert Article.objects.filter(duplicate_of__isnull=False).count() == 0


def test_bad_records_are_reported_kept_and_the_rest_of_the_batch_lands(test_data, tmp_path):
    batch = tmp_path / "batch"
    (batch / "nested").mkdir(parents=True)
    (batch / "a_seed.txt").write_text(seed_text(test_data), encoding="utf-8")
    (batch / "empty.txt").write_bytes(b"")
    (batch / "binary.bin").write_bytes(bytes(range(256)) * 40)
    (batch / "truncated.txt").write_text("text:'只有开头，没有结尾\\n越城区", encoding="utf-8")
    good = {
        "title": "东浦街道开展垃圾分类宣传",
        "body": "东浦街道组织志愿者走进社区宣传垃圾分类。",
        "date": "2021-06-11",
    }
    lines = [json.dumps(good, ensure_ascii=False), "{not json", json.dumps({"url": "https://example.org/x"})]
    (batch / "nested" / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (batch / "deleted_article.html").write_bytes((test_data / "deleted_article.html").read_bytes())
    (batch / "huge.jsonl").write_text(
        json.dumps({"title": "超大记录", "body": "党建" * (26 * 1024 * 1024)}, ensure_ascii=False), encoding="utf-8"
    )
    report = tmp_path / "report.json"

    assert ingest(batch, report=report) == 1

    titles = set(Article.objects.values_list("title", flat=True))
    assert titles == {SEED_TITLE, "东浦街道开展垃圾分类宣传"}
    rejected = {(r.path.replace(str(batch), ""), r.position, r.reason) for r in IngestRejection.objects.all()}
    assert rejected == {
        ("/empty.txt", "file", "empty_file"),
        ("/binary.bin", "file", "binary_file"),
        ("/truncated.txt", "file", "truncated_literal"),
        ("/nested/feed.jsonl", "line 2", "invalid_json"),
        ("/nested/feed.jsonl", "line 3", "no_content"),
        ("/deleted_article.html", "file", "deleted_article"),
        ("/huge.jsonl", "line 1", "too_large"),
    }
    assert IngestRejection.objects.get(reason="invalid_json").raw == "{not json"
    huge = IngestRejection.objects.get(reason="too_large")
    assert huge.raw_size > 50 * 1024 * 1024
    assert huge.raw.startswith('{"title": "超大记录"')
    summary = json.loads(report.read_text(encoding="utf-8"))
    assert (summary["stored"], summary["rejected"]) == (2, 7)
    assert summary["rejected_by_reason"]["invalid_json"] == 1
    assert {"path", "position", "reason", "message"} <= set(summary["rejections"][0])


def test_gb18030_file_is_decoded_not_rejected(tmp_path):
    record = {
        "title": "迪荡街道召开党建联席会议",
        "body": "迪荡街道党工委召开区域化党建联席会议。",
        "date": "2019年3月5日",
    }
    (tmp_path / "gbk.jsonl").write_bytes(json.dumps(record, ensure_ascii=False).encode("gb18030"))

    assert ingest(tmp_path / "gbk.jsonl") == 0

    article = Article.objects.get()
    assert article.title == "迪荡街道召开党建联席会议"
    assert article.published == dt.date(2019, 3, 5)


def test_gzipped_dumps_with_one_record_per_line(test_data, tmp_path):
    seed = seed_text(test_data)
    other = seed.replace(SEED_TITLE, "东浦街道：红立方的故事").replace("2018-09-11", "2018-09-12")
    other = other.replace("《共产党员》2018年第8期刊登了", "据报道，")
    with gzip.open(tmp_path / "dump.txt.gz", "wt", encoding="utf-8") as out:
        out.write(seed + "\n" + other + "\n")

    assert ingest(tmp_path / "dump.txt.gz") == 0

    first, second = Article.objects.order_by("pk")
    assert (first.title, first.source_position) == (SEED_TITLE, "line 1")
    assert (second.title, second.source_position, second.published) == (
        "东浦街道：红立方的故事",
        "line 2",
        dt.date(2018, 9, 12),
    )


def test_a_title_only_feed_item_is_kept_and_marked(tmp_path):
    (tmp_path / "feed.jsonl").write_text(
        json.dumps(
            {"title": "府山街道举行消防演练", "published": "Fri, 11 Jun 2021 09:15:35 +0800", "account": "越城发布"}
        )
        + "\n",
        encoding="utf-8",
    )
    assert ingest(tmp_path / "feed.jsonl") == 0
    article = Article.objects.get()
    assert article.title_only is True
    assert article.body == ""
    assert article.published == dt.date(2021, 6, 11)
    assert article.source.name == "越城发布"


def test_missing_path_is_a_usage_error(tmp_path):
    assert ingest(tmp_path / "nope") == 2
    assert not IngestRun.objects.exists()


# Characters XML 1.0 cannot hold (an Atom feed holding one fails): Word's soft line break and
# page break, other C0 controls, the non-characters U+FFFE and U+FFFF, an escaped lone surrogate.
XML_ILLEGAL = set("\x00\x01\x08\x0b\x0c\x0e\x1f\ufffe\uffff") | {chr(c) for c in range(0xD800, 0xE000)}


def stored_texts(article: Article) -> dict[str, str]:
    """Every text field of the article and its source as stored (the raw record is kept as read)."""
    texts = {
        f.name: getattr(article, f.name) or ""  # the document fields are NULL when unknown
        for f in Article._meta.fields
        if f.get_internal_type() in ("CharField", "TextField", "URLField")
    }
    texts.pop("raw")
    source = article.source
    texts |= {
        f"source.{f.name}": getattr(source, f.name)
        for f in Source._meta.fields
        if f.get_internal_type() in ("CharField", "TextField")
    }
    return texts


def test_characters_xml_cannot_hold_are_not_stored_and_a_soft_break_keeps_words_apart(tmp_path):
    record = {
        "title": "东浦街道\ufffe开展\x0b水质监测\uffff",
        "body": "第一段\x0b同一段\ufffe。\x0c\x0c第二段\uffff。",
        "account": "东浦\uffff发布",
        "account_id": "dongpu\ufffe",
        "url": "https://example.com/a\uffff",
        "published": "2021-05-04",
    }
    dump = (
        "text:'东浦街道召开会议\\n\\n东浦发布\\n\\n微信号 dongpu2\\n\\n"
        "功能介绍 东浦\\ufffe街道\\x0b官方发布\\n\\n会议部署\\x01工作\\ud800。'"
    )
    (tmp_path / "records.jsonl").write_text(json.dumps(record) + "\n" + dump + "\n", encoding="utf-8")
    assert ingest(tmp_path / "records.jsonl") == 0
    first = Article.objects.get(published=dt.date(2021, 5, 4))
    assert first.title == "东浦街道开展 水质监测"
    assert first.body.split("\n\n")[0].startswith("第一段")
    assert first.source.name == "东浦发布" and first.source.account_id == "dongpu"
    for article in Article.objects.all():
        for name, value in stored_texts(article).items():
            assert not set(value) & XML_ILLEGAL, f"{article.title}: {name} = {value!r}"
    assert json.loads(first.raw)["title"] == record["title"]  # the raw record stays exactly as read


# --- files that cannot be read -----------------------------------------------------------------


def good_record(title: str) -> str:
    return json.dumps({"title": title, "body": f"{title}，部署相关工作。", "account": "东浦发布"}, ensure_ascii=False)


def test_a_file_name_that_is_not_utf8_is_one_rejection_and_the_rest_of_the_folder_goes_in(
    tmp_path, capsys, admin_client
):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a.jsonl").write_text(good_record("东浦街道开展水质监测") + "\n", encoding="utf-8")
    (folder / "z.jsonl").write_text(good_record("北海街道召开会议") + "\n", encoding="utf-8")
    bad = os.fsencode(folder) + b"/\xff\xfe bad.txt"
    with open(bad, "wb") as out:
        out.write((good_record("府山街道开展志愿服务") + "\n").encode("utf-8"))
    bad_folder = os.fsencode(folder) + b"/\xe9\x9d"  # a cut-off UTF-8 character as a folder name
    os.mkdir(bad_folder)
    with open(bad_folder + b"/inside.jsonl", "wb") as out:
        out.write((good_record("柯城区召开会议") + "\n").encode("utf-8"))

    assert ingest(folder) == 1  # something was rejected
    assert sorted(Article.objects.values_list("title", flat=True)) == ["东浦街道开展水质监测", "北海街道召开会议"]
    rejections = {r.path: r for r in IngestRejection.objects.all()}
    assert set(rejections) == {f"{folder}/\\xff\\xfe bad.txt", f"{folder}/\\xe9\\x9d"}
    assert {r.reason for r in rejections.values()} == {"bad_file_name"}
    assert "UTF-8" in rejections[f"{folder}/\\xff\\xfe bad.txt"].message
    printed = capsys.readouterr().out
    assert "\\xff\\xfe bad.txt" in printed and "bad_file_name" in printed
    run = IngestRun.objects.get()
    assert (run.status, run.stored, run.rejected) == (IngestRun.Status.COMPLETED, 2, 2)
    # The curator's list of rejections names the file as the command did.
    page = html.unescape(admin_client.get("/admin/archive/ingestrejection/").content.decode())
    assert "\\xff\\xfe bad.txt" in page


def test_a_dangling_link_or_a_pipe_is_one_rejection_each(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "good.jsonl").write_text(good_record("东浦街道开展水质监测") + "\n", encoding="utf-8")
    (folder / "gone.jsonl").symlink_to(tmp_path / "nowhere.jsonl")
    os.mkfifo(folder / "pipe.jsonl")  # opening it would wait for a writer forever
    assert ingest(folder) == 1
    assert Article.objects.count() == 1
    reasons = dict(IngestRejection.objects.values_list("path", "reason"))
    assert reasons == {str(folder / "gone.jsonl"): "unreadable", str(folder / "pipe.jsonl"): "unreadable"}


def test_a_folder_that_cannot_be_listed_is_one_rejection_and_the_rest_goes_in(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "good.jsonl").write_text(good_record("东浦街道开展水质监测") + "\n", encoding="utf-8")
    # Folders nested past the longest path the system takes (4096 bytes): the deepest cannot be listed.
    fd = os.open(folder, os.O_RDONLY)
    for _ in range(24):
        os.mkdir("d" * 200, dir_fd=fd)
        inner = os.open("d" * 200, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    with open(os.open("deep.jsonl", os.O_WRONLY | os.O_CREAT, dir_fd=fd), "w", encoding="utf-8") as out:
        out.write(good_record("北海街道召开会议") + "\n")
    assert ingest(folder) == 1
    assert list(Article.objects.values_list("title", flat=True)) == ["东浦街道开展水质监测"]
    [rejection] = IngestRejection.objects.all()
    assert rejection.reason == "unreadable" and "无法列出这个目录里的文件" in rejection.message
    assert rejection.path.startswith(f"{folder}/{'d' * 200}/")
    assert len(rejection.path) <= 1000  # the column's width (PostgreSQL enforces it): the middle is cut


def test_a_gzip_that_inflates_past_the_limit_is_a_too_large_rejection_and_the_batch_goes_on(tmp_path, settings):
    settings.INGEST_MAX_DECOMPRESSED_BYTES = 1024 * 1024
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "good.jsonl").write_text(good_record("东浦街道开展水质监测") + "\n", encoding="utf-8")
    line = (good_record("北海街道" + "召开会议" * 2000) + "\n").encode("utf-8")  # 24 KB a record
    bomb = gzip.compress(line * 1000, compresslevel=9) * 40  # about 1 GB of records
    (folder / "bomb.jsonl.gz").write_bytes(bomb)

    started = time.monotonic()
    assert ingest(folder) == 1
    assert time.monotonic() - started < 20
    [rejection] = IngestRejection.objects.all()
    assert (rejection.path, rejection.reason) == (str(folder / "bomb.jsonl.gz"), "too_large")
    assert "解压后超过 1,048,576 字节" in rejection.message
    assert set(Article.objects.values_list("title", flat=True)) >= {"东浦街道开展水质监测"}
    assert IngestRun.objects.get().status == IngestRun.Status.COMPLETED


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads and lists everything: permissions cannot be refused")
def test_a_file_or_folder_without_permission_is_one_rejection_each(tmp_path):
    folder = tmp_path / "batch"
    (folder / "locked").mkdir(parents=True)
    (folder / "good.jsonl").write_text(good_record("东浦街道开展水质监测") + "\n", encoding="utf-8")
    secret = folder / "secret.jsonl"
    secret.write_text(good_record("北海街道召开会议") + "\n", encoding="utf-8")
    (folder / "locked" / "inside.jsonl").write_text(good_record("府山街道") + "\n", encoding="utf-8")
    secret.chmod(0)
    (folder / "locked").chmod(0)
    try:
        assert ingest(folder) == 1
    finally:
        (folder / "locked").chmod(0o755)
    assert Article.objects.count() == 1
    reasons = dict(IngestRejection.objects.values_list("path", "reason"))
    assert reasons == {str(secret): "unreadable", str(folder / "locked"): "unreadable"}
