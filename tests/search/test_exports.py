"""CSV and JSON exports of a search: same results and order as the search, a stated cap, the parameters echoed."""

import csv
import io
import json

import pytest
from django.urls import reverse

from search import service


@pytest.mark.django_db
def test_json_export_matches_the_search(client, seed_article):
    params = {"q": "街道", "sort": "newest"}
    response = client.get(reverse("search:export-json"), params)
    assert response.status_code == 200
    data = json.loads(response.content)
    api = client.get(reverse("search:api-search"), params).json()
    assert data["count"] == api["count"] and data["exported"] == min(api["count"], service.EXPORT_LIMIT)
    assert [r["id"] for r in data["results"]][:20] == [r["id"] for r in api["results"]]
    assert data["parameters"] == params and data["limit"] == service.EXPORT_LIMIT
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "q-" in disposition and ".json" in disposition
    assert response["X-Result-Count"] == str(api["count"])


@pytest.mark.django_db
def test_csv_export_reads_in_a_spreadsheet(client, seed_article):
    response = client.get(reverse("search:export-csv"), {"q": "东浦街道"})
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert rows and rows[0].keys() >= {"id", "title", "published", "source", "places", "url", "body"}
    mine = next(r for r in rows if r["id"] == str(seed_article.pk))
    assert mine["title"] == seed_article.title and mine["source"] == "越城组工"
    assert mine["body"] == seed_article.body  # newlines and quotes survive the round trip


@pytest.mark.django_db
def test_export_is_capped(client, corpus, monkeypatch):
    monkeypatch.setattr(service, "EXPORT_LIMIT", 5)
    monkeypatch.setattr("search.exports.EXPORT_LIMIT", 5)
    data = json.loads(client.get(reverse("search:export-json")).content)
    assert data["count"] == corpus.count() > 5
    assert data["exported"] == 5 and len(data["results"]) == 5 and data["limit"] == 5


@pytest.mark.django_db
def test_export_of_a_malformed_search_is_valid(client, corpus):
    response = client.get(reverse("search:export-csv"), {"q": '"((东浦', "date_from": "2018-13-45", "page": "999999"})
    assert response.status_code == 200
    list(csv.DictReader(io.StringIO(response.content.decode("utf-8")[1:])))


FORMULAS = {
    "title": '=HYPERLINK("http://x","点这里")',
    "body": "＝1+1 东浦街道开展水质监测。",
    "account": "@越城发布",
    "account_id": "-cmd",
}


@pytest.mark.django_db
def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_quoted(client, tmp_path):
    from archive.ingest.pipeline import ingest_paths
    from tests.conftest import write_jsonl

    row = {**FORMULAS, "published": "2021-05-04"}
    ingest_paths([write_jsonl(tmp_path / "formulas.jsonl", [row])])
    text = client.get(reverse("search:export-csv")).content.decode("utf-8")
    [exported] = list(csv.DictReader(io.StringIO(text[1:])))
    assert exported["title"] == "'" + FORMULAS["title"]
    assert exported["body"] == "'" + FORMULAS["body"]
    assert exported["source"] == "'@越城发布"
    assert exported["account_id"] == "'-cmd"
    assert exported["published"] == "2021-05-04"  # ordinary cells as they were
    # The JSON export is data, not a spreadsheet: the values as stored.
    [as_json] = json.loads(client.get(reverse("search:export-json")).content)["results"]
    assert as_json["title"] == FORMULAS["title"] and as_json["source"] == "@越城发布"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"])
def test_every_formula_start_is_quoted_in_csv(start):
    from search.exports import csv_cell

    assert csv_cell(f"{start}SUM(A1)") == f"'{start}SUM(A1)"
    assert csv_cell("东浦街道=好") == "东浦街道=好"
    assert csv_cell(42) == 42 and csv_cell(None) is None
