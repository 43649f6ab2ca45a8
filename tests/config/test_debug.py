"""DEBUG is off unless asked for: an error shows the site's own 500 page, never a traceback."""

from __future__ import annotations

import pytest

from .running import clean_env, fetch, resolved_settings, served


def test_an_error_on_a_server_started_without_debug_shows_the_chinese_500_page(tmp_path):
    # A DATA_DIR that was never migrated: the home page's first query fails, as on a broken deployment.
    with served(clean_env(tmp_path)) as base:
        status, _, page = fetch(base + "/")
    assert status == 500
    assert "出错了" in page and "服务器处理这个请求时出了错" in page
    assert "Traceback" not in page and "OperationalError" not in page and "no such table" not in page


@pytest.mark.parametrize(
    ("value", "debug"),
    [(None, False), ("", False), ("0", False), ("no", False), ("1", True), ("true", True), ("yes", True), ("on", True)],
)
def test_debug_is_on_only_when_the_environment_says_so(tmp_path, value, debug):
    env = clean_env(tmp_path) if value is None else clean_env(tmp_path, DEBUG=value)
    assert resolved_settings(env, "DEBUG") == {"DEBUG": debug}
