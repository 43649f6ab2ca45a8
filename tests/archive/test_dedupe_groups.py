"""Reprints and duplicates through the real ingest pipeline, on the real SQLite database and search index.

Small synthetic feeds (title, account, URL, date), shaped like the real WeChat feed items the
defects were measured on: what a reader sees is asserted (the article page's list of other
publishers, which copy is the original, what search finds).
"""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from archive import curation
from archive.models import Article, IngestRun

pytestmark = pytest.mark.django_db

TITLE = "老旧小区改造让居民住得更舒心"
BODY = (
    "府山街道今年以来深入推进老旧小区改造提升工程，累计完成改造面积十二万平方米，惠及居民三千余户。"
    "街道坚持问需于民、问计于民，在改造前广泛征求居民意见，确定加装电梯、修缮屋面、改造管网等重点项目。"
    "改造完成后，街道同步引入物业服务，建立长效管理机制，让居民住得更舒心、更安心。"
)


def item(title, account, day, url="", body="", **extra):
    record = {"title": title, "account": account, "published": day, **extra}
    if url:
        record["url"] = url
    if body:
        record["body"] = body
    return record


def ingest(tmp_path, name, records):
    path = tmp_path / name
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    call_command("ingest", str(path), "--no-progress")


def article(account):
    return Article.objects.get(source__name=account)


def other_publishers(client, a):
    """The accounts the article page lists under 同一报道的其他发布, in the order shown."""
    html = client.get(a.get_absolute_url()).content.decode()
    if "同一报道的其他发布" not in html:
        return []
    section = html.split("同一报道的其他发布", 1)[1].split("</aside>", 1)[0]
    return [part.split("</a>", 1)[0] for part in section.split('">')[1:] if "</a>" in part]


def search_ids(client, q):
    return [r["id"] for r in client.get(reverse("search:api-search"), {"q": q}).json()["results"]]


def url(n):
    return f"https://mp.weixin.qq.com/s?__biz=MzA{n}&mid={n}&idx=1&sn=abc{n}"


# --- title-only records ------------------------------------------------------------------------


def test_generic_titles_from_many_accounts_and_days_are_separate_posts(tmp_path, client):
    start = dt.date(2021, 3, 1)
    records = [item("分享图片", f"账号{n}", str(start + dt.timedelta(days=n % 20)), url=url(n)) for n in range(35)] + [
        item("端午安康", f"号{n}", f"{2019 + n % 4}-06-{10 + n % 5:02d}", url=url(100 + n)) for n in range(12)
    ]
    ingest(tmp_path, "feed.jsonl", records)

    assert Article.objects.filter(duplicate_of__isnull=False).count() == 0
    assert Article.objects.public().count() == 47
    assert other_publishers(client, article("账号0")) == []


def test_a_long_title_turns_generic_when_the_corpus_repeats_it_on_many_days(tmp_path, client):
    title = "上市公司重要公告汇总及今日市场要闻"
    first_two = [item(title, "甲", "2021-05-01", url=url(1)), item(title, "乙", "2021-05-02", url=url(2))]
    ingest(tmp_path, "a.jsonl", first_two)
    assert article("乙").duplicate_of == article("甲")  # a specific title, close in time: so far one report

    ingest(
        tmp_path,
        "b.jsonl",
        [item(title, "丙", "2021-05-09", url=url(3)), item(title, "丁", "2021-05-20", url=url(4))],
    )
    # Four days now carry it: a recurring title, no evidence of one report; the pair is split.
    assert Article.objects.filter(duplicate_of__isnull=False).count() == 0
    assert other_publishers(client, article("甲")) == []


def test_a_specific_title_close_in_time_is_one_report_and_far_apart_is_not(tmp_path, client):
    title = "越城区召开2021年度基层治理现代化推进大会"
    ingest(
        tmp_path,
        "feed.jsonl",
        [
            item(title, "越城发布", "2021-06-11", url=url(1)),
            item(title, "绍兴组工", "2021-06-12", url=url(2)),
            item(title, "某资讯号", "2021-07-30", url=url(3)),
            item(title, "无日期号", "", url=url(4)),
        ],
    )

    assert article("绍兴组工").duplicate_of == article("越城发布")
    assert other_publishers(client, article("越城发布")) == ["绍兴组工"]
    assert article("某资讯号").duplicate_of is None
    assert article("无日期号").duplicate_of is None  # undated: no evidence it is close in time


# --- one account, several posts ------------------------------------------------------------------


def test_the_same_account_at_different_urls_is_two_posts(tmp_path, client):
    ingest(
        tmp_path,
        "feed.jsonl",
        [
            item(TITLE, "越城发布", "2021-06-11", url=url(1), body=BODY),
            item(TITLE, "越城发布", "2021-06-18", url=url(2), body=BODY),
        ],
    )
    ingest(
        tmp_path, "more.jsonl", [item("府山街道推进老旧小区改造提升", "越城发布", "2021-07-01", url=url(3), body=BODY)]
    )

    assert Article.objects.count() == 3
    assert Article.objects.filter(duplicate_of__isnull=False).count() == 0
    assert all(other_publishers(client, a) == [] for a in Article.objects.all())


def test_the_same_post_ingested_again_with_other_fields_is_not_stored_twice(tmp_path):
    share = url(1) + "&chksm=1&scene=21#wechat_redirect"
    ingest(tmp_path, "feed.jsonl", [item(TITLE, "越城发布", "2021-06-11", url=url(1), body=BODY)])
    again = item(TITLE, "越城发布", "2021-06-11", url=share, body=BODY, read_count=1203)
    ingest(tmp_path, "again.jsonl", [again])

    assert Article.objects.count() == 1
    run = IngestRun.objects.order_by("pk").last()
    assert (run.stored, run.duplicates, run.unchanged) == (0, 0, 1)


def test_a_generic_title_ingested_again_is_not_stored_twice(tmp_path):
    records = [item("分享图片", f"账号{n}", f"2021-03-{n + 1:02d}", url=url(n)) for n in range(5)]
    ingest(tmp_path, "feed.jsonl", records)
    ingest(tmp_path, "again.jsonl", [{**r, "read_count": 7} for r in records])

    assert Article.objects.count() == 5
    assert IngestRun.objects.order_by("pk").last().unchanged == 5


# --- the earliest copy is the original ---------------------------------------------------------


def test_an_earlier_copy_arriving_later_becomes_the_original(tmp_path, client):
    ingest(
        tmp_path,
        "later.jsonl",
        [
            item("转载：老旧小区改造让居民住得更舒心", "绍兴日报", "2021-06-13", url=url(2), body=BODY),
            item("老旧小区改造", "某资讯号", "2021-06-14", url=url(3), body=BODY),
        ],
    )
    assert search_ids(client, "老旧小区改造") == [article("绍兴日报").pk]

    ingest(tmp_path, "first.jsonl", [item(TITLE, "越城发布", "2021-06-11", url=url(1), body=BODY)])

    first, reprint, other = article("越城发布"), article("绍兴日报"), article("某资讯号")
    assert first.duplicate_of is None
    assert reprint.duplicate_of == first and other.duplicate_of == first
    assert list(Article.objects.public()) == [first]
    assert other_publishers(client, first) == ["绍兴日报", "某资讯号"]
    assert other_publishers(client, reprint) == ["越城发布", "某资讯号"]
    assert "（原文）" in client.get(reprint.get_absolute_url()).content.decode()
    assert search_ids(client, "老旧小区改造") == [first.pk]  # the new original indexed, the old one removed


def test_a_dated_copy_is_the_original_before_an_undated_one(tmp_path):
    ingest(tmp_path, "undated.jsonl", [item(TITLE, "某资讯号", "", url=url(2), body=BODY)])
    ingest(tmp_path, "dated.jsonl", [item(TITLE, "越城发布", "2021-06-11", url=url(1), body=BODY)])

    assert article("某资讯号").duplicate_of == article("越城发布")


def test_a_curators_merge_keeps_its_original_when_an_earlier_copy_arrives(tmp_path):
    ingest(
        tmp_path,
        "feed.jsonl",
        [
            item(TITLE, "绍兴日报", "2021-06-13", url=url(2), body=BODY),
            item("府山街道老旧小区改造", "某资讯号", "2021-06-14", url=url(3), body=BODY.replace("三千", "3000")),
        ],
    )
    chosen = article("某资讯号")
    curation.merge(chosen, [article("绍兴日报")])

    ingest(tmp_path, "first.jsonl", [item(TITLE, "越城发布", "2021-06-11", url=url(1), body=BODY)])

    assert article("某资讯号").duplicate_of is None
    assert article("绍兴日报").duplicate_of == chosen
    assert article("越城发布").duplicate_of == chosen


def test_not_a_duplicate_stays_apart_when_copies_arrive(tmp_path):
    ingest(
        tmp_path,
        "feed.jsonl",
        [
            item(TITLE, "越城发布", "2021-06-11", url=url(1), body=BODY),
            item(TITLE, "绍兴日报", "2021-06-13", url=url(2), body=BODY),
        ],
    )
    curation.not_a_duplicate([article("绍兴日报")])
    ingest(tmp_path, "earlier.jsonl", [item("老旧小区改造", "某资讯号", "2021-06-01", url=url(3), body=BODY)])

    assert article("绍兴日报").duplicate_of is None
    assert article("越城发布").duplicate_of == article("某资讯号")  # the earliest copy of the rest


# --- repairing groups stored before these rules ------------------------------------------------


def test_regroup_duplicates_repairs_groups_stored_by_the_old_rules(
    tmp_path, client, django_capture_on_commit_callbacks
):
    ingest(
        tmp_path,
        "feed.jsonl",
        [
            item("分享图片", "账号甲", "2021-03-01", url=url(1)),
            item("分享图片", "账号乙", "2021-03-09", url=url(2)),
            item(TITLE, "越城发布", "2021-06-11", url=url(3), body=BODY),
            item(TITLE, "绍兴日报", "2021-06-13", url=url(4), body=BODY),
            item(TITLE, "绍兴日报", "2021-06-20", url=url(5), body=BODY),
        ],
    )
    by_url = {a.original_url: a for a in Article.objects.all()}
    first, reprint, repost = by_url[url(3)], by_url[url(4)], by_url[url(5)]
    # What the old rules stored: one 分享图片 group, the newest copy as the original, the same
    # account's two posts linked to each other.
    Article.objects.filter(pk=by_url[url(1)].pk).update(duplicate_of=by_url[url(2)])
    Article.objects.filter(pk__in=[first.pk, repost.pk]).update(duplicate_of=reprint)
    Article.objects.filter(pk=reprint.pk).update(duplicate_of=None)
    with django_capture_on_commit_callbacks(execute=True):  # the queued index writes run
        curation.reindex(Article.objects.values_list("pk", flat=True))
    assert sorted(search_ids(client, "老旧小区改造")) == [reprint.pk]

    with django_capture_on_commit_callbacks(execute=True):
        call_command("regroup_duplicates")

    first, reprint, repost = (Article.objects.get(pk=a.pk) for a in (first, reprint, repost))
    assert first.duplicate_of is None and reprint.duplicate_of == first
    assert repost.duplicate_of is None  # the same account's other post stands on its own
    assert Article.objects.filter(title="分享图片", duplicate_of__isnull=False).count() == 0
    assert other_publishers(client, first) == ["绍兴日报"]
    assert sorted(search_ids(client, "老旧小区改造")) == sorted([first.pk, repost.pk])
    assert Article.objects.get(pk=reprint.pk).history.first().history_change_reason == "重新分组：最早发布者为原文"

    out = io.StringIO()
    call_command("regroup_duplicates", stdout=out)
    assert "changed 0 articles" in out.getvalue()  # a second run changes nothing


def test_regroup_duplicates_leaves_a_curators_group_alone(tmp_path):
    ingest(
        tmp_path,
        "feed.jsonl",
        [
            item(TITLE, "越城发布", "2021-06-11", url=url(1), body=BODY),
            item(TITLE, "绍兴日报", "2021-06-13", url=url(2)),
        ],
    )
    curation.merge(article("绍兴日报"), [article("越城发布")])

    call_command("regroup_duplicates")

    assert article("越城发布").duplicate_of == article("绍兴日报")


# --- a post crawled again with changed text -------------------------------------------------

EDITED = (
    "更正：府山街道老旧小区改造提升工程本年度累计完成改造面积十五万平方米，惠及居民四千二百余户，"
    "涉及小区二十一个。下一步，街道将针对居民反映集中的停车难、充电难问题，新增停车位六百个、充电桩两百个。"
)
POST_URL = "https://mp.weixin.qq.com/s?__biz=MzA5&mid=2650&idx=1&sn=abc"


def test_the_same_post_crawled_again_with_changed_text_is_a_copy_not_a_second_report(tmp_path, client):
    ingest(tmp_path, "first.jsonl", [item(TITLE, "府山发布", "2024-05-01", url=POST_URL, body=BODY)])
    ingest(tmp_path, "again.jsonl", [item(TITLE, "府山发布", "2024-05-01", url=POST_URL, body=EDITED)])
    first, again = Article.objects.order_by("pk")
    assert again.duplicate_of_id == first.pk and first.duplicate_of_id is None
    assert IngestRun.objects.order_by("pk").last().duplicates == 1
    assert search_ids(client, "老旧小区改造") == [first.pk]  # readers see one report
    assert EDITED in again.body  # the new text is kept, with its raw record
    page = client.get(first.get_absolute_url()).content.decode()
    assert '府山发布</a> <time>2024-05-01</time> <span class="version">（同一链接的另一版本）</span>' in page
    # The same file once more is the same records again: nothing new.
    ingest(tmp_path, "again.jsonl", [item(TITLE, "府山发布", "2024-05-01", url=POST_URL, body=EDITED)])
    assert Article.objects.count() == 2


def test_two_versions_of_one_post_in_one_file_are_one_report(tmp_path):
    versions = [
        item(TITLE, "府山发布", "2024-05-01", url=POST_URL, body=BODY),
        item(TITLE, "府山发布", "2024-05-01", url=POST_URL, body=EDITED),
    ]
    ingest(tmp_path, "both.jsonl", versions)
    first, second = Article.objects.order_by("pk")
    assert second.duplicate_of_id == first.pk


def test_an_address_shared_by_an_accounts_different_posts_does_not_join_them(tmp_path):
    # Records that all give the account's home page as their address: different titles, different posts.
    home = "https://www.example.gov.cn/"
    posts = [
        item(TITLE, "府山发布", "2024-05-01", url=home, body=BODY),
        item("街道召开防汛工作部署会", "府山发布", "2024-05-02", url=home, body=EDITED),
    ]
    ingest(tmp_path, "home.jsonl", posts)
    assert list(Article.objects.values_list("duplicate_of", flat=True)) == [None, None]
