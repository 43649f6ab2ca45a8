"""Fixtures of the alerts' tests: a staff reader with an email address, and new articles to ingest."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from alerts.roles import READERS, ensure_reader_group
from tests.conftest import write_jsonl
from tests.smtp import smtp_server

SITE = "http://archive.example.org"


@pytest.fixture
def reader(db):
    from django.contrib.auth import get_user_model

    ensure_reader_group()
    user = get_user_model().objects.create_user("reader-zhao", email="zhao@example.org", password="x-test-pw-2291")
    user.groups.add(Group.objects.get(name=READERS))
    return user


@pytest.fixture
def mail(settings):
    """A real SMTP server the archive's email backend sends to; yields its inbox."""
    with smtp_server() as (host, port, inbox):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = host, port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.SITE_URL = SITE
        inbox.port = port
        yield inbox


@pytest.fixture
def ingest(tmp_path):
    """ingest(rows): ingest these JSON-lines records as a new run (so indexed), return the run's summary."""
    from archive.ingest.pipeline import ingest_paths

    counter = iter(range(1000))

    def run(rows):
        path = write_jsonl(tmp_path / f"new-{next(counter)}.jsonl", rows)
        return ingest_paths([path])

    return run
