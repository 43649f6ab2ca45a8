"""Government-document metadata (发文字号, 发文机关, 成文日期, 索引号, 主题分类): extracted, stored, shown."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from archive.curation import reclean
from archive.ingest.govdoc import doc_number_key, extract_govdoc
from archive.ingest.htmltext import parse_html
from archive.ingest.parse import parse_record
from archive.ingest.pipeline import ingest_paths
from archive.ingest.records import DUMP, HTML, JSONL, WECHAT_HTML, RawRecord
from archive.models import Article
from archive.roles import CURATORS, ensure_curator_group
from tests.archive.test_admin_curation import CommittingClient
from tests.archive.test_admin_save import post_as_browser

PAGE = "govdoc_xxgk_2020.html"
DUMP_FILE = "govdoc_notice_dump.txt"


def parse_file(test_data, name, fmt):
    return parse_record(RawRecord(name, "1", fmt, (test_data / name).read_text(encoding="utf-8")))


def test_xxgk_page_table_gives_every_field(test_data):
    parsed = parse_file(test_data, PAGE, HTML)
    assert parsed.doc_number == "越政发[2020]3号"  # the table's own writing kept
    assert parsed.issuing_body == "绍兴市越城区人民政府"
    assert parsed.written_date == dt.date(2020, 3, 5)
    assert parsed.index_number == "11330602002562436B/2020-123456"
    assert parsed.subject_category == "城乡建设、环境保护/城乡建设（含住房）"


def test_dump_gives_number_from_top_and_body_and_date_from_sign_off(test_data):
    parsed = parse_file(test_data, DUMP_FILE, DUMP)
    assert parsed.doc_number == "越政办发〔2021〕12号"
    assert parsed.issuing_body == "绍兴市越城区人民政府办公室"
    assert parsed.written_date == dt.date(2021, 4, 20)
    assert parsed.index_number == "" and parsed.subject_category == ""


def real_jsonl_record(test_data, url_part):
    line = next(
        x for x in (test_data / "localgov_sample.jsonl").read_text(encoding="utf-8").splitlines() if url_part in x
    )
    return parse_record(RawRecord("localgov_sample.jsonl", "1", JSONL, line))


def test_real_xxgk_record_flattened_to_text_with_pipes(test_data):
    """sx.gov.cn: "索引号: | 1133…/2018-192321 | 公开方式: | …"; its 发布机构 is a website, not an organ."""
    parsed = real_jsonl_record(test_data, "art_1229265245_1711035")
    assert parsed.index_number == "11330600002577014T/2018-192321"
    assert parsed.written_date == dt.date(2018, 12, 29)
    assert parsed.subject_category == "综合类"
    assert parsed.issuing_body == ""  # 绍兴市政府门户网站
    assert parsed.doc_number == ""  # the 发文字号 cell is empty


def test_real_xxgk_record_with_spaced_labels(test_data):
    """wuxing.gov.cn: "索 引 号: 330502/2024-00854 成文日期: 2024-02-20" … "文件编号: 发布机构: 区民政局"."""
    parsed = real_jsonl_record(test_data, "art_1229518299_3962522")
    assert parsed.index_number == "330502/2024-00854"
    assert parsed.written_date == dt.date(2024, 2, 20)
    assert parsed.issuing_body == "区民政局"
    assert parsed.doc_number == ""


def test_the_other_real_feed_records_get_nothing(test_data):
    lines = (test_data / "localgov_sample.jsonl").read_text(encoding="utf-8").splitlines()
    found = []
    for i, line in enumerate(lines):
        parsed = parse_record(RawRecord("localgov_sample.jsonl", str(i), JSONL, line))
        values = (parsed.doc_number, parsed.issuing_body, parsed.written_date, parsed.index_number)
        if any(values) or parsed.subject_category:
            found.append(parsed.title)
    assert len(lines) == 15 and len(found) == 2


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("seed.txt", DUMP),
        ("zhangshangsuide_2022-07-31.html", WECHAT_HTML),
        ("gcdyweixin_2018-03-20.html", WECHAT_HTML),
    ],
)
def test_real_articles_without_metadata_get_none(test_data, name, fmt):
    raw = (test_data / name).read_text(encoding="utf-8")
    if fmt == DUMP:
        raw = raw.splitlines()[0]
    parsed = parse_record(RawRecord(name, "1", fmt, raw))
    values = [parsed.doc_number, parsed.issuing_body, parsed.written_date, parsed.index_number]
    assert values == ["", "", None, ""] and parsed.subject_category == ""


def test_prose_numbers_and_years_are_not_metadata():
    lines = [
        "第3号台风登陆",
        "2020年，全区完成改造26个，按照第3号工作指引组织实施。",
        "根据越政发〔2020〕3号文件精神，街道召开会议。",  # cited in prose, not this text's number
        "欢迎关注越城发布",
        "2020年3月5日",
    ]
    assert not extract_govdoc(lines=lines)


def test_labels_with_spaces_full_width_colons_and_list_items():
    root = parse_html(
        "<html><body><ul class='xxgk'>"
        "<li><span>索　引　号：</span>000014349/2021-00012</li>"
        "<li>发文机关：中共绍兴市委办公室 绍兴市人民政府办公室</li>"
        "<li><b>成文日期</b><span>2021年06月08日</span></li>"
        "<li>文号：绍市委办发【2021】18号</li>"
        "<li>主题分类：综合政务/其他</li>"
        "</ul><p>第3号</p></body></html>"
    )
    meta = extract_govdoc(root=root)
    assert meta.index_number == "000014349/2021-00012"
    assert meta.issuing_body == "中共绍兴市委办公室、绍兴市人民政府办公室"
    assert meta.written_date == dt.date(2021, 6, 8)
    assert meta.doc_number == "绍市委办发【2021】18号"
    assert meta.subject == "综合政务/其他"


def test_a_labelled_value_of_the_wrong_shape_is_dropped():
    root = parse_html(
        "<html><body><table><tr><td>发文字号</td><td>无</td></tr>"
        "<tr><td>发文机关</td><td>欢迎您访问本网站</td></tr>"
        "<tr><td>成文日期</td><td>2020-02-30</td></tr>"
        "<tr><td>索引号</td><td>见附件</td></tr></table></body></html>"
    )
    assert not extract_govdoc(root=root)


def test_sign_off_with_chinese_numeral_date():
    meta = extract_govdoc(lines=["正文。", "绍兴市越城区人民政府", "二〇二〇年三月十五日"])
    assert meta.issuing_body == "绍兴市越城区人民政府" and meta.written_date == dt.date(2020, 3, 15)


@pytest.mark.parametrize(
    "text",
    [
        "越政发〔2020〕3号",
        "越政发[2020]3号",
        "越政发【2020】3号",
        "越政发［2020］3号",
        "越政发(2020)3号",
        "越政发（2020）03号",
        "越政发2020年3号",
        "越政发 〔2020〕 3 号",
    ],
)
def test_doc_number_key_normalises_brackets(text):
    assert doc_number_key(text) == "越政发〔2020〕3号"


@pytest.mark.parametrize("text", ["第3号", "2020年3号", "党建", "越政发", "3号楼", ""])
def test_doc_number_key_refuses_what_is_not_a_number(text):
    assert doc_number_key(text) is None


@pytest.fixture
def govdoc_articles(db, test_data):
    summary = ingest_paths([test_data / PAGE, test_data / DUMP_FILE])
    assert summary.stored == 2
    return Article.objects.order_by("pk")


def test_ingest_stores_the_fields_and_reingest_makes_no_duplicates(govdoc_articles, test_data):
    page = Article.objects.get(doc_number="越政发[2020]3号")
    assert page.issuing_body == "绍兴市越城区人民政府" and page.written_date == dt.date(2020, 3, 5)
    assert page.index_number == "11330602002562436B/2020-123456"
    notice = Article.objects.get(doc_number="越政办发〔2021〕12号")
    assert notice.subject_category is None and notice.index_number is None  # unknown is NULL
    ingest_paths([test_data / PAGE, test_data / DUMP_FILE])
    assert Article.objects.count() == 2


def test_article_page_shows_the_document_table(client, govdoc_articles):
    page = Article.objects.get(doc_number="越政发[2020]3号")
    html = client.get(reverse("archive:article", args=[page.pk])).content.decode()
    assert "<caption>文件信息</caption>" in html
    for label, value in [
        ("发文字号", "越政发[2020]3号"),
        ("发文机关", "绍兴市越城区人民政府"),
        ("成文日期", "2020年3月5日"),
        ("索引号", "11330602002562436B/2020-123456"),
        ("主题分类", "城乡建设、环境保护/城乡建设（含住房）"),
    ]:
        assert f'<th scope="row">{label}</th><td>' in html and value in html
    notice = Article.objects.get(doc_number="越政办发〔2021〕12号")
    html = client.get(reverse("archive:article", args=[notice.pk])).content.decode()
    assert "发文字号" in html and "索引号" not in html and "主题分类" not in html  # only the known ones


def test_article_without_metadata_shows_no_table(client, seed_article):
    html = client.get(reverse("archive:article", args=[seed_article.pk])).content.decode()
    assert "文件信息" not in html


@pytest.fixture
def curator_client(db):
    from django.contrib.auth.models import Group, User

    ensure_curator_group()
    user = User.objects.create_user("li", password="pw-for-tests-only", is_staff=True)
    user.groups.add(Group.objects.get(name=CURATORS))
    client = CommittingClient()
    client.force_login(user)
    return client


def test_curator_corrects_the_issuing_body_and_cleaning_again_keeps_it(govdoc_articles, curator_client):
    client = curator_client
    notice = Article.objects.get(doc_number="越政办发〔2021〕12号")
    url = reverse("admin:archive_article_change", args=[notice.pk])
    form = client.get(url).content.decode()
    for name in ("doc_number", "issuing_body", "written_date", "index_number", "subject_category"):
        assert f'name="{name}"' in form  # editable in the admin
    post_as_browser(client, url, issuing_body="绍兴市越城区人民政府", subject_category="综合政务/通知")
    notice.refresh_from_db()
    assert notice.issuing_body == "绍兴市越城区人民政府" and notice.curated_fields == [
        "issuing_body",
        "subject_category",
    ]

    reclean([notice])
    notice.refresh_from_db()
    assert notice.issuing_body == "绍兴市越城区人民政府" and notice.subject_category == "综合政务/通知"
    html = client.get(notice.get_absolute_url()).content.decode()
    assert "<td>综合政务/通知</td>" in html


def test_cleaning_again_fills_the_fields_of_an_article_stored_before_them(govdoc_articles):
    page = Article.objects.get(doc_number="越政发[2020]3号")
    Article.objects.filter(pk=page.pk).update(
        doc_number=None, issuing_body=None, written_date=None, index_number=None, subject_category=None
    )
    reclean([Article.objects.get(pk=page.pk)])
    page.refresh_from_db()
    assert page.doc_number == "越政发[2020]3号" and page.issuing_body == "绍兴市越城区人民政府"
    assert page.written_date == dt.date(2020, 3, 5)


def test_values_read_from_the_raw_text_carry_no_invisible_controls():
    lines = ["索引号: 000014349/2021-00012", "主题分类: 综合\u202e政务\u200b/通知"]
    meta = extract_govdoc(raw_lines=lines)
    assert meta.index_number == "000014349/2021-00012" and meta.subject == "综合政务/通知"
