"""Start the archive as a user would, in another process, with a clean environment.

pytest-django forces DEBUG off inside the test process, so how settings resolve from the
environment can only be seen from outside: ``manage.py`` commands, a settings dump, a server.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from email.message import Message
from pathlib import Path

from tests.ports import free_port

REPO = Path(__file__).resolve().parents[2]
MANAGE = [sys.executable, str(REPO / "manage.py")]


def clean_env(data_dir: Path, **variables: str) -> dict[str, str]:
    """Only what a user's shell would certainly have, a fresh DATA_DIR and ``variables``."""
    return {"PATH": os.environ["PATH"], "DATA_DIR": str(data_dir), **variables}


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*MANAGE, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout)


DUMP = (
    "import json, sys; from django.conf import settings; "
    "print(json.dumps({n: getattr(settings, n, None) for n in sys.argv[1:]}, default=str))"
)


def resolved_settings(env: dict[str, str], *names: str) -> dict:
    """The named settings as ``config.settings`` resolves them in ``env``."""
    code = f"import django; django.setup(); {DUMP}"
    result = subprocess.run(
        [sys.executable, "-c", code, *names],
        env={"DJANGO_SETTINGS_MODULE": "config.settings", **env},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@contextmanager
def served(env: dict[str, str]):
    """Base URL of ``manage.py runserver`` started in ``env``."""
    port = free_port()
    server = subprocess.Popen(
        [*MANAGE, "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError("runserver exited") from None
                time.sleep(0.2)
        else:
            raise RuntimeError("runserver did not start")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at, not to follow


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, Message, str]:
    """(status, headers, body) of a GET, errors and redirects included."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()
