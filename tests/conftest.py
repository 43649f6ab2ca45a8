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
