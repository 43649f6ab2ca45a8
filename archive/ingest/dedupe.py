"""Recognise exact and near-duplicate articles.

Exact: a SHA-256 of the text with whitespace and punctuation removed.

Near: an article is cut into clauses (the text between punctuation marks).  Its few longest
clauses are its *anchors*, stored in an indexed table: an earlier article sharing two anchors is
a candidate, and a candidate is a near-duplicate when the clauses the two share make up at least
``MIN_SIMILARITY`` of their text (Jaccard similarity weighted by clause length).  The same
article with other residue around it, lightly edited, or re-published by another account stays
above the threshold; two articles that merely quote the same sentence do not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

ANCHORS = 4
MIN_ANCHOR_CHARS = 8
MIN_SIMILARITY = 0.8
MAX_CANDIDATES = 10

_STRIP = re.compile(r"[\s\W_]+", re.UNICODE)
_CLAUSES = re.compile(r"[。！？；，、：,.!?;:“”\"‘’'《》〈〉（）()【】\[\]…—\-\s\u3000]+")


def normalise(text: str) -> str:
    """Return the text without whitespace and punctuation, for hashing."""
    return _STRIP.sub("", text)


def content_hash(title: str, body: str) -> str:
    """Return the exact-duplicate key: the normalised body, or the title when there is no body."""
    key = normalise(body) or "title:" + normalise(title)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def clauses(text: str) -> set[str]:
    """Return the distinct clauses of the text, punctuation and whitespace dropped."""
    return {clause for clause in _CLAUSES.split(text) if len(clause) > 1}


def _hash64(clause: str) -> int:
    """Return a stable signed 64-bit hash (it fits a database BIGINT)."""
    return int.from_bytes(hashlib.blake2b(clause.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def anchors(text: str) -> list[int]:
    """Return the hashes of the text's longest clauses: the keys near-duplicates are looked up by."""
    longest = sorted((c for c in clauses(text) if len(c) >= MIN_ANCHOR_CHARS), key=lambda c: (-len(c), c))
    return [_hash64(c) for c in longest[:ANCHORS]]


def similarity(a: set[str], b: set[str]) -> float:
    """Return the Jaccard similarity of two clause sets, each clause weighted by its length."""
    union = sum(map(len, a | b))
    return sum(map(len, a & b)) / union if union else 0.0


# --- groups: which copy is the original, and who may join a group -------------------------------
#
# A group is one report published several times: its original (the earliest publication) and its
# duplicates. Copies are ordered by ``published`` (a dated copy before an undated one), then by
# ingest order. Two rules keep separate posts apart:
#
# * Different addresses from the same account are different posts: never duplicates of each other.
#   The same account and the same address is the same post, ingested again.
# * A title-only record (a feed item) joins a group only on real evidence: its title is specific
#   (at least ``MIN_TITLE_CHARS`` characters, and not one the corpus carries on ``GENERIC_DAYS``
#   days or by ``GENERIC_ACCOUNTS`` accounts: 分享图片, 端午安康, 上市公司重要公告), and it was
#   published within ``TITLE_ONLY_DAYS`` days of every copy in the group. Undated, it joins none.

MIN_TITLE_CHARS = 10
TITLE_ONLY_DAYS = 3
GENERIC_DAYS = 4
GENERIC_ACCOUNTS = 10

_WECHAT_POST_KEYS = ("__biz", "mid", "idx", "sn")


@dataclass
class Copy:
    """One copy of a report, as the grouping rules see it."""

    ref: object  # the article's id, or the record on its way in
    order: tuple  # earliest first: see ``order``
    account: int | None  # the source's id
    url: str  # ``url_key`` of its original address, "" when none
    published: dt.date | None
    title_only: bool
    title: str  # normalised title
    curated: bool = False  # a curator set (or cleared) its link: never changed automatically


def order(published: dt.date | None, ingested: tuple) -> tuple:
    """The sort key of a copy: dated before undated, earliest date first, then first ingested."""
    return (published is None, published or dt.date.max, ingested)


def url_key(url: str) -> str:
    """The address a post is known by: scheme, case of the host and fragment ignored; a WeChat
    article's address by its post identity (``__biz``, ``mid``, ``idx``, ``sn``), not share parameters.
    """
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    host = parts.netloc.lower()
    query = parts.query
    if host == "mp.weixin.qq.com" and parts.path.startswith("/s"):
        values = parse_qs(query)
        if all(values.get(k) for k in _WECHAT_POST_KEYS):
            query = "&".join(f"{k}={values[k][0]}" for k in _WECHAT_POST_KEYS)
    return f"{host}{parts.path.rstrip('/')}?{query}" if query else f"{host}{parts.path.rstrip('/')}"


def same_post(a: Copy, b: Copy) -> bool:
    """True when both are the same account's post at the same address (the same record again)."""
    return a.account is not None and a.account == b.account and bool(a.url) and a.url == b.url


def separate_posts(a: Copy, b: Copy) -> bool:
    """True when the same account published them at different addresses: never duplicates."""
    return a.account is not None and a.account == b.account and bool(a.url) and bool(b.url) and a.url != b.url


def is_generic_title(days: int, accounts: int) -> bool:
    """True for a title the corpus carries on many days or by many accounts: no evidence of one report."""
    return days >= GENERIC_DAYS or accounts >= GENERIC_ACCOUNTS


def may_join(copy: Copy, members: list[Copy], *, generic_titles: set[str]) -> bool:
    """True when ``copy`` may be a copy of the report ``members`` are copies of."""
    if any(separate_posts(copy, m) for m in members):
        return False
    if not copy.title_only:
        return True
    if len(copy.title) < MIN_TITLE_CHARS or copy.title in generic_titles or copy.published is None:
        return False
    return all(m.published is not None and abs((m.published - copy.published).days) <= TITLE_ONLY_DAYS for m in members)


def plan(copies: list[Copy], *, generic_titles: set[str]) -> dict[object, object | None]:
    """Split copies believed to be one report into groups by the rules; return {ref: original's ref or None}.

    Copies a curator linked keep their links (the caller leaves them out or keeps the group whole).
    Each copy, earliest first, joins the first group that accepts it or starts one; the first copy
    of a group is its original.
    """
    groups: list[list[Copy]] = []
    for copy in sorted(copies, key=lambda c: c.order):
        group = next((g for g in groups if may_join(copy, g, generic_titles=generic_titles)), None)
        if group is None:
            groups.append([copy])
        else:
            group.append(copy)
    return {c.ref: (g[0].ref if c is not g[0] else None) for g in groups for c in g}
