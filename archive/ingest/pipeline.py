"""The ingest pipeline: files → records → clean articles → geotagged, deduplicated rows.

Public function: ``ingest_paths(paths)``.  Records are streamed and written in batches, each
batch in one transaction: a run killed midway loses at most the open batch (never half an
article), and running the same command again skips what is stored (by the raw record's hash)
and completes the rest.
"""

from __future__ import annotations

import hashlib
import logging
import os
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from archive import geotag as geotagging
from archive.models import Article, ArticlePlace, IngestRejection, IngestRun, Place, ArticleAnchor, Source

from . import dedupe
from .parse import ParsedArticle, RecordRejected, parse_record
from .records import RawRecord, Rejected, iter_records

log = logging.getLogger(__name__)

# Rejection rows keep at most this much of a record's text; raw_size keeps the real size.
REJECTED_RAW_LIMIT = 64 * 1024

STORED = "stored"
DUPLICATE = "duplicate"
UNCHANGED = "unchanged"
REJECTED = "rejected"


@dataclass
class Outcome:
    """What happened to one record."""

    status: str  # STORED, DUPLICATE, UNCHANGED or REJECTED
    path: str
    position: str
    article: Article | None = None
    reason: str = ""
    message: str = ""


@dataclass
class Summary:
    """Counts of one run, as the command prints and ``--report`` writes them."""

    run_id: int | None = None
    files: int = 0
    records: int = 0
    stored: int = 0
    duplicates: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejected_by_reason: Counter = field(default_factory=Counter)
    rejections: list[dict] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.records += 1
        if outcome.status == STORED:
            self.stored += 1
        elif outcome.status == DUPLICATE:
            self.duplicates += 1
        elif outcome.status == UNCHANGED:
            self.unchanged += 1
        else:
            self.rejected += 1
            self.rejected_by_reason[outcome.reason] += 1

    def as_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "files": self.files,
            "records": self.records,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "rejected_by_reason": dict(sorted(self.rejected_by_reason.items())),
            "rejections": self.rejections,
        }


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Yield the files named, and the files below the directories named, in a stable order."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        yield Path(root) / name
        else:
            yield path


def ingest_paths(
    paths: Iterable[str | Path],
    *,
    batch_size: int = 200,
    on_record: Callable[[Outcome], None] | None = None,
) -> Summary:
    """Ingest every record in the files and directories named; return the run's summary."""
    paths = [str(p) for p in paths]
    run = IngestRun.objects.create(paths=paths)
    summary = Summary(run_id=run.pk)
    ingester = _Ingester(run)
    batch: list[RawRecord | Rejected] = []
    try:
        for file_path in iter_files(paths):
            summary.files += 1
            for item in iter_records(file_path, max_record_bytes=settings.INGEST_MAX_RECORD_BYTES):
                batch.append(item)
                if len(batch) >= batch_size:
                    _run_batch(ingester, batch, summary, on_record)
        _run_batch(ingester, batch, summary, on_record)
    except BaseException:
        _finish(run, summary, IngestRun.Status.FAILED)
        raise
    _finish(run, summary, IngestRun.Status.COMPLETED)
    return summary


def _run_batch(ingester: _Ingester, batch: list, summary: Summary, on_record) -> None:
    if not batch:
        return
    with transaction.atomic():
        outcomes = [ingester.ingest(item) for item in batch]
        IngestRun.objects.filter(pk=ingester.run.pk).update(
            records=summary.records + len(outcomes),
            stored=summary.stored + sum(o.status == STORED for o in outcomes),
            duplicates=summary.duplicates + sum(o.status == DUPLICATE for o in outcomes),
            unchanged=summary.unchanged + sum(o.status == UNCHANGED for o in outcomes),
            rejected=summary.rejected + sum(o.status == REJECTED for o in outcomes),
        )
    # Only once the batch is committed do its outcomes count.
    for outcome in outcomes:
        summary.add(outcome)
        if outcome.status == REJECTED:
            summary.rejections.append(
                {
                    "path": outcome.path,
                    "position": outcome.position,
                    "reason": outcome.reason,
                    "message": outcome.message,
                }
            )
        if on_record:
            on_record(outcome)
    batch.clear()


def _finish(run: IngestRun, summary: Summary, status: str) -> None:
    run.status = status
    run.finished_at = timezone.now()
    run.records = summary.records
    run.stored = summary.stored
    run.duplicates = summary.duplicates
    run.unchanged = summary.unchanged
    run.rejected = summary.rejected
    run.summary = {k: v for k, v in summary.as_dict().items() if k != "rejections"}
    run.save()


class _Ingester:
    """Turn records into rows, remembering sources across one run."""

    def __init__(self, run: IngestRun):
        self.run = run
        self.sources: dict[tuple[str, str], Source] = {}

    def ingest(self, item: RawRecord | Rejected) -> Outcome:
        if isinstance(item, Rejected):
            return self.reject(item.path, item.position, item.reason, item.message, item.raw, item.raw_size)
        raw_hash = hashlib.sha256(item.raw.encode("utf-8", "surrogatepass")).hexdigest()
        existing = Article.objects.filter(raw_hash=raw_hash).only("pk").first()
        if existing:
            return Outcome(UNCHANGED, item.path, item.position, existing)
        try:
            parsed = parse_record(item)
        except RecordRejected as exc:
            return self.reject_record(item, exc.reason, exc.message)
        except Exception as exc:  # a parser bug must not stop the batch; the record is kept
            log.exception("parsing %s %s failed", item.path, item.position)
            detail = "".join(traceback.format_exception_only(exc)).strip()
            return self.reject_record(item, "parse_error", f"The parser failed on this record: {detail}")
        try:
            with transaction.atomic():
                article = self.store(item, parsed, raw_hash)
        except Exception as exc:
            log.exception("storing %s %s failed", item.path, item.position)
            detail = "".join(traceback.format_exception_only(exc)).strip()
            return self.reject_record(item, "store_error", f"Storing this record failed: {detail}")
        status = DUPLICATE if article.duplicate_of_id else STORED
        return Outcome(status, item.path, item.position, article)

    def reject_record(self, item: RawRecord, reason: str, message: str) -> Outcome:
        raw_size = len(item.raw.encode("utf-8", "surrogatepass"))
        return self.reject(item.path, item.position, reason, message, item.raw, raw_size)

    def reject(self, path: str, position: str, reason: str, message: str, raw: str, raw_size: int) -> Outcome:
        IngestRejection.objects.create(
            run=self.run,
            path=path,
            position=position,
            reason=reason,
            message=message,
            raw=raw[:REJECTED_RAW_LIMIT].replace("\x00", "\\x00"),
            raw_size=raw_size,
        )
        return Outcome(REJECTED, path, position, reason=reason, message=message)

    def store(self, record: RawRecord, parsed: ParsedArticle, raw_hash: str) -> Article:
        source = self.source_for(parsed)
        exact = dedupe.content_hash(parsed.title, parsed.body)
        anchors = dedupe.anchors(parsed.body)
        article = Article.objects.create(
            title=parsed.title[:500],
            body=parsed.body,
            published=parsed.published,
            source=source,
            original_url=parsed.original_url[:2000],
            reprint_note=parsed.reprint_note[:300],
            title_only=parsed.title_only,
            raw=record.raw,
            raw_format=record.format,
            raw_hash=raw_hash,
            content_hash=exact,
            duplicate_of=find_duplicate(exact, parsed.body, anchors),
            ingest_run=self.run,
            source_file=record.path[:1000],
            source_position=record.position[:50],
        )
        ArticleAnchor.objects.bulk_create(ArticleAnchor(article=article, value=value) for value in anchors)
        tag_places(article)
        return article

    def source_for(self, parsed: ParsedArticle) -> Source | None:
        name = parsed.source_name.strip()[:200]
        account_id = parsed.account_id.strip()[:100]
        if not name and not account_id:
            return None
        key = (account_id, "" if account_id else name)
        source = self.sources.get(key)
        if source is None:
            lookup = {"account_id": account_id} if account_id else {"account_id": "", "name": name}
            source = Source.objects.filter(**lookup).order_by("pk").first()
            if source is None:
                source = Source.objects.create(
                    name=name or account_id,
                    account_id=account_id,
                    description=parsed.account_description,
                    home_place=_place(geotagging.infer_home_place(name)) if name else None,
                    home_place_inferred=True,
                )
            self.sources[key] = source
        if parsed.account_description and not source.description:
            source.description = parsed.account_description
            source.save(update_fields=["description"])
        return source


def _place(code: str | None) -> Place | None:
    return Place.objects.filter(code=code).first() if code else None


def find_duplicate(exact: str, body: str, anchors: list[int]) -> Article | None:
    """Return the canonical article this text duplicates, exactly or nearly, if any."""
    match = Article.objects.filter(content_hash=exact).order_by("pk").first()
    if match is None and anchors:
        # A near-duplicate shares most of the longest clauses; asking for two of them keeps
        # articles that merely quote one common sentence out of the candidates.
        candidate_ids = (
            ArticleAnchor.objects.filter(value__in=anchors)
            .values("article_id")
            .annotate(shared=Count("id"))
            .filter(shared__gte=min(2, len(anchors)))
            .order_by("-shared", "article_id")
            .values_list("article_id", flat=True)[: dedupe.MAX_CANDIDATES]
        )
        mine = dedupe.clauses(body)
        for candidate in Article.objects.filter(pk__in=list(candidate_ids)).order_by("pk").only("pk", "body"):
            if dedupe.similarity(mine, dedupe.clauses(candidate.body)) >= dedupe.MIN_SIMILARITY:
                match = candidate
                break
    if match is not None and match.duplicate_of_id:
        return Article.objects.get(pk=match.duplicate_of_id)
    return match


def tag_places(article: Article) -> None:
    """(Re)compute the article's automatic places; places a curator set by hand are kept."""
    home = article.source.home_place.code if article.source and article.source.home_place else None
    counts = geotagging.geotag(f"{article.title}\n{article.body}", home_place=home)
    ArticlePlace.objects.filter(article=article, manual=False).delete()
    manual = set(ArticlePlace.objects.filter(article=article, manual=True).values_list("place__code", flat=True))
    ids = dict(Place.objects.filter(code__in=[c for c in counts if c not in manual]).values_list("code", "id"))
    ArticlePlace.objects.bulk_create(
        ArticlePlace(article=article, place_id=ids[code], mentions=count) for code, count in counts.items() if code in ids
    )
