"""Read files into raw records: detect each file's format, decode it, split it into records.

Public function: ``iter_records(path)``.  It never raises for bad input: a record (or a whole
file) that cannot be read is yielded as a ``Rejected`` with its file, position and reason, so
the caller logs it and goes on with the rest of the batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

# Formats a record can have.
DUMP = "dump"  # crawl dump: text:'…' with a Python string literal
JSONL = "jsonl"  # one JSON object per line
WECHAT_HTML = "wechat_html"  # a page as mp.weixin.qq.com serves it
HTML = "html"  # any other article page


@dataclass
class RawRecord:
    """One record as read from a file, before any cleaning."""

    path: str  # the file, as given (inside a .gz: the .gz path)
    position: str  # human-readable place in the file: "line 3", "record 1", "file"
    format: str  # DUMP, JSONL, WECHAT_HTML or HTML
    raw: str  # the record's text exactly as read (decoded); what Article.raw keeps
    data: dict | None = field(default=None)  # the decoded JSON object for JSONL records


@dataclass
class Rejected:
    """A record or file that could not be read or made into an article."""

    path: str
    position: str
    reason: str  # short code: empty_file, binary_file, undecodable, invalid_json, ...
    message: str  # a sentence a curator understands
    raw: str = ""  # what there was of the record (the start of it when very large)
    raw_size: int = 0  # size in bytes


def iter_records(path: str | Path, *, max_record_bytes: int) -> Iterator[RawRecord | Rejected]:
    """Yield the records of one file (not a directory) in order, or a Rejected for each bad one."""
    raise NotImplementedError
