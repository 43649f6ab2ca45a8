"""A source's home place is inferred only from evidence in its name, and shown as a guess (issue 12, item 5)."""

import re

import pytest

from archive.ingest.pipeline import ingest_paths
from archive.models import Source
from tests.conftest import write_jsonl

pytestmark = pytest.mark.django_db


def ingest(tmp_path, rows):
    ingest_paths([write_jsonl(tmp_path / "feed.jsonl", rows)], index=False)


def home_districts(client) -> list[str]:
    page = client.get("/").content.decode()
    section = re.search(r"报道最多的区县</h2>(.*?)<h2>", page, re.S).group(1)
    return re.findall(r'<a href="/places/\d+/">([^<]+)</a>', section)


@pytest.mark.parametrize(
    ("account", "title"),
    [
        ("金瑞期货", "金瑞期货：铜价周评"),
        ("广佛地铁", "广佛线运营时间调整"),
        ("大唐财富", "大唐财富年度投资策略会举行"),
    ],
)
def test_a_towns_short_form_in_a_company_name_gives_no_home_place(client, tmp_path, account, title):
    row = {"title": title, "body": f"{title}。详情见正文。", "account": account, "published": "2024-05-01"}
    ingest(tmp_path, [row])
    source = Source.objects.get(name=account)
    assert source.home_place is None
    page = client.get(f"/sources/{source.pk}/").content.decode()
    assert "所属地点" not in page
    # No guessed town leads the home page's figure either (平利县, 袁州区 before).
    assert not {"平利县", "袁州区", "新昌县", "婺城区"} & set(home_districts(client))


def test_a_district_short_form_with_a_government_word_is_a_marked_guess(client, tmp_path):
    ingest(tmp_path, [{"title": "组织工作动态", "body": "全区组织工作会议召开。", "account": "越城组工"}])
    source = Source.objects.get(name="越城组工")
    assert source.home_place.name == "越城区" and source.home_place_inferred
    page = client.get(f"/sources/{source.pk}/").content.decode()
    assert re.search(r"推测：<a [^>]*>越城区</a>（依据：账号名称“越城组工”", page)
    index = client.get("/sources/").content.decode()
    assert "推测：<a" in index


def test_regeotag_home_places_repairs_an_old_guess(tmp_path):
    from io import StringIO

    from django.core.management import call_command

    from archive.models import Place

    ingest(tmp_path, [{"title": "铜价周评", "body": "本周铜价震荡。", "account": "金瑞期货"}])
    source = Source.objects.get(name="金瑞期货")
    # What the old inference stored: 金瑞镇 (江西) as a guess.
    source.home_place = Place.objects.filter(name="金瑞镇").first()
    source.home_place_inferred = True
    source.save()
    out = StringIO()
    call_command("regeotag", "--home-places", stdout=out, stderr=StringIO())
    source.refresh_from_db()
    assert source.home_place is None and not source.home_place_inferred
    assert "金瑞期货: 金瑞镇 → （无）" in out.getvalue()


def test_an_inferred_home_place_does_not_count_in_the_home_figure(client, tmp_path):
    body = "全区组织工作会议召开。"
    rows = [{"title": f"组织工作动态第{i}期", "body": body, "account": "越城组工"} for i in range(3)]
    ingest(tmp_path, rows)
    assert Source.objects.get(name="越城组工").home_place_inferred
    assert "越城区" not in home_districts(client)  # counted only by the places the articles name


# --- from what the articles consistently name ----------------------------------------------


def posts(account: str, bodies: list[str]) -> list[dict]:
    return [
        {"title": f"工作动态第{i}期", "body": body, "account": account, "published": f"2024-05-{i + 1:02d}"}
        for i, body in enumerate(bodies)
    ]


def test_a_place_most_of_a_sources_articles_name_becomes_its_marked_home(client, tmp_path):
    bodies = [f"越城区府山街道开展第{i}次志愿服务。" for i in range(4)] + ["越城区召开会议。", "今日天气晴好。"]
    summary = ingest_paths([write_jsonl(tmp_path / "feed.jsonl", posts("清风说事", bodies))], index=False)
    source = Source.objects.get(name="清风说事")
    # Five of six name 越城区 (four of them 府山街道 too, 4/6 ≥ 60%): the deepest place on one line.
    assert source.home_place.name == "府山街道" and source.home_place_inferred
    assert source.home_place_evidence == "6 篇报道中有 4 篇提到府山街道"
    page = client.get(f"/sources/{source.pk}/").content.decode()
    assert re.search(r"推测：<a [^>]*>府山街道</a>（依据：6 篇报道中有 4 篇提到府山街道，未经核实）", page)
    assert summary.home_places_inferred == {"清风说事": "府山街道（依据：6 篇报道中有 4 篇提到府山街道）"}


def test_the_inferred_home_then_ties_short_forms_in_the_sources_articles(tmp_path, django_capture_on_commit_callbacks):
    bodies = [f"越城区召开第{i}次工作会议。" for i in range(5)] + ["塔山开展垃圾分类宣传活动。"]
    with django_capture_on_commit_callbacks(execute=False) as queued:
        ingest(tmp_path, posts("清风说事", bodies))
    source = Source.objects.get(name="清风说事")
    assert source.home_place.name == "越城区"
    # 塔山 alone names a street in several places: read without a home place, it names none.
    article = source.articles.get(body__startswith="塔山")
    assert list(article.places.all()) == []
    for callback in queued:
        callback()  # what the commit queues: the source's articles geotagged again in the worker
    # With 越城区 as home, it is 越城区's 塔山街道.
    assert [p.name for p in article.places.all()] == ["塔山街道"]


def test_fewer_than_five_articles_are_no_evidence(tmp_path):
    ingest(tmp_path, posts("清风说事", ["越城区召开工作会议。"] * 4))
    assert Source.objects.get(name="清风说事").home_place is None


def test_articles_split_between_two_districts_give_the_city_they_share(tmp_path):
    bodies = ["越城区召开工作会议。"] * 3 + ["柯桥区召开工作会议。"] * 3
    ingest(tmp_path, posts("清风说事", bodies))
    source = Source.objects.get(name="清风说事")
    assert source.home_place.name == "绍兴市"
    assert source.home_place_evidence == "6 篇报道中有 6 篇提到绍兴市"


def test_articles_that_agree_on_nothing_give_no_home(tmp_path):
    bodies = [
        "越城区召开工作会议。",
        "昆山市召开工作会议。",
        "淳安县召开工作会议。",
        "今日天气晴好。",
        "海淀区召开会议。",
    ]
    ingest(tmp_path, posts("清风说事", bodies))
    assert Source.objects.get(name="清风说事").home_place is None


def test_a_curators_home_place_is_never_replaced_by_the_articles(tmp_path):
    from archive.models import Place

    ingest(tmp_path, posts("清风说事", ["今日天气晴好。"]))
    source = Source.objects.get(name="清风说事")
    source.home_place = Place.objects.get(name="昆山市")
    source.save()
    ingest(tmp_path, posts("清风说事", [f"越城区召开第{i}次工作会议。" for i in range(6)]))
    source.refresh_from_db()
    assert source.home_place.name == "昆山市" and not source.home_place_inferred


def test_the_name_comes_before_the_articles(tmp_path):
    ingest(tmp_path, posts("越城组工", ["柯桥区召开工作会议。"] * 6))
    source = Source.objects.get(name="越城组工")
    assert source.home_place.name == "越城区"
    assert source.home_place_evidence == "账号名称“越城组工”"


def test_regeotag_home_places_infers_from_the_articles_of_sources_stored_before(tmp_path):
    from io import StringIO

    from django.core.management import call_command

    ingest(tmp_path, posts("清风说事", ["越城区召开工作会议。"] * 6))
    Source.objects.filter(name="清风说事").update(home_place=None, home_place_inferred=False, home_place_evidence="")
    out = StringIO()
    call_command("regeotag", "--home-places", stdout=out, stderr=StringIO())
    source = Source.objects.get(name="清风说事")
    assert source.home_place.name == "越城区" and source.home_place_inferred
    assert "清风说事: （无） → 越城区（依据：6 篇报道中有 6 篇提到越城区）" in out.getvalue()
