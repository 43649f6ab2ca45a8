"""The ingest pipeline: files → records → clean articles → geotagged, deduplicated rows.

Public functions: ``ingest_paths(paths)``, and ``retry_rejections(rejections)`` for records a
curator corrected.  Records are streamed and written in batches, each batch in one transaction:
a run killed midway loses at most the open batch (never half an article), and running the same
command again skips what is stored (by the raw record's hash) and completes the rest.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import tempfile
import traceback
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import reset_queries, transaction
from django.db.models import Q
from django.utils import timezone

from archive import geotag as geotagging
from archive import home_places, versions
from archive.models import (
    Article,
    ArticleAnchor,
    ArticlePlace,
    IngestRejection,
    IngestRun,
    Place,
    RemovedPlace,
    Source,
)
from archive.signals import articles_stored

from . import dedupe, template_lines
from .govdoc import GOVDOC_FIELDS, GOVDOC_LIMITS
from .parse import ParsedArticle, RecordRejected, parse_record
from .records import RawRecord, Rejected, has_readable_name, iter_records, shown_path

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
    existing_id: int | None = None  # UNCHANGED: the article already stored from this record


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
    template_lines_cut: Counter = field(default_factory=Counter)  # line: bodies it was cut from
    home_places_inferred: dict = field(default_factory=dict)  # source name: "place (evidence)"

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
            "template_lines_cut": dict(self.template_lines_cut.most_common()),
            "home_places_inferred": self.home_places_inferred,
        }


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path | Rejected]:
    """Yield the files named, and the files below the directories named, in a stable order.

    A file or directory that cannot be taken in is yielded as one ``Rejected`` and the walk goes
    on: a name that is not UTF-8 (``bad_file_name``: its articles could not say where they came
    from), a directory that cannot be listed (``unreadable``).
    """
    for path in paths:
        path = Path(path)
        if not has_readable_name(path):
            yield _bad_name(path)
        elif path.is_dir():
            yield from _walk(path)
        else:
            yield path


def _walk(folder: Path) -> Iterator[Path | Rejected]:
    unlisted: list[OSError] = []
    for root, dirs, files in os.walk(folder, onerror=unlisted.append):
        yield from (_unlisted(error) for error in unlisted)
        unlisted.clear()
        named = sorted(d for d in dirs if not d.startswith("."))
        dirs[:] = [d for d in named if has_readable_name(d)]
        yield from (_bad_name(Path(root) / d) for d in named if not has_readable_name(d))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(root) / name if has_readable_name(name) else _bad_name(Path(root) / name)
    yield from (_unlisted(error) for error in unlisted)


def _bad_name(path: Path) -> Rejected:
    kind = "目录" if path.is_dir() else "文件"
    rest = "其中的文件都未导入" if path.is_dir() else "它的记录未导入"
    message = (
        f"{kind}名不是 UTF-8 编码（无法解码的字节显示为 \\xff 这样的形式），无法记下报道来自哪个{kind}，"
        f"{rest}。请把{kind}改名后重新导入。"
    )
    return Rejected(shown_path(path), "file", "bad_file_name", message)


def _unlisted(error: OSError) -> Rejected:
    path = shown_path(error.filename) if error.filename is not None else ""
    reason = error.strerror or type(error).__name__
    return Rejected(path, "file", "unreadable", f"无法列出这个目录里的文件（{reason}），其中的文件都未导入。")


def ingest_paths(
    paths: Iterable[str | Path],
    *,
    batch_size: int = 200,
    on_record: Callable[[Outcome], None] | None = None,
    index: bool = True,
    origin: str = IngestRun.Origin.COMMAND,
    started_by=None,
    max_decompressed_bytes: int | None = None,
) -> Summary:
    """Ingest every record in the files and directories named; return the run's summary.

    With ``index`` (the default) each committed batch is announced by :data:`articles_stored`, and
    the search app indexes it; without, run ``manage.py update_index`` afterwards. ``origin`` and
    ``started_by`` say who started the run (an upload in the admin: the curator). A gzip file is
    read until it inflates to ``max_decompressed_bytes`` (by default the setting
    ``INGEST_MAX_DECOMPRESSED_BYTES``); the rest of it is then a ``too_large`` rejection.
    """
    if max_decompressed_bytes is None:
        max_decompressed_bytes = settings.INGEST_MAX_DECOMPRESSED_BYTES
    paths = [str(p) for p in paths]
    run = _start_run([shown_path(p) for p in paths], origin, started_by)
    summary = Summary(run_id=run.pk)

    def items() -> Iterator[RawRecord | Rejected]:
        for file_path in iter_files(paths):
            summary.files += 1
            if isinstance(file_path, Rejected):
                yield file_path
            else:
                yield from iter_records(
                    file_path,
                    max_record_bytes=settings.INGEST_MAX_RECORD_BYTES,
                    max_decompressed_bytes=max_decompressed_bytes,
                )

    _ingest(run, summary, items(), batch_size=batch_size, on_record=on_record, index=index)
    return summary


class RetryRefused(ValueError):
    """A rejected record cannot be tried again (its stored text is cut off, or there is none)."""


def retry_rejections(rejections: Iterable[IngestRejection], *, user=None, batch_size: int = 200) -> Summary:
    """Ingest the (possibly corrected) text of rejected records again, in one new run; return its summary.

    Each record's text is read as a file of the original file's kind (``iter_records``), so a
    retried record goes through exactly what a file does; the articles and any new rejections keep
    the original file and position. Afterwards each rejection notes the run (``retried_in``) and
    the article it became (``article``; none when it was rejected again, with a new rejection row
    in the new run). Raise :class:`RetryRefused`, changing nothing, when one of them cannot be retried.
    """
    rejections = list(rejections)
    for rejection in rejections:
        problem = rejection.retry_problem()
        if problem:
            raise RetryRefused(f"{rejection}: {problem}")
    paths = list(dict.fromkeys(r.path for r in rejections))
    run = _start_run(paths, IngestRun.Origin.RETRY, user)
    summary = Summary(run_id=run.pk)
    owners: deque[IngestRejection] = deque()  # the rejection each next outcome belongs to, in order
    results: dict[int, list[Outcome]] = {r.pk: [] for r in rejections}

    with tempfile.TemporaryDirectory(prefix="ingest-retry-") as folder:

        def items() -> Iterator[RawRecord | Rejected]:
            for number, rejection in enumerate(rejections):
                summary.files += 1
                file_path = Path(folder) / f"{number}{_record_suffix(rejection.path)}"
                file_path.write_text(rejection.raw, encoding="utf-8", errors="surrogatepass")
                found = list(iter_records(file_path, max_record_bytes=settings.INGEST_MAX_RECORD_BYTES))
                for item in found:
                    item.path = rejection.path
                    # A corrected text may hold several records; each remembers which part it was.
                    item.position = rejection.position if len(found) == 1 else f"{rejection.position}, {item.position}"
                    owners.append(rejection)
                    yield item

        def on_record(outcome: Outcome) -> None:
            results[owners.popleft().pk].append(outcome)

        _ingest(run, summary, items(), batch_size=batch_size, on_record=on_record, index=True)

    for rejection in rejections:
        rejection.retried_in = run
        rejection.article_id = next(filter(None, (_article_id(o) for o in results[rejection.pk])), None)
        rejection.save(update_fields=["retried_in", "article"])
    return summary


def _record_suffix(path: str) -> str:
    """Return the suffix a retried record's file gets: the original file's, without .gz."""
    name = path[:-3] if path.lower().endswith(".gz") else path
    return Path(name).suffix


def _article_id(outcome: Outcome) -> int | None:
    if outcome.status in (STORED, DUPLICATE) and outcome.article is not None:
        return outcome.article.pk
    return outcome.existing_id if outcome.status == UNCHANGED else None


def _start_run(paths: list[str], origin: str, started_by) -> IngestRun:
    IngestRun.mark_interrupted()
    return IngestRun.objects.create(
        paths=paths, origin=origin, started_by=started_by, host=socket.gethostname(), pid=os.getpid()
    )


def _ingest(
    run: IngestRun,
    summary: Summary,
    items: Iterable[RawRecord | Rejected],
    *,
    batch_size: int,
    on_record: Callable[[Outcome], None] | None,
    index: bool,
) -> None:
    """Ingest the items in batches of ``batch_size`` into the run, counting them in ``summary``."""
    ingester = _Ingester(run)
    batch: list[RawRecord | Rejected] = []
    try:
        for item in items:
            batch.append(item)
            if len(batch) >= batch_size:
                _run_batch(ingester, batch, summary, on_record, index)
        _run_batch(ingester, batch, summary, on_record, index)
        _infer_home_places(ingester, summary)
    except BaseException:
        _finish(run, summary, IngestRun.Status.FAILED)
        raise
    _finish(run, summary, IngestRun.Status.COMPLETED)


def _infer_home_places(ingester: _Ingester, summary: Summary) -> None:
    """Sources of the run still without a home place get one where their articles bear it out.

    Their articles are then geotagged again in the worker, with the new home place as context.
    """
    from archive import tasks  # tasks run the pipeline: imported when needed

    touched = [source.pk for source in ingester.sources.values()]
    for source in home_places.infer_for_new_articles(source_ids=touched):
        summary.home_places_inferred[source.name] = f"{source.home_place.name}（依据：{source.home_place_evidence}）"
        transaction.on_commit(lambda pk=source.pk: tasks.regeotag_source.enqueue(pk, None))


def _run_batch(ingester: _Ingester, batch: list, summary: Summary, on_record, index: bool = True) -> None:
    if not batch:
        return
    ingester.repointed = []
    with transaction.atomic():
        outcomes = ingester.ingest_batch(batch)
        IngestRun.objects.filter(pk=ingester.run.pk).update(
            records=summary.records + len(outcomes),
            stored=summary.stored + sum(o.status == STORED for o in outcomes),
            duplicates=summary.duplicates + sum(o.status == DUPLICATE for o in outcomes),
            unchanged=summary.unchanged + sum(o.status == UNCHANGED for o in outcomes),
            rejected=summary.rejected + sum(o.status == REJECTED for o in outcomes),
        )
        if any(o.status in (STORED, DUPLICATE) for o in outcomes):
            versions.bump()  # bulk_create sends no signals; cached figures must see the batch
    # With DEBUG on, Django keeps every query's SQL; a long run must not hold them all.
    reset_queries()
    stored = [o.article.pk for o in outcomes if o.status == STORED and o.article is not None]
    # Re-pointed copies: a former original leaves the index, a copy set apart enters it.
    stored.extend(ingester.repointed)
    ingester.repointed = []
    unchanged = [o.existing_id for o in outcomes if o.status == UNCHANGED and o.existing_id is not None]
    if index and (stored or unchanged):
        articles_stored.send(sender=_Ingester, ids=stored, unchanged=unchanged)
    # Only once the batch is committed do its outcomes count.
    summary.template_lines_cut.update(ingester.template_lines_cut)
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


# The article fields cleaning makes from a record (ingest, and a curator's "clean again"), and the
# column sizes their text is cut to.
CLEANED_FIELDS = (
    "title",
    "body",
    "published",
    "published_time",
    "original_url",
    "reprint_note",
    "title_only",
    *GOVDOC_FIELDS,
)
_COLUMN_LIMITS = {"title": 500, "original_url": 2000, "reprint_note": 300, **GOVDOC_LIMITS}


def cleaned_fields(parsed: ParsedArticle) -> dict:
    """{field: value} of CLEANED_FIELDS for a parsed record, text cut to the columns' sizes."""
    values = {name: getattr(parsed, name) for name in CLEANED_FIELDS}
    for name, limit in _COLUMN_LIMITS.items():
        values[name] = values[name][:limit] if values[name] is not None else None
    for name in GOVDOC_FIELDS:  # unknown is NULL in these columns, not ""
        values[name] = values[name] or None
    return values


@dataclass
class _Pending:
    """A parsed record on its way to becoming an article."""

    index: int  # position in the batch
    record: RawRecord
    parsed: ParsedArticle
    raw_hash: str
    content_hash: str
    anchors: list[int]
    clauses: set[str] | None = None
    article: Article | None = None
    duplicate_of: _Pending | int | None = None  # its original: stored (an id) or earlier in the batch
    source: Source | None = None
    copy: dedupe.Copy | None = None
    same_as: _Pending | int | None = None  # the same post, stored or earlier in the batch: not stored again

    def clause_set(self) -> set[str]:
        if self.clauses is None:
            self.clauses = dedupe.clauses(self.parsed.body)
        return self.clauses


class _Group:
    """The copies of one report known to a batch: stored ones (with their current links) and new ones."""

    def __init__(self, members: list[dedupe.Copy], links: dict[int, int | None] | None = None):
        self.members = members
        self.links = links or {}  # stored copy's id → its stored duplicate_of
        # A curator's group keeps the original the curator chose; otherwise the earliest copy is it.
        self.curated = any(m.curated for m in members)
        chosen = [m for m in members if not isinstance(m.ref, _Pending) and self.links.get(m.ref) is None]
        self.original = chosen[0] if self.curated and chosen else min(members, key=lambda m: m.order)

    def add(self, copy: dedupe.Copy) -> None:
        self.members.append(copy)
        if not self.curated and copy.order < self.original.order:
            self.original = copy


def _post_key(p: _Pending) -> tuple[int, str, str] | None:
    """(source id, address as stored, normalised title) of a record with a source and an address: one post."""
    address = p.parsed.original_url[: _COLUMN_LIMITS["original_url"]]
    if p.copy.account is None or not address:
        return None
    return (p.copy.account, address, p.copy.title)


def stored_groups(roots: set[int]) -> dict[int, _Group]:
    """{original's id: group} of the stored groups with these originals, each with all its copies."""
    if not roots:
        return {}
    rows = Article.objects.filter(Q(pk__in=roots) | Q(duplicate_of__in=roots)).values_list(
        "pk", "duplicate_of_id", "source_id", "original_url", "published", "title_only", "title", "curated_fields"
    )
    members: dict[int, list] = {}
    links: dict[int, dict] = {}
    for pk, duplicate_of, source_id, url, published, title_only, title, curated in rows.order_by("pk"):
        root = duplicate_of or pk
        copy = dedupe.Copy(
            ref=pk,
            order=dedupe.order(published, (0, pk)),
            account=source_id,
            url=dedupe.url_key(url),
            published=published,
            title_only=title_only,
            title=dedupe.normalise(title),
            curated="duplicate_of" in (curated or ()),
        )
        members.setdefault(root, []).append(copy)
        links.setdefault(root, {})[pk] = duplicate_of
    return {root: _Group(copies, links[root]) for root, copies in members.items() if root in roots}


class _Ingester:
    """Turn batches of records into rows, with few queries a batch, remembering sources and places."""

    def __init__(self, run: IngestRun):
        self.run = run
        self.sources: dict[tuple[str, str], Source] = {}
        self._place_ids: dict[str, int] | None = None
        self._place_codes: dict[int, str] | None = None
        self._rejections: list[IngestRejection] = []
        self._repoints: dict[int, object] = {}
        self.repointed: list[int] = []  # stored articles whose link this batch changed (for the index)
        self.template_lines_cut: Counter = Counter()  # this batch's, moved to the summary once committed

    # --- the batch ---------------------------------------------------------------------------

    def ingest_batch(self, items: list[RawRecord | Rejected]) -> list[Outcome]:
        """Ingest a batch inside the caller's transaction; return one outcome per item, in order."""
        self.template_lines_cut = Counter()
        try:
            with transaction.atomic():
                return self._ingest_batch(items)
        except Exception:
            # Something in the batch broke a bulk write: redo it record by record so that only
            # the record at fault is rejected and the rest still land.
            log.exception("batch write failed; retrying record by record")
            self.sources.clear()  # sources created in the rolled-back batch are gone
            self.template_lines_cut = Counter()
            outcomes = []
            for item in items:
                try:
                    with transaction.atomic():
                        outcomes.extend(self._ingest_batch([item]))
                except Exception as exc:
                    self.sources.clear()
                    self._rejections = []
                    detail = "".join(traceback.format_exception_only(exc)).strip()
                    message = f"Storing this record failed: {detail}"
                    outcomes.append(self.reject_record(item, "store_error", message))
                    IngestRejection.objects.bulk_create(self._rejections)
            return outcomes

    def _ingest_batch(self, items: list[RawRecord | Rejected]) -> list[Outcome]:
        outcomes: list[Outcome | None] = [None] * len(items)
        self._rejections: list[IngestRejection] = []
        records = {i: item for i, item in enumerate(items) if isinstance(item, RawRecord)}
        for i, item in enumerate(items):
            if isinstance(item, Rejected):
                outcomes[i] = self.reject(item.path, item.position, item.reason, item.message, item.raw, item.raw_size)

        raw_hashes = {i: hashlib.sha256(r.raw.encode("utf-8", "surrogatepass")).hexdigest() for i, r in records.items()}
        stored = dict(Article.objects.filter(raw_hash__in=set(raw_hashes.values())).values_list("raw_hash", "pk"))
        parsed_items: list[tuple[int, RawRecord, ParsedArticle, str]] = []
        seen: set[str] = set()
        for i, record in records.items():
            raw_hash = raw_hashes[i]
            if raw_hash in stored or raw_hash in seen:
                outcomes[i] = Outcome(UNCHANGED, record.path, record.position, existing_id=stored.get(raw_hash))
                continue
            seen.add(raw_hash)
            parsed = self.parse(record)
            if isinstance(parsed, Outcome):
                outcomes[i] = parsed
                continue
            parsed_items.append((i, record, parsed, raw_hash))
        self.cut_template_lines([item[2] for item in parsed_items], [item[3] for item in parsed_items])
        pending: list[_Pending] = []
        for i, record, parsed, raw_hash in parsed_items:
            content = dedupe.content_hash(parsed.title, parsed.body)
            pending.append(_Pending(i, record, parsed, raw_hash, content, dedupe.anchors(parsed.body)))

        if pending:
            self.store(pending)
            for p in pending:
                if p.same_as is not None:
                    same = p.same_as.article.pk if isinstance(p.same_as, _Pending) else p.same_as
                    outcomes[p.index] = Outcome(UNCHANGED, p.record.path, p.record.position, existing_id=same)
                    continue
                status = DUPLICATE if p.article.duplicate_of_id else STORED
                outcomes[p.index] = Outcome(status, p.record.path, p.record.position, p.article)
        IngestRejection.objects.bulk_create(self._rejections)
        return outcomes

    def cut_template_lines(self, parsed: list[ParsedArticle], raw_hashes: list[str]) -> None:
        """Count the bodies' short lines across the corpus and cut those that are template (the end of cleaning)."""
        bodies = [
            template_lines.Body(p.title, p.account_id or p.source_name, p.body, h)
            for p, h in zip(parsed, raw_hashes, strict=True)
        ]
        new_bodies, cut = template_lines.count_and_cut(bodies)
        for p, body in zip(parsed, new_bodies, strict=True):
            p.body = body
        self.template_lines_cut.update(cut)

    def parse(self, record: RawRecord) -> ParsedArticle | Outcome:
        try:
            return parse_record(record)
        except RecordRejected as exc:
            return self.reject_record(record, exc.reason, exc.message)
        except Exception as exc:  # a parser bug must not stop the batch; the record is kept
            log.exception("parsing %s %s failed", record.path, record.position)
            detail = "".join(traceback.format_exception_only(exc)).strip()
            return self.reject_record(record, "parse_error", f"The parser failed on this record: {detail}")

    def store(self, pending: list[_Pending]) -> None:
        """Write the batch's articles with their duplicate links, anchors and places (a record that is
        a post already stored, ``same_as``, is written as nothing), and re-point the stored copies."""
        self.link_duplicates(pending)
        pending = [p for p in pending if p.same_as is None]
        now = timezone.now()  # when the batch's public articles became public (bulk_create calls no save())
        for p in pending:
            parsed, record = p.parsed, p.record
            p.article = Article(
                **cleaned_fields(parsed),
                source=p.source,
                raw=record.raw,
                raw_format=record.format,
                raw_hash=p.raw_hash,
                content_hash=p.content_hash,
                duplicate_of_id=p.duplicate_of if isinstance(p.duplicate_of, int) else None,
                ingest_run=self.run,
                source_file=record.path[:1000],
                source_position=record.position[:50],
            )
            if p.article.status == Article.Status.PUBLISHED and p.duplicate_of is None:
                p.article.made_public_at = now
        # Originals first, so that duplicates of them in this batch can point at their ids.
        firsts = [p for p in pending if not isinstance(p.duplicate_of, _Pending)]
        Article.objects.bulk_create([p.article for p in firsts])
        seconds = [p for p in pending if isinstance(p.duplicate_of, _Pending)]
        for p in seconds:
            p.article.duplicate_of_id = p.duplicate_of.article.pk
        Article.objects.bulk_create([p.article for p in seconds])
        # Stored copies re-pointed: at an earlier copy that arrived now, or apart (a generic title).
        targets: dict[int | None, list[int]] = {}
        for pk, target in self._repoints.items():
            targets.setdefault(target.article.pk if isinstance(target, _Pending) else target, []).append(pk)
        for target, ids in targets.items():
            if target is None:  # published copies set apart become public now (update() calls no save())
                became_public = Article.objects.filter(pk__in=ids, status=Article.Status.PUBLISHED)
                became_public.filter(duplicate_of__isnull=False).update(made_public_at=now)
            Article.objects.filter(pk__in=ids).update(duplicate_of_id=target)
        self.repointed.extend(self._repoints)

        ArticleAnchor.objects.bulk_create(
            ArticleAnchor(article_id=p.article.pk, value=value) for p in pending for value in p.anchors
        )
        links = []
        for p in pending:
            links.extend(self.place_links(p.article))
        ArticlePlace.objects.bulk_create(links)

    def link_duplicates(self, pending: list[_Pending]) -> None:
        """Group each pending record with the copies of the report it repeats (``dedupe``'s rules).

        Sets each record's ``source``, ``duplicate_of`` (a stored article's id, a ``_Pending`` of
        this batch, or None: it is an original) or ``same_as`` (it is a post already stored: the
        article's id, or the earlier record of this batch), and ``self._repoints`` ({stored id:
        its new original, an id, a ``_Pending`` or None}) for stored copies whose original changes.
        """
        for p in pending:
            p.source = self.source_for(p.parsed)
            parsed = p.parsed
            p.copy = dedupe.Copy(
                ref=p,
                order=dedupe.order(parsed.published, (1, p.index)),
                account=p.source.pk if p.source else None,
                url=dedupe.url_key(parsed.original_url),
                published=parsed.published,
                title_only=not dedupe.normalise(parsed.body),
                title=dedupe.normalise(parsed.title),
            )
        generic = self.generic_titles(pending)
        generic_hashes = {p.content_hash for p in pending if p.copy.title_only and p.copy.title in generic}

        exact: dict[str, list[int]] = {}
        for content, pk, canonical in (
            Article.objects.filter(content_hash__in={p.content_hash for p in pending} - generic_hashes)
            .order_by("pk")
            .values_list("content_hash", "pk", "duplicate_of_id")
        ):
            roots = exact.setdefault(content, [])
            if (canonical or pk) not in roots:
                roots.append(canonical or pk)
        by_anchor: dict[int, set[int]] = {}
        for value, article_id in ArticleAnchor.objects.filter(
            value__in={a for p in pending for a in p.anchors}
        ).values_list("value", "article_id"):
            by_anchor.setdefault(value, set()).add(article_id)
        candidates = self.near_candidates(pending, by_anchor)
        stored_bodies = {}
        if candidates:
            wanted = {pk for ids in candidates.values() for pk in ids}
            rows = Article.objects.filter(pk__in=wanted).values_list("pk", "body", "duplicate_of_id")
            for pk, body, canonical in rows:
                stored_bodies[pk] = (dedupe.clauses(body), canonical or pk)
        roots_of = {}
        for p in pending:
            near = self.near_match(p, candidates.get(p.index, []), stored_bodies, {})
            roots_of[p.index] = list(dict.fromkeys([*exact.get(p.content_hash, []), *([near] if near else [])]))
        # The same account's post at the same address under the same title, its text changed since
        # (the post was edited, or a crawl caught more of it): a copy of that post, not a second
        # report. The title must agree too: an account whose records all give one address (its
        # home page) must not have its posts made one.
        posts_at = self.stored_posts(pending)
        address_root = {p.index: posts_at[key] for p in pending if (key := _post_key(p)) in posts_at}
        groups = stored_groups({pk for roots in roots_of.values() for pk in roots} | set(address_root.values()))

        # A generic title joins no group, but the same post ingested again is still the same post.
        posted: dict[tuple, int] = {}
        if generic_hashes:
            accounts = {p.copy.account for p in pending if p.content_hash in generic_hashes} - {None}
            for pk, content, source_id, address in (
                Article.objects.filter(content_hash__in=generic_hashes, source_id__in=accounts)
                .order_by("pk")
                .values_list("pk", "content_hash", "source_id", "original_url")
            ):
                if address:
                    posted.setdefault((content, source_id, dedupe.url_key(address)), pk)

        group_of: dict[int, _Group] = {}  # pending index → its group
        batch_posts: dict[tuple, _Group] = {}  # ``_post_key`` → the group of this batch's first record of it
        by_hash: dict[str, list[_Pending]] = {}
        batch_anchors: dict[int, list[_Pending]] = {}
        for p in pending:
            key = (p.content_hash, p.copy.account, p.copy.url)
            if p.copy.url and key in posted:
                p.same_as = posted[key]
                continue
            tried = [groups[pk] for pk in roots_of[p.index] if pk in groups]
            earlier = list(by_hash.get(p.content_hash, []))
            near = self.near_match(p, [], {}, batch_anchors)
            if near is not None:
                earlier.append(near)
            tried.extend(group_of[q.index] for q in earlier if q.index in group_of)
            group = None
            for candidate in dict.fromkeys(tried):
                same = next((m for m in candidate.members if dedupe.same_post(p.copy, m)), None)
                if same is not None:
                    p.same_as = same.ref
                    break
                if dedupe.may_join(p.copy, candidate.members, generic_titles=generic):
                    group = candidate
                    break
            if p.same_as is not None:
                continue
            if group is None:  # no report with this text: perhaps a new version of a post at this address
                group = groups.get(address_root.get(p.index)) or batch_posts.get(_post_key(p))
            if group is None:
                group = _Group([p.copy])
            else:
                group.add(p.copy)
            group_of[p.index] = group
            if _post_key(p) is not None:
                batch_posts.setdefault(_post_key(p), group)
            by_hash.setdefault(p.content_hash, []).append(p)
            for value in p.anchors:
                batch_anchors.setdefault(value, []).append(p)

        self._repoints = {}
        for group in {id(g): g for g in group_of.values()}.values():
            original = group.original
            for member in group.members:
                target = None if member is original else original.ref
                if isinstance(member.ref, _Pending):
                    member.ref.duplicate_of = target
                elif group.links.get(member.ref) != target:
                    self._repoints[member.ref] = target
        self.split_generic(generic_hashes)

    def split_generic(self, generic_hashes: set[str]) -> None:
        """Stand apart the stored title-only copies whose title has turned out generic (a curator's links stay)."""
        if not generic_hashes:
            return
        rows = Article.objects.filter(content_hash__in=generic_hashes, duplicate_of__isnull=False, title_only=True)
        for pk, curated in rows.values_list("pk", "curated_fields"):
            if "duplicate_of" not in (curated or ()):
                self._repoints.setdefault(pk, None)

    @staticmethod
    def generic_titles(pending: list[_Pending]) -> set[str]:
        """The normalised titles of title-only records that the corpus (stored and this batch) carries
        on ``dedupe.GENERIC_DAYS`` days or by ``dedupe.GENERIC_ACCOUNTS`` accounts."""
        titled = [p for p in pending if p.copy.title_only]
        if not titled:
            return set()
        title_of = {p.content_hash: p.copy.title for p in titled}
        days: dict[str, set] = {p.copy.title: set() for p in titled}
        accounts: dict[str, set] = {p.copy.title: set() for p in titled}
        for p in titled:
            days[p.copy.title].add(p.copy.published)
            accounts[p.copy.title].add(p.copy.account)
        stored = Article.objects.filter(content_hash__in=set(title_of), title_only=True).order_by()
        for content, published in stored.values_list("content_hash", "published").distinct():
            days[title_of[content]].add(published)
        for content, source in stored.values_list("content_hash", "source_id").distinct():
            accounts[title_of[content]].add(source)
        return {
            title for title in days if dedupe.is_generic_title(len(days[title] - {None}), len(accounts[title] - {None}))
        }

    @staticmethod
    def stored_posts(pending: list[_Pending]) -> dict[tuple, int]:
        """{``_post_key``: its group's original id} of the stored posts the pending records may be new versions of."""
        keys = {key for p in pending if (key := _post_key(p)) is not None}
        if not keys:
            return {}
        rows = (
            Article.objects.filter(source_id__in={k[0] for k in keys}, original_url__in={k[1] for k in keys})
            .order_by("pk")
            .values_list("source_id", "original_url", "title", "pk", "duplicate_of_id")
        )
        found: dict[tuple, int] = {}
        for source_id, address, title, pk, duplicate_of in rows:
            found.setdefault((source_id, address, dedupe.normalise(title)), duplicate_of or pk)
        return found

    @staticmethod
    def near_candidates(pending: list[_Pending], by_anchor: dict[int, set[int]]) -> dict[int, list[int]]:
        """Return, per pending record, the stored articles sharing enough of its anchors."""
        result = {}
        for p in pending:
            shared = Counter(pk for value in p.anchors for pk in by_anchor.get(value, ()))
            # A near-duplicate shares most of the longest clauses; asking for two of them keeps
            # articles that merely quote one common sentence out of the candidates.
            need = min(2, len(p.anchors))
            close = sorted((pk for pk, n in shared.items() if n >= need), key=lambda pk: (-shared[pk], pk))
            if close:
                result[p.index] = close[: dedupe.MAX_CANDIDATES]
        return result

    @staticmethod
    def near_match(p: _Pending, stored: list[int], bodies: dict, batch_anchors: dict[int, list[_Pending]]):
        """Return the stored article id (its original's) or earlier pending record that p nearly repeats, or None."""
        if not p.anchors:
            return None
        for pk in sorted(stored):
            clause_set, canonical = bodies[pk]
            if dedupe.similarity(p.clause_set(), clause_set) >= dedupe.MIN_SIMILARITY:
                return canonical
        shared = Counter(id(q) for value in p.anchors for q in batch_anchors.get(value, ()))
        need = min(2, len(p.anchors))
        earlier = {id(q): q for value in p.anchors for q in batch_anchors.get(value, ())}
        close = sorted((k for k, n in shared.items() if n >= need), key=lambda k: (-shared[k], earlier[k].index))
        for key in close[: dedupe.MAX_CANDIDATES]:
            q = earlier[key]
            if dedupe.similarity(p.clause_set(), q.clause_set()) >= dedupe.MIN_SIMILARITY:
                return q
        return None

    # --- rejections --------------------------------------------------------------------------

    def reject_record(self, item: RawRecord, reason: str, message: str) -> Outcome:
        raw_size = len(item.raw.encode("utf-8", "surrogatepass"))
        return self.reject(item.path, item.position, reason, message, item.raw, raw_size)

    def reject(self, path: str, position: str, reason: str, message: str, raw: str, raw_size: int) -> Outcome:
        self._rejections.append(
            IngestRejection(
                run=self.run,
                path=_fit(path, IngestRejection._meta.get_field("path").max_length),
                position=position,
                reason=reason,
                message=message,
                raw=raw[:REJECTED_RAW_LIMIT].replace("\x00", "\\x00"),
                raw_size=raw_size,
            )
        )
        return Outcome(REJECTED, path, position, reason=reason, message=message)

    # --- sources and places ------------------------------------------------------------------

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
                home = home_places.from_name(name=name, place_ids=self.place_ids())
                source = Source.objects.create(
                    name=name or account_id,
                    account_id=account_id,
                    description=parsed.account_description,
                    home_place_id=home.place_id if home else None,
                    home_place_inferred=home is not None,
                    home_place_evidence=home.evidence if home else "",
                )
            self.sources[key] = source
        if parsed.account_description and not source.description:
            source.description = parsed.account_description
            source.save(update_fields=["description"])
        return source

    def place_ids(self) -> dict[str, int]:
        if self._place_ids is None:
            self._place_ids = gazetteer_ids()
        return self._place_ids

    def place_links(self, article: Article) -> list[ArticlePlace]:
        home = None
        if article.source and article.source.home_place_id:
            if self._place_codes is None:
                self._place_codes = {pk: code for code, pk in self.place_ids().items()}
            home = self._place_codes.get(article.source.home_place_id)
        return place_links(article, self.place_ids(), home=home)


def gazetteer_ids() -> dict[str, int]:
    """{code: id} of every place: what geotagging's codes are turned into rows with."""
    return dict(Place.objects.values_list("code", "id"))


def place_links(
    article: Article, place_ids: dict[str, int], *, home: str | None, keep: set[str] = frozenset()
) -> list[ArticlePlace]:
    """Return unsaved links for the places the article's title and body name, except the codes in keep."""
    counts = geotagging.geotag(f"{article.title}\n{article.body}", home_place=home)
    return [
        ArticlePlace(article_id=article.pk, place_id=place_ids[code], mentions=count)
        for code, count in counts.items()
        if code in place_ids and code not in keep
    ]


def tag_places(article: Article, place_ids: dict[str, int] | None = None) -> tuple[set[str], set[str]]:
    """Geotag the article again; return the codes of the places (added, removed).

    Places a curator set by hand are kept, and places a curator took off (``RemovedPlace``) stay
    off. Only the difference is written: unchanged tags keep their rows, and changed counts of
    mentions are updated. ``place_ids`` ({code: id}, all places) saves reading the gazetteer per
    article when many are tagged in a row.
    """
    place_ids = place_ids if place_ids is not None else gazetteer_ids()
    current = {link.place.code: link for link in article.place_links.select_related("place")}
    removed_by_curator = set(RemovedPlace.objects.filter(article=article).values_list("place__code", flat=True))
    keep = {code for code, link in current.items() if link.manual} | removed_by_curator
    home = article.source.home_place.code if article.source and article.source.home_place else None
    wanted = {link.place_id: link for link in place_links(article, place_ids, home=home, keep=keep)}
    automatic = {link.place_id: link for link in current.values() if not link.manual}
    gone = [link for place_id, link in automatic.items() if place_id not in wanted]
    for link in gone:
        link.delete()
    added = []
    for place_id, link in wanted.items():
        existing = automatic.get(place_id)
        if existing is None:
            link.save()
            added.append(link)
        elif existing.mentions != link.mentions:
            existing.mentions = link.mentions
            existing.save(update_fields=["mentions"])
    added_codes = set(Place.objects.filter(pk__in=[link.place_id for link in added]).values_list("code", flat=True))
    return added_codes, {link.place.code for link in gone}


def _fit(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, its middle cut out (a path's start and file name stay)."""
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return text[:head] + "…" + text[len(text) - (limit - 1 - head) :]
