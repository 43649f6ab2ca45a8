"""A body too large for the page it is sent to is refused from its Content-Length, before it is read.

The refusal is tested over a real socket against the real WSGI application (a server thread of
Django's own, as ``runserver`` runs it): a client that claims 300 MB and sends a few bytes must
get its answer at once, not after the server has waited for (and spooled) the rest.
"""

from __future__ import annotations

import http.client
import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.urls import reverse

from archive.models import IngestRun

CLAIMED = 300 * 1024 * 1024


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """host:port of the project's WSGI application, served from a thread (no database needed)."""
    httpd = ThreadedWSGIServer(("127.0.0.1", 0), _QuietHandler, allow_reuse_address=False)
    httpd.set_app(WSGIHandler())
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def post_claiming(server: str, path: str, claimed: int, *, sent: bytes = b"q=" + b"x" * 1000, headers=None):
    """POST ``sent`` while the headers claim ``claimed`` bytes; return (status, body, seconds to the answer)."""
    connection = http.client.HTTPConnection(server, timeout=10)
    started = time.monotonic()
    try:
        connection.putrequest("POST", path)
        for name, value in {
            "Content-Type": "application/x-www-form-urlencoded",
            **({"Content-Length": str(claimed)} if claimed is not None else {}),
            **(headers or {}),
        }.items():
            connection.putheader(name, value)
        connection.endheaders()
        connection.send(sent)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8"), time.monotonic() - started
    finally:
        connection.close()


def test_a_300_mb_body_to_the_search_page_is_refused_at_once(server):
    status, body, seconds = post_claiming(server, "/search/", CLAIMED)
    assert status == 413
    assert "请求太大" in body and "最多接受 1,048,576 字节" in body
    assert seconds < 3


def test_a_300_mb_body_to_the_upload_page_is_refused_too(server):
    status, body, _ = post_claiming(server, "/admin/archive/ingestrun/upload/", CLAIMED)
    assert status == 413 and "请求太大" in body


def test_a_small_body_goes_on_to_the_page(server):
    sent = b"q=" + b"x" * 1000
    status, _, _ = post_claiming(server, "/search/", len(sent), sent=sent)
    assert status == 403  # the CSRF check answers, as it always did


def test_a_chunked_body_without_a_length_is_refused(server):
    status, body, _ = post_claiming(
        server, "/search/", None, sent=b"5\r\nq=abc\r\n0\r\n\r\n", headers={"Transfer-Encoding": "chunked"}
    )
    assert status == 411 and "Content-Length" in body


@pytest.mark.django_db
def test_the_limit_is_a_setting_and_uploads_may_be_larger(client, settings, tmp_path):
    from tests.archive.test_admin_ingest import RECORDS, make_staff

    settings.DATA_DIR = tmp_path / "data"
    settings.REQUEST_BODY_MAX_BYTES = 1000
    settings.REQUEST_BODY_MARGIN_BYTES = 1000
    response = client.post(reverse("search:search"), {"q": "东浦" * 1000})
    assert response.status_code == 413
    assert "最多接受 1,000 字节" in response.content.decode()

    client.force_login(make_staff("curator", curator=True))
    records = RECORDS + b"\n" * 3000  # larger than the pages' limit, under the upload's
    url = reverse("admin:archive_ingestrun_upload")
    response = client.post(url, {"file": SimpleUploadedFile("records.jsonl", records)}, follow=True)
    assert response.status_code == 200
    assert IngestRun.objects.get().stored == 2

    settings.INGEST_UPLOAD_MAX_BYTES = 1000
    response = client.post(url, {"file": SimpleUploadedFile("records.jsonl", records)})
    assert response.status_code == 413
    assert IngestRun.objects.count() == 1
