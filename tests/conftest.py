"""Shared test fixtures."""

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
