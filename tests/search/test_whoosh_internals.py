"""Tests for search.whoosh_internals: the app refuses a Whoosh it was not written for."""

from __future__ import annotations

import pytest
import whoosh
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from search.whoosh_internals import WRITTEN_FOR, check_version


def test_the_installed_whoosh_is_the_one_written_for():
    assert tuple(whoosh.__version__)[:3] == WRITTEN_FOR
    check_version()


@pytest.mark.parametrize("version", [(2, 7, 5), (2, 8, 0), (3, 0, 0), (2, 7)])
def test_another_version_stops_start_up_with_a_clear_message(version):
    with pytest.raises(ImproperlyConfigured, match=r"written for Whoosh 2\.7\.4.*Whoosh==2\.7\.4"):
        check_version(version)


def test_start_up_runs_the_check(monkeypatch):
    monkeypatch.setattr(whoosh, "__version__", (2, 8, 0))
    with pytest.raises(ImproperlyConfigured, match="Whoosh 2.8.0 is installed"):
        apps.get_app_config("search").ready()
