"""What curators do to articles: hide, publish, clean again, geotag again, merge, tell duplicates apart.

The admin's actions are thin calls into these functions (so are scripts). Every change goes
through ``save()``, so the field history (who, when, what), the cached figures and the search
index follow it through the model signals; what sends no signal (re-geotagging, a reindex) is
announced with :data:`archive.signals.articles_changed`. Inside a transaction (every admin
request is one) the search index is written once it commits.

Each function returns what it did, per article, in sentences a curator reads; the admin shows
them and writes them to the article's history (``LogEntry``) when given the user.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction

from .ingest import dedupe, template_lines
from .ingest.govdoc import GOVDOC_FIELDS
from .ingest.parse import RecordRejected, parse_record
from .ingest.pipeline import CLEANED_FIELDS, cleaned_fields, gazetteer_ids, tag_places
from .ingest.records import RawRecord
from .models import Article, ArticleAnchor, ArticlePlace, Place, RemovedPlace, Source
from .signals import articles_changed

# Fields whose manual correction a later cleaning keeps (``Article.curated_fields``); a curator's
# duplicate link (set by a merge, cleared by "not a duplicate", or edited) is never regrouped.
CURATED_FIELDS = (
    "title",
    "body",
    "published",
    "published_time",
    "source",
    "original_url",
    "reprint_note",
    "duplicate_of",
    *GOVDOC_FIELDS,
)


@dataclass
class Outcome:
    """What one function did: how many articles it changed, and a line per article (or problem)."""

    changed: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def _log(user, article: Article, message: str) -> None:
    """Add ``message`` to the article's admin history (LogEntry), when a user made the change."""
    if user is None or not user.pk:
        return
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[article],
        action_flag=CHANGE,
        change_message=message,
        single_object=True,
    )


def _save(article: Article, fields: Iterable[str], reason: str) -> None:
    article._change_reason = reason  # shown in the field-level history
    article.save(update_fields=[*fields, "updated_at"])


def note_curated(article: Article, changed_fields: Iterable[str]) -> None:
    """Remember the fields a curator corrected by hand (before the article is saved)."""
    curated = set(article.curated_fields or ()) | (set(changed_fields) & set(CURATED_FIELDS))
    article.curated_fields = sorted(curated)


# --- status ----------------------------------------------------------------------------------


def set_status(articles: Iterable[Article], status: str, *, user=None) -> Outcome:
    """Publish or hide the articles. A hidden article leaves search, feeds, lists and the API."""
    label = Article.Status(status).label
    outcome = Outcome()
    with transaction.atomic():
        for article in articles:
            if article.status == status:
                outcome.unchanged += 1
                continue
            article.status = status
            _save(article, ["status"], label)
            _log(user, article, f"状态改为{label}。")
            outcome.changed += 1
    return outcome


# --- cleaning and geotagging again -----------------------------------------------------------


def reclean(articles: Iterable[Article], *, keep_curated: bool = True, user=None) -> Outcome:
    """Make each article again from its raw record with today's cleaner, then geotag it again.

    Fields a curator corrected are kept unless ``keep_curated`` is False (then forgotten). A raw
    record the cleaner now refuses leaves its article as it is, and is reported.
    """
    outcome = Outcome()
    place_ids = gazetteer_ids()
    with transaction.atomic():
        for article in articles:
            record = RawRecord(article.source_file, article.source_position, article.raw_format, article.raw)
            try:
                parsed = parse_record(record)
            except RecordRejected as exc:
                outcome.problems.append(f"#{article.pk} {article.title}：未重新清理：{exc.message}")
                continue
            # The corpus's template lines are cut as ingest cuts them (counting this record once more
            # changes nothing: an article counts once by its title).
            account = parsed.account_id or parsed.source_name
            (parsed.body,), _ = template_lines.count_and_cut(
                [template_lines.Body(parsed.title, account, parsed.body, article.raw_hash)]
            )
            values = cleaned_fields(parsed)
            kept = [name for name in CLEANED_FIELDS if keep_curated and name in (article.curated_fields or ())]
            changed = [name for name, value in values.items() if name not in kept and getattr(article, name) != value]
            for name in changed:
                setattr(article, name, values[name])
            if not keep_curated and set(article.curated_fields or ()) - {"duplicate_of"}:
                # Forgotten: corrections of the cleaned fields; a curator's duplicate link is no cleaning.
                article.curated_fields = [n for n in article.curated_fields if n == "duplicate_of"]
                changed.append("curated_fields")
            if "title" in changed or "body" in changed:
                article.content_hash = dedupe.content_hash(article.title, article.body)
                changed.append("content_hash")
                ArticleAnchor.objects.filter(article=article).delete()
                ArticleAnchor.objects.bulk_create(
                    ArticleAnchor(article=article, value=value) for value in dedupe.anchors(article.body)
                )
            parts = []
            if changed:
                _save(article, changed, "从原始记录重新清理")
                shown = [name for name in changed if name in CLEANED_FIELDS]
                parts.append("改了" + _field_names(shown) if shown else "清除了人工修改的标记")
            if kept:
                parts.append("保留了人工修改的" + _field_names(kept))
            added, removed = tag_places(article, place_ids)
            parts.extend(_place_changes(added, removed))
            _announce(article)
            message = "从原始记录重新清理：" + ("；".join(parts) if parts else "没有变化") + "。"
            _log(user, article, message)
            outcome.lines.append(f"#{article.pk} {article.title}：{message}")
            if changed or added or removed:
                outcome.changed += 1
            else:
                outcome.unchanged += 1
    return outcome


def regeotag(articles: Iterable[Article], *, user=None, place_ids: dict[str, int] | None = None) -> Outcome:
    """Geotag the articles again (after a gazetteer or home-place change); curators' places stay.

    ``place_ids`` (``gazetteer_ids()``, a third of a second to read) may be passed by a caller
    geotagging batch after batch.
    """
    outcome = Outcome()
    place_ids = place_ids if place_ids is not None else gazetteer_ids()
    with transaction.atomic():
        for article in articles:
            added, removed = tag_places(article, place_ids)
            if not (added or removed):
                outcome.unchanged += 1
                continue
            message = "重新地理标注：" + "；".join(_place_changes(added, removed)) + "。"
            _log(user, article, message)
            _announce(article)
            outcome.lines.append(f"#{article.pk} {article.title}：{message}")
            outcome.changed += 1
    return outcome


RECLEAN_BATCH = 200  # articles per transaction when many are cleaned again (each is parsed afresh)


def reclean_in_batches(*, ids: list[int], keep_curated: bool = True, user=None, progress=None) -> Outcome:
    """Clean these articles again in transactions of :data:`RECLEAN_BATCH`; return the counts and problems.

    ``progress(done, total)`` is called after each batch (the command prints it). The lines of each
    article's change go to its history, not into the returned outcome.
    """
    total = Outcome()
    for start in range(0, len(ids), RECLEAN_BATCH):
        batch = Article.objects.filter(pk__in=ids[start : start + RECLEAN_BATCH]).select_related("source__home_place")
        outcome = reclean(batch.order_by("pk"), keep_curated=keep_curated, user=user)
        total.changed += outcome.changed
        total.unchanged += outcome.unchanged
        total.problems.extend(outcome.problems)
        if progress is not None:
            progress(min(start + RECLEAN_BATCH, len(ids)), len(ids))
    return total


REGEOTAG_BATCH = 500  # articles per transaction: the search index follows after each


def regeotag_in_batches(*, ids: list[int], user=None, progress=None) -> tuple[int, int]:
    """Geotag these articles again in transactions of :data:`REGEOTAG_BATCH`; return (changed, unchanged).

    ``progress(done, total)`` is called after each batch (the command prints it).
    """
    from archive.ingest.pipeline import gazetteer_ids

    changed = unchanged = 0
    place_ids = gazetteer_ids()  # read once, not per batch
    for start in range(0, len(ids), REGEOTAG_BATCH):
        batch = Article.objects.filter(pk__in=ids[start : start + REGEOTAG_BATCH]).select_related("source__home_place")
        outcome = regeotag(batch.defer("raw"), user=user, place_ids=place_ids)
        changed += outcome.changed
        unchanged += outcome.unchanged
        if progress is not None:
            progress(min(start + REGEOTAG_BATCH, len(ids)), len(ids))
    return changed, unchanged


def _field_names(names: Iterable[str]) -> str:
    """The fields' labels as a curator knows them: 标题、正文."""
    return "、".join(str(Article._meta.get_field(name).verbose_name) for name in names)


def _place_changes(added: set[str], removed: set[str]) -> list[str]:
    names = dict(Place.objects.filter(code__in=added | removed).values_list("code", "name"))
    parts = []
    if added:
        parts.append("加上" + "、".join(names.get(code, code) for code in sorted(added)))
    if removed:
        parts.append("去掉" + "、".join(names.get(code, code) for code in sorted(removed)))
    return parts


def _announce(article: Article) -> None:
    articles_changed.send(sender=Article, ids=[article.pk])


# --- places a curator sets -------------------------------------------------------------------


def place_set_by_hand(link: ArticlePlace) -> None:
    """Save a place a curator added to an article (or changed): kept by every later geotagging."""
    link.manual = True
    link.save()
    RemovedPlace.objects.filter(article_id=link.article_id, place_id=link.place_id).delete()


def place_taken_off(article: Article, place: Place) -> None:
    """Record that a curator took a place off an article, so that geotagging does not add it back."""
    ArticlePlace.objects.filter(article=article, place=place).delete()
    RemovedPlace.objects.get_or_create(article=article, place=place)


# --- duplicates ------------------------------------------------------------------------------


def merge(canonical: Article, others: Iterable[Article], *, user=None) -> Outcome:
    """Make ``canonical`` the one article readers see; the others (and their copies) become its duplicates.

    Duplicates stay reachable by their links and are listed on the canonical article as the same
    report published elsewhere; only the canonical one is in search, lists and feeds.
    """
    outcome = Outcome()
    with transaction.atomic():
        if canonical.duplicate_of_id is not None or "duplicate_of" not in (canonical.curated_fields or ()):
            previous = canonical.duplicate_of_id
            canonical.duplicate_of = None
            note_curated(canonical, ["duplicate_of"])
            _save(canonical, ["duplicate_of", "curated_fields"], "合并时设为主报道")
            if previous is not None:
                _log(user, canonical, f"设为主报道（原为 #{previous} 的重复）。")
        others = [a for a in others if a.pk != canonical.pk]
        copies = Article.objects.filter(duplicate_of__in=[a.pk for a in others]).exclude(pk=canonical.pk)
        for article in [*others, *copies]:
            if article.duplicate_of_id == canonical.pk and "duplicate_of" in (article.curated_fields or ()):
                outcome.unchanged += 1
                continue
            article.duplicate_of = canonical
            note_curated(article, ["duplicate_of"])
            _save(article, ["duplicate_of", "curated_fields"], f"合并到 #{canonical.pk}")
            _log(user, article, f"合并到 #{canonical.pk} {canonical.title}。")
            outcome.changed += 1
        if outcome.changed:
            _log(user, canonical, f"{outcome.changed} 篇报道合并到这一篇。")
    return outcome


def not_a_duplicate(articles: Iterable[Article], *, user=None) -> Outcome:
    """Undo a duplicate link: the article stands on its own again (in search, lists and feeds).

    The decision is kept: no later ingest or regrouping links the article again.
    """
    outcome = Outcome()
    with transaction.atomic():
        for article in articles:
            if article.duplicate_of_id is None:
                if "duplicate_of" not in (article.curated_fields or ()):
                    note_curated(article, ["duplicate_of"])
                    _save(article, ["curated_fields"], "不是重复（人工确认）")
                outcome.unchanged += 1
                continue
            was = article.duplicate_of_id
            article.duplicate_of = None
            note_curated(article, ["duplicate_of"])
            _save(article, ["duplicate_of", "curated_fields"], f"不是 #{was} 的重复")
            _log(user, article, f"标为不是 #{was} 的重复。")
            outcome.changed += 1
    return outcome


# --- index and sources -----------------------------------------------------------------------


def reindex(ids: Iterable[int]) -> int:
    """Write these articles to the search index again (public ones) or drop them from it (the rest)."""
    ids = list(ids)
    articles_changed.send(sender=Article, ids=ids)
    return len(ids)


def source_articles(source: Source):
    """A source's articles, without the long fields a re-geotagging reads only in part."""
    return Article.objects.filter(source=source).select_related("source__home_place").defer("raw")
