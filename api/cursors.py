"""Opaque, signed cursors: where a walk through results stands, tied to the search it walks.

A search's cursor holds the offset reached, the moment the walk began (results are counted among
the articles public then, so new ones do not shift the pages) and a digest of the search's
parameters (a cursor cannot be reused for another search). The articles' cursor holds the last id.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from django.core import signing

SALT = "api.cursor"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


class BadCursor(ValueError):
    """A cursor that is not ours, damaged, or for other parameters."""


def parameters_digest(pairs) -> str:
    text = "&".join(f"{k}={v}" for k, v in sorted(pairs) if v)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def search_cursor(*, offset: int, until: datetime, digest: str) -> str:
    moment = (until - EPOCH) // MICROSECOND
    return signing.dumps({"o": offset, "u": moment, "h": digest}, salt=SALT + ".search", compress=True)


def read_search_cursor(value: str, *, digest: str) -> tuple[int, datetime]:
    try:
        data = signing.loads(value, salt=SALT + ".search")
        offset, until, made_for = int(data["o"]), EPOCH + int(data["u"]) * MICROSECOND, data["h"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise BadCursor("游标无效：请原样使用上一页返回的 next_cursor。") from None
    if made_for != digest or offset < 0:
        raise BadCursor("游标与这次的检索条件不符：翻页时请保持其他参数不变。")
    return offset, until


def articles_cursor(last_id: int) -> str:
    return signing.dumps({"a": last_id}, salt=SALT + ".articles")


def read_articles_cursor(value: str) -> int:
    try:
        return int(signing.loads(value, salt=SALT + ".articles")["a"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise BadCursor("游标无效：请原样使用上一页返回的 next_cursor。") from None
