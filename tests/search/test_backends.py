"""What the Haystack backends hand the engines: the document of what ``ArticleIndex`` prepared."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from archive.ingest.dates import CHINA_TZ
from search.backends import document_from_prepared

PREPARED = {"django_id": "3", "title": "东浦街道", "text": "东浦街道\n\n正文"}


@pytest.mark.parametrize(
    "value",
    [
        datetime(2025, 1, 6, 17, 0, tzinfo=CHINA_TZ),
        "2025-01-06T09:00:00+00:00",
        "2025-01-06T09:00:00Z",
        "2025-01-06T17:00:00",  # naive: in TIME_ZONE (Asia/Shanghai), as Django reads naive moments
    ],
)
def test_public_since_is_an_aware_moment_from_a_datetime_or_an_iso_string(value):
    assert document_from_prepared(PREPARED | {"public_since": value}).public_since == datetime(
        2025, 1, 6, 9, tzinfo=UTC
    )


def test_a_document_prepared_without_public_since_has_none():
    assert document_from_prepared(PREPARED).public_since is None
    assert document_from_prepared(PREPARED | {"public_since": None}).public_since is None
