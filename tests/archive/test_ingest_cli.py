"""The ingest command as a user runs it: a real process, a real SQLite file, exit statuses, kill -9."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.ingest.synthetic import generate_dump_records

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("data")
    manage("migrate", "-v0", data_dir=path, check=True)
    return path


def command_env(data_dir):
    """Return the environment for a real run on the embedded default: SQLite under data_dir."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return {**env, "DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "config.settings"}


def manage(*args, data_dir, check=False, **kwargs):
    env = command_env(data_dir)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, check=check, capture_output=True, text=True, **kwargs
    )


def count(data_dir, sql):
    with sqlite3.connect(f"file:{data_dir / 'archive.sqlite3'}?mode=ro", uri=True) as db:
        return db.execute(sql).fetchone()[0]


def test_exit_status_tells_clean_run_rejections_and_usage_errors(data_dir, test_data, tmp_path):
    clean = manage("ingest", str(test_data / "seed.txt"), data_dir=data_dir)
    assert clean.returncode == 0, clean.stderr
    assert "stored" in clean.stdout

    with_rejection = manage("ingest", str(test_data / "deleted_article.html"), data_dir=data_dir)
    assert with_rejection.returncode == 1
    assert "deleted_article" in with_rejection.stdout

    usage = manage("ingest", str(tmp_path / "missing.txt"), data_dir=data_dir)
    assert usage.returncode == 2
    assert "No such file" in usage.stderr


def test_killed_run_leaves_no_half_written_article_and_rerun_completes(data_dir, tmp_path):
    records = tmp_path / "records.txt"
    total = 3000
    records.write_text("\n".join(generate_dump_records(total, seed=7)) + "\n", encoding="utf-8")
    before = count(data_dir, "select count(*) from archive_article")
    env = command_env(data_dir)
    process = subprocess.Popen(
        # Without search indexing: this is about the database; tests/search covers the index after a kill.
        [sys.executable, "manage.py", "ingest", str(records), "--batch-size", "50", "--no-progress", "--no-index"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while count(data_dir, "select count(*) from archive_article") - before < 100:
        assert process.poll() is None, "the ingest finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()

    stored = count(data_dir, "select count(*) from archive_article") - before
    assert 100 <= stored < total
    # Every stored article came with all of its parts: duplicate anchors and places.
    assert (
        count(
            data_dir,
            "select count(*) from archive_article a "
            "where (select count(*) from archive_articleanchor x where x.article_id = a.id) != 4",
        )
        == 0
    )
    assert (
        count(
            data_dir,
            "select count(*) from archive_article a where not exists "
            "(select 1 from archive_articleplace p where p.article_id = a.id)",
        )
        == 0
    )

    assert count(data_dir, "select count(*) from archive_ingestrun where status = 'running'") == 1

    rerun = manage("ingest", str(records), "--no-progress", "--no-index", data_dir=data_dir)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    # The killed run is marked as such, not left "running" for ever.
    assert count(data_dir, "select count(*) from archive_ingestrun where status = 'running'") == 0
    assert count(data_dir, "select count(*) from archive_ingestrun where status = 'interrupted'") == 1
    assert count(data_dir, "select count(*) from archive_article") - before == total
    assert count(data_dir, "select count(distinct raw_hash) from archive_article") - before == total
