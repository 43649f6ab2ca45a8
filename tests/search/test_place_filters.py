"""The district, street and place filters take names and short forms as well as codes (issue 12, item 6)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from archive.ingest.pipeline import ingest_paths
from tests.conftest import write_jsonl
from tests.search.helpers import result_titles

pytestmark = pytest.mark.django_db

ROWS = [
    {"title": "昆山举办人才招聘周活动", "body": "昆山市人社局举办人才招聘周。", "account": "测试号甲"},
    {"title": "苏州市区公交线路调整", "body": "苏州市交通运输局发布公交线路调整通告。", "account": "测试号乙"},
    {"title": "越城区开展消防演练", "body": "越城区组织辖区商户开展消防演练。", "account": "测试号丙"},
]


@pytest.fixture
def articles(tmp_path):
    ingest_paths([write_jsonl(tmp_path / "places.jsonl", ROWS)])


def titles(client, **params) -> tuple[list[str], str]:
    response = client.get(reverse("search:search"), params)
    assert response.status_code == 200
    html = response.content.decode()
    return result_titles(html), html


@pytest.mark.parametrize(
    ("params", "title"),
    [
        ({"district": "昆山"}, "昆山举办人才招聘周活动"),
        ({"district": "越城区"}, "越城区开展消防演练"),
        ({"place": "昆山"}, "昆山举办人才招聘周活动"),
        ({"place": "苏州市"}, "苏州市区公交线路调整"),
        ({"place": "越城区"}, "越城区开展消防演练"),
    ],
)
def test_a_filter_takes_a_name_or_short_form(client, articles, params, title):
    found, html = titles(client, **params)
    assert title in found
    assert "已忽略这个条件" not in html


def test_the_city_filter_by_name_includes_its_districts(client, articles):
    found, _ = titles(client, place="苏州市")
    assert "昆山举办人才招聘周活动" in found  # 昆山市 is a county-level city in 苏州市


@pytest.mark.parametrize(
    ("params", "candidates"),
    [
        ({"place": "西湖"}, ("浙江省 杭州市，代码 330106", "江西省 南昌市，代码 360103")),
        ({"district": "朝阳"}, ("北京市", "吉林省 长春市")),
        ({"place": "府山街道"}, ("330602002", "330802006")),
    ],
)
def test_an_ambiguous_name_lists_its_candidates_in_chinese(client, articles, params, candidates):
    response = client.get(reverse("search:search"), params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "可指多个地点" in html and "已忽略这个条件" in html
    for candidate in candidates:
        assert candidate in html
    data = client.get(reverse("search:api-search"), params).json()
    assert any("可指多个地点" in m for m in data["messages"])
