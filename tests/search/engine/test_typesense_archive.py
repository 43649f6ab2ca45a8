"""An archive switched to Typesense by configuration: ingest writes to it, rebuild_index fills it,
the search page answers from it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.search.engine.typesense_server import API_KEY

REPO = Path(__file__).resolve().parents[3]


def _manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )


SEARCH = (
    "from search.service import run_search; from search.backends import current_engine; "
    "o = run_search({'q': '东浦'}); "
    "print(current_engine().name, current_engine().count(), o.count, '|'.join(h.article.title for h in o.hits))"
)


def test_search_engine_typesense_is_chosen_written_rebuilt_and_searched(tmp_path, test_data, typesense_server):
    env = {
        **os.environ,
        "DATA_DIR": str(tmp_path / "data"),
        "GAZETTEER_VILLAGES": "none",
        "TASKS_BACKEND": "immediate",
        "SEARCH_ENGINE": "typesense",
        "TYPESENSE_NODES": ",".join(typesense_server.nodes),
        "TYPESENSE_API_KEY": API_KEY,
        "TYPESENSE_COLLECTION": "archive_test",
    }
    env.pop("DATABASE_URL", None)
    assert _manage(env, "migrate", "-v0").returncode == 0
    ingest = _manage(env, "ingest", str(test_data / "localgov_sample.jsonl"), str(test_data / "seed.txt"))
    assert ingest.returncode in (0, 1), ingest.stderr
    before = _manage(env, "shell", "-c", SEARCH)
    assert before.returncode == 0, before.stderr
    answer = before.stdout.strip().splitlines()[-1]
    name, indexed, count, titles = answer.split(" ", 3)
    assert name == "typesense" and int(indexed) > 0 and int(count) > 0 and "越城区" in titles

    # Lose the index, then rebuild it from the database.
    assert _manage(env, "clear_index", "--noinput").returncode == 0
    assert _manage(env, "shell", "-c", SEARCH).stdout.strip().splitlines()[-1].split()[1] == "0"
    rebuilt = _manage(env, "rebuild_index", "--noinput")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert _manage(env, "shell", "-c", SEARCH).stdout.strip().splitlines()[-1] == answer


def test_an_unknown_search_engine_is_refused_with_its_name(tmp_path):
    env = {**os.environ, "DATA_DIR": str(tmp_path / "data"), "SEARCH_ENGINE": "elastic"}
    result = _manage(env, "check")
    assert result.returncode != 0 and "SEARCH_ENGINE='elastic'" in result.stderr
