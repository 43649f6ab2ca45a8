"""An ingest run's summary as text: the lines ``manage.py ingest`` prints and the admin shows.

Public function: ``summary_lines(summary)``, given ``Summary.as_dict()`` or ``run_summary(run)``.
One formatter for both, so a curator reads in the admin exactly what the command printed.
"""

from __future__ import annotations

from typing import NamedTuple

from django.db.models import Count

# Rejections listed one by one; the rest are counted ("… and 3 more in the ingest log").
SHOWN_REJECTIONS = 20


class Line(NamedTuple):
    """One line of the summary; a rejection's line carries the rejection (a dict, with "id" when stored)."""

    text: str
    rejection: dict | None = None


def summary_lines(summary: dict, *, shown: int = SHOWN_REJECTIONS) -> list[Line]:
    """Return the summary's lines: counts, rejections by reason, then the first ``shown`` rejections."""
    lines = [
        Line(f"Ingest run {summary['run_id']}: {summary['records']} records in {summary['files']} files"),
        Line(f"  stored      {summary['stored']:>7}"),
        Line(f"  duplicates  {summary['duplicates']:>7}  (linked to the article they repeat)"),
        Line(f"  unchanged   {summary['unchanged']:>7}  (already stored: same raw record)"),
        Line(f"  rejected    {summary['rejected']:>7}"),
    ]
    for reason, count in sorted(summary["rejected_by_reason"].items()):
        lines.append(Line(f"    {reason:<20} {count:>5}"))
    rejections = summary["rejections"]
    for rejection in rejections[:shown]:
        text = f"  ! {rejection['path']} {rejection['position']}: {rejection['reason']}: {rejection['message']}"
        lines.append(Line(text, rejection))
    # Every rejected record has a rejection, so the count tells how many were left out even when
    # only the first few were read (the admin reads that many rows of a run).
    more = max(summary["rejected"], len(rejections)) - min(shown, len(rejections))
    if more > 0:
        lines.append(Line(f"  … and {more} more in the ingest log"))
    cut = summary.get("template_lines_cut") or {}
    if cut:
        # The corpus signal's decisions (archive.ingest.template_lines), so a curator can check them.
        lines.append(Line(f"  template lines cut (the same line under many accounts' articles): {len(cut)}"))
        for text, count in list(cut.items())[:shown]:
            lines.append(Line(f"    “{text}” × {count}"))
        if len(cut) > shown:
            lines.append(Line(f"    … and {len(cut) - shown} more in the run's summary"))
    inferred = summary.get("home_places_inferred") or {}
    if inferred:
        # Sources given a home place from their articles; their articles are geotagged again in the worker.
        lines.append(Line(f"  home places inferred from the sources' articles: {len(inferred)}"))
        for name, place in list(inferred.items())[:shown]:
            lines.append(Line(f"    {name} → {place}"))
        if len(inferred) > shown:
            lines.append(Line(f"    … and {len(inferred) - shown} more in the run's summary"))
    return lines


def run_summary(run, *, shown: int = SHOWN_REJECTIONS) -> dict:
    """Return a stored run's summary in ``Summary.as_dict()``'s shape, with its first ``shown`` rejections."""
    rejections = [
        {"id": r.pk, "path": r.path, "position": r.position, "reason": r.reason, "message": r.message}
        for r in run.rejections.order_by("pk")[:shown]
    ]
    return {
        "run_id": run.pk,
        "files": run.summary.get("files", 0),
        "records": run.records,
        "stored": run.stored,
        "duplicates": run.duplicates,
        "unchanged": run.unchanged,
        "rejected": run.rejected,
        "rejected_by_reason": run.summary.get("rejected_by_reason") or _reasons(run),
        "rejections": rejections,
        "template_lines_cut": run.summary.get("template_lines_cut") or {},
        "home_places_inferred": run.summary.get("home_places_inferred") or {},
    }


def _reasons(run) -> dict[str, int]:
    # A run still going (or one that died) has no stored summary yet: count its rejection rows.
    counts = run.rejections.values_list("reason").annotate(n=Count("pk")).order_by("reason")
    return dict(counts)


def counts_sentence(summary: dict, *, rejected: str = "被拒") -> str:
    """Return "存储 1 条，被拒 1 条（原因：invalid_json）" for the admin's messages.

    The non-zero counts, and the reasons of the rejections.
    """
    parts = [
        f"{word} {summary[key]} 条"
        for key, word in (("stored", "存储"), ("duplicates", "重复"), ("unchanged", "未变"))
        if summary[key]
    ]
    if summary["rejected"]:
        reasons = "、".join(sorted(summary["rejected_by_reason"]))
        parts.append(f"{rejected} {summary['rejected']} 条（原因：{reasons}）")
    return "，".join(parts) or "没有记录"
