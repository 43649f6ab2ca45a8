"""The corpus signal for residue: a short line printed verbatim by many articles of many accounts is template.

Known-string lists (``residue``) hold one page generation's UI; the next generation's new button
text is not in them. What every generation's UI has in common is that it repeats, word for word,
under articles of unrelated accounts, while prose does not. So ingest counts, for each short line
of a cleaned body, the distinct articles and accounts it appears in (``TemplateLine``), and cuts
a line from bodies once it is template:

* seen in at least ``MIN_RECORDS`` distinct articles (an article counts once by its title, so
  re-ingesting a file or one article reposted by thirty accounts does not make its lines template);
* from at least ``MIN_ACCOUNTS`` accounts (one account's own slogan or sign-off, repeated under all
  of its posts, is that account's text, not the platform's);
* and only a candidate line: at most ``MAX_CHARS`` characters, not ending like a sentence
  (。！？…) and not a numbered heading (一、 （二） 3.), so prose quoted widely (a slogan of a
  campaign, a sentence of a speech) and the headings of a reprinted document survive.

Every decision stays explainable: the raw record is kept, the counts are in ``TemplateLine`` (one row per
line, with its text), and the lines cut in a run are listed in the run's report
(``template_lines_cut``). Records ingested before a line reached the thresholds keep it until
they are cleaned again.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q

from archive.models import TemplateLine, TemplateLineSighting

from .dedupe import normalise
from .text import match_key

MIN_RECORDS = 20
MIN_ACCOUNTS = 5
MAX_CHARS = 40
_SENTENCE_END = re.compile(r"[。！？!?…；;]$")
_NUMBERED = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．]|第[一二三四五六七八九十\d]+)"
)


@dataclass
class Body:
    """One parsed record's body on its way through: what is counted, and what is cut from it."""

    title: str
    account: str
    body: str
    raw_hash: str


def is_candidate(line: str) -> bool:
    """Return whether a paragraph is short and unsentence-like enough to be counted at all."""
    key = match_key(line)
    return 2 <= len(key) <= MAX_CHARS and not _SENTENCE_END.search(key) and not _NUMBERED.match(key)


def _hash(line: str) -> str:
    return hashlib.sha256(match_key(line).encode("utf-8")).hexdigest()


def count_and_cut(bodies: list[Body]) -> tuple[list[str], Counter]:
    """Count the bodies' candidate lines, then return each body without its template lines.

    Returns (the new bodies in order, {line text: how many of these bodies it was cut from}).
    """
    texts: dict[str, str] = {}
    sightings: dict[tuple[str, str], str] = {}
    for item in bodies:
        article_key = hashlib.sha256(normalise(item.title).encode("utf-8")).hexdigest() if item.title else item.raw_hash
        for line in item.body.split("\n\n"):
            if is_candidate(line):
                line_hash = _hash(line)
                texts.setdefault(line_hash, line[:200])
                sightings[(line_hash, article_key)] = item.account[:200]
    if not texts:
        return [item.body for item in bodies], Counter()
    TemplateLine.objects.bulk_create(
        [TemplateLine(line_hash=h, text=t) for h, t in texts.items()], ignore_conflicts=True
    )
    TemplateLineSighting.objects.bulk_create(
        [TemplateLineSighting(line_hash=h, article_key=k, account=a) for (h, k), a in sightings.items()],
        ignore_conflicts=True,
    )
    template = _recount(set(texts))
    cut: Counter = Counter()
    result = []
    for item in bodies:
        kept = []
        for line in item.body.split("\n\n"):
            if is_candidate(line) and _hash(line) in template:
                cut[line] += 1
            else:
                kept.append(line)
        result.append("\n\n".join(kept))
    return result, cut


def _recount(hashes: set[str]) -> set[str]:
    """Store the current counts of these lines; return those that are template now."""
    counts = (
        TemplateLineSighting.objects.filter(line_hash__in=hashes)
        .values("line_hash")
        .annotate(
            records=Count("article_key", distinct=True),
            accounts=Count("account", distinct=True, filter=~Q(account="")),
        )
    )
    lines = {line.line_hash: line for line in TemplateLine.objects.filter(line_hash__in=hashes)}
    changed = []
    template = set()
    for row in counts:
        line = lines[row["line_hash"]]
        if (line.records, line.accounts) != (row["records"], row["accounts"]):
            line.records, line.accounts = row["records"], row["accounts"]
            changed.append(line)
        if line.records >= MIN_RECORDS and line.accounts >= MIN_ACCOUNTS:
            template.add(line.line_hash)
    TemplateLine.objects.bulk_update(changed, ["records", "accounts"])
    return template
