"""The time of day an article was published, from the record to what a reader sees.

Each case goes the whole way: a real record file is ingested into the real database (and the
real search index), then the article page, the Atom feed and the JSON API are read as a reader
or a client would read them.
"""

import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse

from archive.models import Article
from archive.roles import CURATORS, ensure_curator_group
from tests.archive.test_admin_curation import CommittingClient
from tests.archive.test_admin_save import post_as_browser

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
# 2021-06-12 00:07:38 in China is 2021-06-11 16:07:38 UTC: a date-only reading said 00:00 (or the 11th).
JUST_AFTER_MIDNIGHT = 1623427658
BODY = (
    "6月11日，府山街道组织辖区居民开展消防安全演练，社区网格员现场讲解灭火器的使用方法。"
    "演练结束后，街道还为老年居民送上了防火宣传手册，提醒大家注意用电安全。"
)


def ingest(path):
    call_command("ingest", str(path), "--no-progress")


def wechat_page(ct: str, title: str) -> str:
    """A page shaped like mp.weixin.qq.com's, its publication time only in ``var ct``."""
    return f"""<!DOCTYPE html><html><head>
<meta property="og:url" content="http://mp.weixin.qq.com/s?__biz=MzA=&amp;mid=7&amp;idx=1" />
<script>var nickname = "越城发布"; var ct = "{ct}";</script></head>
<body id="activity-detail"><div class="rich_media_inner">
<h2 class="rich_media_title" id="activity-name">{title}</h2>
<div class="rich_media_content" id="js_content"><p>{BODY}</p></div>
</div></body></html>"""


def write_jsonl(tmp_path, *items) -> object:
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(json.dumps(item, ensure_ascii=False) for item in items) + "\n", encoding="utf-8")
    return path


def meta_time(client, article) -> str:
    """The article page's date line (the <time> element under the title), as shown."""
    page = client.get(article.get_absolute_url()).content.decode()
    meta = page.split('<p class="meta">', 1)[1].split("</time>", 1)[0]
    return meta


def feed_entry(client, title) -> ET.Element:
    root = ET.fromstring(client.get(reverse("archive:feed")).content)
    return next(e for e in root.findall(f"{ATOM}entry") if e.find(f"{ATOM}title").text == title)


def test_wechat_var_ct_keeps_the_time_on_the_page_in_the_feed_and_in_the_api(client, tmp_path):
    path = tmp_path / "post.html"
    path.write_text(wechat_page(str(JUST_AFTER_MIDNIGHT), "府山街道开展消防演练"), encoding="utf-8")
    ingest(path)

    article = Article.objects.get()
    assert (article.published, article.published_time) == (dt.date(2021, 6, 12), dt.time(0, 7, 38))
    meta = meta_time(client, article)
    assert "2021年6月12日</a> 00:07" in meta and 'datetime="2021-06-12T00:07:38+08:00"' in meta

    entry = feed_entry(client, "府山街道开展消防演练")
    assert entry.find(f"{ATOM}published").text == "2021-06-12T00:07:38+08:00"

    api = client.get(reverse("search:api-article", args=[article.pk])).json()
    assert api["published"] == "2021-06-12" and api["published_at"] == "2021-06-12T00:07:38+08:00"


def test_real_wechat_page_keeps_its_time(client, test_data):
    ingest(test_data / "zhangshangsuide_2022-07-31.html")  # var ct = "1659274471"
    article = Article.objects.get()
    assert (article.published, article.published_time) == (dt.date(2022, 7, 31), dt.time(21, 34, 31))
    assert "2022年7月31日</a> 21:34" in meta_time(client, article)


def test_rfc2822_feed_item_time_is_kept_in_china_time(client, tmp_path):
    item = {"title": "城南街道召开防汛部署会", "text": BODY, "published": "Fri, 11 Jun 2021 16:07:38 GMT"}
    ingest(write_jsonl(tmp_path, item))
    article = Article.objects.get()
    assert (article.published, article.published_time) == (dt.date(2021, 6, 12), dt.time(0, 7, 38))
    assert "2021年6月12日</a> 00:07" in meta_time(client, article)
    assert feed_entry(client, item["title"]).find(f"{ATOM}published").text == "2021-06-12T00:07:38+08:00"


def test_iso_time_in_utc_is_converted_to_china_time(client, tmp_path):
    item = {"title": "北海街道走访困难群众", "text": BODY, "date": "2021-06-11T23:30:00Z"}
    ingest(write_jsonl(tmp_path, item))
    article = Article.objects.get()
    assert (article.published, article.published_time) == (dt.date(2021, 6, 12), dt.time(7, 30))
    assert "2021年6月12日</a> 07:30" in meta_time(client, article)


def test_a_date_alone_stays_a_date_with_no_midnight_shown(client, tmp_path):
    item = {"title": "塔山街道开展垃圾分类宣传", "text": BODY, "date": "2021-06-12"}
    ingest(write_jsonl(tmp_path, item))
    article = Article.objects.get()
    assert (article.published, article.published_time) == (dt.date(2021, 6, 12), None)
    meta = meta_time(client, article)
    assert "2021年6月12日" in meta and "00:00" not in meta and 'datetime="2021-06-12"' in meta
    api = client.get(reverse("search:api-article", args=[article.pk])).json()
    assert api["published"] == "2021-06-12" and api["published_at"] is None


def test_header_line_time_of_a_news_page_is_kept(client, tmp_path):
    path = tmp_path / "news.html"
    path.write_text(
        "<html><head><title>稽山街道举办邻里节</title></head><body><div class='article'>"
        "<h1>稽山街道举办邻里节</h1><p>发布时间：2021年6月12日 08:30　来源：越城区人民政府</p>"
        f"<p>{BODY}</p><p>{BODY}</p></div></body></html>",
        encoding="utf-8",
    )
    ingest(path)
    article = Article.objects.get()
    assert (article.published, article.published_time) == (dt.date(2021, 6, 12), dt.time(8, 30))


def test_dump_date_line_with_a_time_is_kept(test_data, tmp_path):
    seed = (test_data / "seed.txt").read_text(encoding="utf-8")
    assert seed.count("2018-09-11\\n") == 1
    path = tmp_path / "seed_with_time.txt"
    path.write_text(seed.replace("2018-09-11\\n", "2018-09-11 00:07:38\\n"), encoding="utf-8")
    ingest(path)
    article = Article.objects.get()
    assert (article.published, article.published_time) == (dt.date(2018, 9, 11), dt.time(0, 7, 38))
    assert not article.body.startswith("2018")


def test_search_api_and_exports_carry_the_time(client, tmp_path):
    items = [
        {"title": "府山街道消防演练", "text": BODY, "published": "Fri, 11 Jun 2021 16:07:38 GMT"},
        {"title": "府山街道防汛演练", "text": BODY.replace("消防", "防汛"), "date": "2021-06-10"},
    ]
    ingest(write_jsonl(tmp_path, *items))
    results = client.get(reverse("search:api-search"), {"q": "府山街道"}).json()["results"]
    by_title = {r["title"]: r for r in results}
    assert by_title["府山街道消防演练"]["published_at"] == "2021-06-12T00:07:38+08:00"
    assert by_title["府山街道防汛演练"]["published_at"] is None
    assert by_title["府山街道防汛演练"]["published"] == "2021-06-10"

    exported = json.loads(client.get(reverse("search:export-json"), {"q": "府山街道"}).content)["results"]
    assert {r["title"]: r["published_at"] for r in exported} == {
        "府山街道消防演练": "2021-06-12T00:07:38+08:00",
        "府山街道防汛演练": None,
    }
    text = client.get(reverse("search:export-csv"), {"q": "府山街道"}).content.decode("utf-8")
    rows = {r["title"]: r for r in csv.DictReader(io.StringIO(text[1:]))}
    assert rows["府山街道消防演练"]["published_at"] == "2021-06-12T00:07:38+08:00"
    assert rows["府山街道防汛演练"]["published_at"] == ""


def test_ingesting_the_same_file_again_changes_nothing(tmp_path):
    path = tmp_path / "post.html"
    path.write_text(wechat_page(str(JUST_AFTER_MIDNIGHT), "府山街道开展消防演练"), encoding="utf-8")
    ingest(path)
    before = list(Article.objects.values("pk", "published", "published_time", "updated_at"))
    ingest(path)
    assert list(Article.objects.values("pk", "published", "published_time", "updated_at")) == before


@pytest.fixture
def curator_client(db):
    if not Group.objects.filter(name=CURATORS).exists():
        ensure_curator_group()
    user = User.objects.create_user("zhang", password="pw-for-tests-only", is_staff=True)
    user.groups.add(Group.objects.get(name=CURATORS))
    client = CommittingClient()
    client.force_login(user)
    return client


def test_a_curator_sees_and_corrects_the_time_in_the_admin(curator_client, client, tmp_path):
    path = tmp_path / "post.html"
    path.write_text(wechat_page(str(JUST_AFTER_MIDNIGHT), "府山街道开展消防演练"), encoding="utf-8")
    ingest(path)
    article = Article.objects.get()
    url = reverse("admin:archive_article_change", args=[article.pk])
    form = curator_client.get(url).content.decode()
    assert "发布时间" in form and 'name="published_time" value="00:07:38"' in form

    post_as_browser(curator_client, url)  # unedited: nothing is marked as corrected
    article.refresh_from_db()
    assert article.published_time == dt.time(0, 7, 38) and not article.curated_fields

    post_as_browser(curator_client, url, published_time="08:15:00")
    article.refresh_from_db()
    assert article.published_time == dt.time(8, 15) and article.curated_fields == ["published_time"]
    curator_client.post("/admin/archive/article/", {"action": "reclean", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert article.published_time == dt.time(8, 15)  # cleaning again keeps the correction
    assert "2021年6月12日</a> 08:15" in meta_time(client, article)


@pytest.mark.parametrize(("header_day", "expected"), [("2021年06月12日", dt.time(8, 30)), ("2021年06月11日", None)])
def test_a_meta_date_takes_the_time_the_header_prints_for_the_same_day(tmp_path, header_day, expected):
    path = tmp_path / "news.html"
    path.write_text(
        '<html><head><meta name="publishdate" content="2021-06-12"><title>稽山街道举办邻里节</title></head>'
        "<body><div class='article'><h1>稽山街道举办邻里节</h1>"
        f"<p>{header_day}08:30 | 来源：越城区人民政府</p><p>{BODY}</p><p>{BODY}</p></div></body></html>",
        encoding="utf-8",
    )
    ingest(path)
    article = Article.objects.get()
    assert (article.published, article.published_time) == (dt.date(2021, 6, 12), expected)


def test_real_news_page_with_a_date_only_meta_keeps_the_printed_time(client, shared_dir):
    # people.com.cn: <meta name="publishdate" content="2024-05-10">, and under the title 2024年05月10日06:58
    ingest(shared_dir / "data" / "extraction" / "pages" / "1e20e0271231de85.html")
    article = Article.objects.get()
    assert (article.published, article.published_time) == (dt.date(2024, 5, 10), dt.time(6, 58))
    assert "2024年5月10日</a> 06:58" in meta_time(client, article)
