"""Repair the duplicate groups stored before today's rules (``dedupe``): one pass over every group.

Each group's copies are grouped again by the rules ingest now applies: the earliest publication
becomes the original and the others point to it; a copy from the same account at a different
address, or a title-only copy without real evidence (a generic title, far apart in time), stands
apart. A group in which a curator set or cleared a link is left exactly as it is. Every change is
saved one article at a time, so the field history says why (``重新分组``), the cached figures and
the search index follow (queued once the group's transaction commits).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from archive.models import Article

from . import dedupe
from .pipeline import stored_groups

CHUNK = 200  # groups per transaction


@dataclass
class RegroupSummary:
    groups: int = 0
    kept_for_curators: int = 0  # groups a curator linked by hand, left alone
    repointed: int = 0  # groups whose original is now their earliest copy
    split: int = 0  # groups some copies of which now stand apart
    changed_articles: int = 0
    lines: list[str] = field(default_factory=list)


def regroup_duplicates(*, dry_run: bool = False) -> RegroupSummary:
    """Group every stored group's copies again by today's rules; return what changed (nothing with ``dry_run``)."""
    summary = RegroupSummary()
    roots = sorted(set(Article.objects.filter(duplicate_of__isnull=False).values_list("duplicate_of_id", flat=True)))
    for start in range(0, len(roots), CHUNK):
        with transaction.atomic():
            groups = stored_groups(set(roots[start : start + CHUNK]))
            generic = _generic_titles(groups.values())
            for root, group in sorted(groups.items()):
                summary.groups += 1
                if group.curated:
                    summary.kept_for_curators += 1
                    continue
                _regroup(root, group, generic, summary, dry_run=dry_run)
            if dry_run:
                transaction.set_rollback(True)
    return summary


def _regroup(root: int, group, generic: set[str], summary: RegroupSummary, *, dry_run: bool) -> None:
    wanted = dedupe.plan(group.members, generic_titles=generic)
    changes = {pk: target for pk, target in wanted.items() if group.links.get(pk) != target}
    if not changes:
        return
    if wanted.get(root) is not None:
        summary.repointed += 1
    originals = [pk for pk, target in wanted.items() if target is None]
    if len(originals) > 1:
        summary.split += 1
    new_root = next((pk for pk, target in wanted.items() if target is None and wanted.get(root) in (None, pk)), root)
    apart = len(originals) - 1
    summary.lines.append(f"#{root}：原文改为 #{new_root}，另有 {apart} 篇各自独立，{len(changes)} 篇改了链接")
    summary.changed_articles += len(changes)
    if dry_run:
        return
    for article in Article.objects.filter(pk__in=changes).defer("raw"):
        article.duplicate_of_id = changes[article.pk]
        article._change_reason = "重新分组：最早发布者为原文" if changes[article.pk] else "重新分组：不是重复"
        article.save(update_fields=["duplicate_of", "updated_at"])


def _generic_titles(groups) -> set[str]:
    """The normalised titles of the groups' title-only copies the corpus carries on many days or by many accounts."""
    titles = {m.title for g in groups for m in g.members if m.title_only}
    if not titles:
        return set()
    by_hash = {dedupe.content_hash(title, ""): title for title in titles}
    days: dict[str, set] = {t: set() for t in titles}
    accounts: dict[str, set] = {t: set() for t in titles}
    rows = Article.objects.filter(content_hash__in=set(by_hash), title_only=True).order_by()
    for content, published in rows.values_list("content_hash", "published").distinct():
        days[by_hash[content]].add(published)
    for content, source in rows.values_list("content_hash", "source_id").distinct():
        accounts[by_hash[content]].add(source)
    return {t for t in titles if dedupe.is_generic_title(len(days[t] - {None}), len(accounts[t] - {None}))}
