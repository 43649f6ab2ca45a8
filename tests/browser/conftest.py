"""The archive served as users run it, and a real browser to read it with (Debian's chromium via Selenium).

The archive runs as ``make run`` serves it, in other processes: ``manage.py migrate`` and
``ingest`` into a temporary DATA_DIR, then gunicorn (``config/gunicorn.py``) and the background
worker (``manage.py db_worker``), once for the whole run. The browser and its driver come from Debian (``make
test`` installs them); nothing is downloaded at run time. Without them the tests are skipped,
unless REQUIRE_BROWSER=1 (CI).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ports import free_port

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
WIDTHS = {"phone": (375, 812), "desktop": (1280, 900)}
CURATOR = ("curator-wang", "a-test-only-password-8431")  # made by `manage.py add_curator` in the site
SUPERUSER = ("admin-li", "another-test-only-password-5172")  # made by `manage.py createsuperuser`


def _browser_missing() -> str | None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    if not missing:
        return None
    message = f"no browser: {', '.join(missing)} missing (apt-get install chromium chromium-driver)"
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    return message


@dataclass
class Site:
    """A running archive: its base URL, and how to run ``manage.py`` against its DATA_DIR."""

    base: str
    env: dict

    def manage(self, *args, env=None, **kwargs) -> subprocess.CompletedProcess:
        command = [sys.executable, str(REPO / "manage.py"), *map(str, args)]
        return subprocess.run(command, env={**self.env, **(env or {})}, cwd=REPO, capture_output=True, **kwargs)


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """Base URL of the archive served from a fresh DATA_DIR holding the test corpus."""
    with _serve(tmp_path_factory, "site") as served:
        yield served.base


@pytest.fixture(scope="module")
def own_site(tmp_path_factory):
    """A :class:`Site` of its own, for a module whose tests add articles the others must not see."""
    with _serve(tmp_path_factory, "own-site") as served:
        yield served


@contextmanager
def _serve(tmp_path_factory, name: str):
    from tests.conftest import TEST_DATA, corpus_files

    if reason := _browser_missing():
        pytest.skip(reason)
    data_dir = tmp_path_factory.mktemp(name)
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "GAZETTEER_VILLAGES": "33",
    }
    env.pop("WHOOSH_PATH", None)
    env.pop("DATABASE_URL", None)
    manage = [sys.executable, str(REPO / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v0"], env=env, cwd=REPO, check=True)
    files = corpus_files(data_dir, TEST_DATA)
    result = subprocess.run([*manage, "ingest", *map(str, files)], env=env, cwd=REPO, capture_output=True)
    assert result.returncode in (0, 1), result.stderr.decode()  # 1: some records rejected, as intended
    curator = {**env, "CURATOR_PASSWORD": CURATOR[1]}
    subprocess.run([*manage, "add_curator", CURATOR[0]], env=curator, cwd=REPO, check=True, capture_output=True)
    superuser = {**env, "DJANGO_SUPERUSER_PASSWORD": SUPERUSER[1]}
    create = ["createsuperuser", "--no-input", "--username", SUPERUSER[0], "--email", "admin@example.org"]
    subprocess.run([*manage, *create], env=superuser, cwd=REPO, check=True, capture_output=True)
    port = free_port()
    env["SITE_URL"] = f"http://127.0.0.1:{port}"  # the links in the alerts it sends
    quiet = {"env": {**env, "BIND": f"127.0.0.1:{port}", "WEB_WORKERS": "2"}, "cwd": REPO}
    quiet.update(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.py", "config.wsgi"], **quiet
    )
    worker = subprocess.Popen([*manage, "db_worker", "--queue-name", "*", "--interval", "0.2", "--no-reload"], **quiet)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the archive did not start")
        yield Site(base=base, env=env)
    finally:
        for process in (server, worker):
            process.terminate()
            process.wait(timeout=30)


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=zh-CN"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # the console, where CSP refusals show
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_window_size(*WIDTHS["desktop"])
    driver.implicitly_wait(5)
    yield driver
    driver.quit()
