"""Refuse a request body larger than the view it goes to could want, before anything reads it.

Django reads (and spools to disk) a whole body before a view can refuse it, and only checks the
size of non-file fields (``DATA_UPLOAD_MAX_MEMORY_SIZE``): a 300 MB POST to the search page was
written to disk before the CSRF check answered 403. ``RequestBodyLimitMiddleware`` goes first in
``MIDDLEWARE`` and answers 413 from the ``Content-Length`` header alone.

Settings: ``REQUEST_BODY_MAX_BYTES`` (1 MiB) for every view but these two:
the admin's upload of record files may take ``INGEST_UPLOAD_MAX_BYTES`` and the retry of a
rejected record (its corrected text, URL-encoded: up to 9 bytes a Chinese character)
``3 × INGEST_MAX_RECORD_BYTES``, each plus ``REQUEST_BODY_MARGIN_BYTES`` (1 MiB) for the form
around it.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.urls import Resolver404, resolve

UPLOAD_VIEW = "admin:archive_ingestrun_upload"
RETRY_VIEW = "admin:archive_ingestrejection_change"


def body_limit(path: str) -> int:
    """Return the largest body a request to ``path`` may send."""
    default, margin = settings.REQUEST_BODY_MAX_BYTES, settings.REQUEST_BODY_MARGIN_BYTES
    try:
        view = resolve(path).view_name
    except Resolver404:
        return default
    if view == UPLOAD_VIEW:
        return max(default, settings.INGEST_UPLOAD_MAX_BYTES + margin)
    if view == RETRY_VIEW:
        return max(default, 3 * settings.INGEST_MAX_RECORD_BYTES + margin)
    return default


class RequestBodyLimitMiddleware:
    """Answer 413 to a body over the limit and 411 to a chunked one without a length, unread."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = request.META.get("CONTENT_LENGTH") or ""
        if not length and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            # Django reads no body without a length: say so, instead of a form that seems empty.
            return _refusal(411, "请求须注明正文长度（Content-Length），不接受分块传输的正文。")
        try:
            size = int(length) if length else 0
        except ValueError:
            return _refusal(400, "请求的 Content-Length 不是数字。")
        if size > settings.REQUEST_BODY_MAX_BYTES:  # the URL is looked up only for a body larger than any page takes
            limit = body_limit(request.path_info)
            if size > limit:
                return _refusal(
                    413, f"请求太大：正文有 {size:,} 字节，这里最多接受 {limit:,} 字节（{filesizeformat(limit)}）。"
                )
        return self.get_response(request)


def _refusal(status: int, message: str) -> HttpResponse:
    response = HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")
    # Said here because no later middleware (CommonMiddleware) runs: a client reading to the end
    # of an answer without a length would wait on a server that is still being sent the body.
    response["Content-Length"] = str(len(response.content))
    return response
