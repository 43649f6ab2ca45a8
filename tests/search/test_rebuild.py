"""``rebuild_index`` builds beside the live index and swaps: searches never see a half-built index.

The real Chinese Whoosh index; the killed rebuild runs the real command in another process on a
real SQLite file, and is killed with SIGKILL halfway.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

from archive.models import Article
from search import indexing
from search.rebuild import rebuild_index, staging_folder
from tests.search.helpers import found, result

REPO = Path(__file__).resolve().parents[2]


def count(text: str | None = None) -> int:
    return result(text or "", limit=0).total


def test_searches_answer_from_the_whole_old_index_until_the_swap(corpus, search_backend):
    total = corpus.count()
    first = corpus.order_by("pk").first()
    hidden = corpus.order_by("pk").last()
    seen = []

    def progress(done, all_):
        seen.append(count())
        if len(seen) == 1:
            # Curators keep working meanwhile; the worker writes their changes to the live index.
            Article.objects.filter(pk=first.pk).update(title="重建期间改过的标题")
            Article.objects.filter(pk=hidden.pk).update(status=Article.Status.HIDDEN)
            indexing.sync_articles([first.pk, hidden.pk])

    assert rebuild_index(batch_size=10, progress=progress) == total
    assert len(seen) >= 3
    assert seen[0] == total and set(seen[1:]) == {total - 1}  # never empty, never partial
    assert count() == total - 1
    assert count("重建期间改过的标题") == 1  # a change made during the rebuild survives the swap
    assert hidden.pk not in found()
    assert not staging_folder(search_backend.path).exists()


def test_the_command_rebuilds_an_index_that_lost_documents(corpus, search_backend):
    total = corpus.count()
    search_backend.remove_many([f"archive.article.{pk}" for pk in corpus.values_list("pk", flat=True)[:5]])
    assert count() == total - 5
    call_command("rebuild_index", "--noinput", verbosity=0)
    assert count() == total


def _manage(env, *args, **kwargs):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300, **kwargs
    )


def test_a_killed_rebuild_leaves_the_old_index_live(tmp_path, test_data):
    env = {**os.environ, "DATA_DIR": str(tmp_path / "data"), "GAZETTEER_VILLAGES": "none", "TASKS_BACKEND": "immediate"}
    env.pop("DATABASE_URL", None)  # a SQLite file of its own, read by each process
    assert _manage(env, "migrate", "-v0").returncode == 0
    ingest = _manage(env, "ingest", str(test_data / "localgov_sample.jsonl"), str(test_data / "seed.txt"))
    assert ingest.returncode in (0, 1), ingest.stderr
    script = (
        "from search.backends import current_engine; from archive.models import Article; "
        "print(current_engine().count(), Article.objects.public().count())"
    )

    def counts():
        out = _manage(env, "shell", "-c", script)
        assert out.returncode == 0, out.stderr
        return tuple(map(int, out.stdout.strip().splitlines()[-1].split()))

    indexed, public = counts()
    assert indexed == public > 10

    rebuild = subprocess.Popen(
        [sys.executable, "manage.py", "rebuild_index", "--batch-size", "3"],
        cwd=REPO,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = rebuild.stderr.readline()  # "  3/N articles": the staging index is part-written
    assert "articles" in line
    rebuild.send_signal(signal.SIGKILL)
    rebuild.wait(timeout=30)
    assert staging_folder(tmp_path / "data" / "whoosh").exists()  # it died without tidying up

    assert counts() == (public, public)  # the old index: whole, still live

    again = _manage(env, "rebuild_index")
    assert again.returncode == 0, again.stderr
    assert counts() == (public, public)
    assert not staging_folder(tmp_path / "data" / "whoosh").exists()
