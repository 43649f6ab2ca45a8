"""Turn one raw record into clean article fields: cleaning and metadata extraction.

Public function: ``parse_record(record)``.  Raises ``RecordRejected`` with a reason code and a
message when the record cannot become an article (deleted page, no title and no body, ...).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .records import RawRecord


class RecordRejected(Exception):
    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass
class ParsedArticle:
    title: str
    body: str  # clean text, paragraphs separated by one blank line ("\n\n")
    published: dt.date | None  # None when the record does not say; never a guess
    source_name: str = ""  # account name, e.g. 越城组工 (or the site / JSON account field)
    account_id: str = ""  # 微信号, e.g. yuechengZG
    account_description: str = ""  # 功能介绍
    original_url: str = ""
    reprint_note: str = ""  # e.g. 《共产党员》2018年第8期
    title_only: bool = False  # a feed item with a title and no body


def parse_record(record: RawRecord) -> ParsedArticle:
    """Return the clean article in a raw record, or raise RecordRejected."""
    raise NotImplementedError
