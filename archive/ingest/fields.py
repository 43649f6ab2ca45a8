"""The fields every format's parser fills in, before parse_record checks and caps them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass
class ArticleFields:
    title: str
    body: str  # paragraphs joined with "\n\n"
    published: dt.date | None
    source_name: str = ""
    account_id: str = ""
    account_description: str = ""
    original_url: str = ""
    reprint_note: str = ""
    published_time: dt.time | None = None  # China time of day, when the record states one
