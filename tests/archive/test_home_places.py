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
