"""Shared test fixtures, among them a small real corpus ingested through the pipeline (and so indexed)."""

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TEST_DATA = Path(__file__).resolve().parent / "data"
SHARED = REPO.parent / "shared"


@pytest.fixture
def test_data() -> Path:
    return TEST_DATA


@pytest.fixture
def shared_dir() -> Path:
    """The ../shared folder; tests that need it are skipped on a user's clone without it."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the repository")
    return SHARED


@pytest.fixture(scope="session", autouse=True)
def _search_index_dir(tmp_path_factory):
    """Point the search index at a temporary folder for the whole run (never the user's DATA_DIR)."""
    from django.conf import settings
    from haystack import connections

    settings.HAYSTACK_CONNECTIONS["default"]["PATH"] = str(tmp_path_factory.mktemp("whoosh"))
    connections.reload("default")
    yield


@pytest.fixture(scope="session", autouse=True)
def _tasks_run_at_once():
    """Queued work runs at once, in the test's process (tests of the worker use the real queue:
    the ``task_queue`` fixture)."""
    from django.conf import settings
    from django.test import override_settings

    immediate = {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": settings.TASK_QUEUES}
    with override_settings(TASKS={"default": immediate}):
        yield


@pytest.fixture
def task_queue(settings):
    """The real database queue, as served: tasks wait in the database until a worker runs them.

    Returns a function that runs the worker (``manage.py db_worker --batch``) until the queue is empty.
    """
    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}}

    def run_worker():
        call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", "--queue-name", "*")

    return run_worker


@pytest.fixture(autouse=True)
def _empty_search_index():
    """Every test starts with an empty index, as it starts with an empty database."""
    from haystack import connections

    connections["default"].get_backend().clear()
    yield


@pytest.fixture
def search_backend():
    """The real Chinese Whoosh backend, on the test run's temporary index."""
    from haystack import connections

    return connections["default"].get_backend()


def write_jsonl(path, rows):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


# Hand-written articles for the cases the issue names (one-character queries, dates, sources, places).
EXTRA = [
    {
        "title": "东浦街道开展水质监测",
        "body": "东浦街道迪荡新城开展水质监测，守护一江清水。",
        "account": "东浦发布",
        "published": "2021-05-04",
    },
    {
        "title": "北海街道党工委召开会议",
        "body": "北海街道党工委召开会议，部署垃圾分类工作。越城区委组织部参加。",
        "account": "越城组工",
        "published": "2019-03-02",
    },
    {
        "title": "柯城区府山街道开展志愿服务",
        "body": "衢州市柯城区府山街道组织志愿服务活动，走访独居老人。",
        "account": "柯城发布",
        "published": "2020-07-15",
    },
    {
        "title": "<script>alert(1)</script>会议纪要",
        "body": "会议讨论了<b>老旧小区</b>改造 & 加装电梯。",
        "account": "测试账号",
        "published": "2022-01-01",
    },
]


def corpus_files(tmp_path, test_data) -> list[Path]:
    """Seed, the local-government samples, the hand-written articles and 30 generated ones."""
    from archive.ingest.synthetic import generate_dump_records

    extra = write_jsonl(tmp_path / "extra.jsonl", EXTRA)
    generated = tmp_path / "generated.txt"
    generated.write_text("\n".join(generate_dump_records(30, seed=11)) + "\n", encoding="utf-8")
    return [test_data / "seed.txt", test_data / "localgov_sample.jsonl", extra, generated]


def ingest_corpus(tmp_path, test_data):
    from archive.ingest.pipeline import ingest_paths
    from archive.models import Article

    summary = ingest_paths(corpus_files(tmp_path, test_data))
    assert summary.stored > 40
    return Article.objects.public()


@pytest.fixture
def corpus(db, tmp_path, test_data):
    return ingest_corpus(tmp_path, test_data)


@pytest.fixture
def seed_article(corpus):
    from archive.models import Article

    return Article.objects.get(source__account_id="yuechengZG", title__startswith="【媒体聚焦】")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: cached figures are keyed on a version that restarts per test."""
    from django.core.cache import cache

    cache.clear()
    yield
