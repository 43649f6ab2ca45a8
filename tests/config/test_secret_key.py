"""SECRET_KEY: from the environment, else DATA_DIR/secret_key, made once (mode 0600) and kept."""

from __future__ import annotations

import stat
import subprocess
import sys
import time

from .running import REPO, clean_env, resolved_settings


def _key(env) -> str:
    return resolved_settings(env, "SECRET_KEY")["SECRET_KEY"]


def test_a_first_start_writes_a_private_key_file_and_the_next_start_reads_it(tmp_path):
    first = _key(clean_env(tmp_path))
    path = tmp_path / "secret_key"
    assert path.read_text().strip() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 50 and len(set(first)) >= 5  # what `check --deploy` asks of a key
    assert _key(clean_env(tmp_path)) == first


def test_each_data_dir_gets_its_own_key(tmp_path):
    assert _key(clean_env(tmp_path / "a")) != _key(clean_env(tmp_path / "b"))


def test_the_environment_variable_wins_and_writes_nothing(tmp_path):
    assert _key(clean_env(tmp_path, SECRET_KEY="from-the-environment")) == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_processes_starting_together_agree_on_one_key(tmp_path):
    # Eight processes load the settings at the same instant on a DATA_DIR without a key.
    start = time.time() + 3
    code = (
        "import sys, time; time.sleep(max(0, float(sys.argv[1]) - time.time())); "
        "from django.conf import settings; print(settings.SECRET_KEY)"
    )
    env = {**clean_env(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings"}
    processes = [
        subprocess.Popen([sys.executable, "-c", code, str(start)], env=env, cwd=REPO, stdout=subprocess.PIPE, text=True)
        for _ in range(8)
    ]
    keys = {p.communicate(timeout=120)[0].strip() for p in processes}
    assert all(p.returncode == 0 for p in processes)
    assert keys == {(tmp_path / "secret_key").read_text().strip()}
    assert [p.name for p in tmp_path.iterdir() if "secret" in p.name] == ["secret_key"]  # no temporary file left
