"""Exports past the 1,000 rows of a direct download: written by the worker to a file under
DATA_DIR/exports, from the search as it stood when the job was made, in pages of 500."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from alerts.links import absolute
from api.models import ExportJob
from search.exports import csv_writer, row, write_csv_rows
from search.forms import SearchForm
from search.service import results_slice

PAGE = 500


def folder() -> Path:
    path = Path(settings.DATA_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def purge(*, now) -> int:
    """Delete the jobs (and files) finished more than EXPORT_KEEP_DAYS ago; how many."""
    old = ExportJob.objects.filter(finished_at__lt=now - timedelta(days=settings.EXPORT_KEEP_DAYS))
    for job in old:
        if job.file:
            (folder() / Path(job.file).name).unlink(missing_ok=True)
    return old.delete()[0]


def create_job(*, user, query: str, fmt: str) -> ExportJob:
    """A queued job; the worker starts on it once this transaction commits. Old files go first."""
    from api.tasks import write_export

    purge(now=timezone.now())
    job = ExportJob.objects.create(user=user, query=query, format=fmt)
    transaction.on_commit(partial(write_export.enqueue, job.pk))
    return job


def write(job: ExportJob) -> ExportJob:
    """Write the job's file (at most EXPORT_JOB_MAX_ROWS rows); the job records progress and the end."""
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    params = SearchForm(QueryDict(job.query)).search_params()
    params["sort"] = params["sort"] or "newest"
    name = f"{job.pk}-{secrets.token_hex(8)}.{job.format}"
    path = folder() / name
    partial_path = path.with_suffix(path.suffix + ".part")
    written = total = 0
    try:
        with partial_path.open("w", encoding="utf-8", newline="") as out:
            writer = None
            if job.format == ExportJob.Format.CSV:
                out.write("\ufeff")  # spreadsheet programs read the Chinese as UTF-8
                writer = csv_writer(out)
            else:
                out.write('{"parameters": ' + json.dumps(dict(QueryDict(job.query).items()), ensure_ascii=False))
                out.write(', "results": [\n')
            cap = settings.EXPORT_JOB_MAX_ROWS
            while written < cap:
                found = results_slice(params, offset=written, limit=min(PAGE, cap - written), until=job.created_at)
                total = found.count
                rows = [row(hit.article, absolute=absolute) for hit in found.hits]
                if writer is not None:
                    write_csv_rows(writer, rows)
                else:
                    for number, item in enumerate(rows, written):
                        out.write(("" if number == 0 else ",\n") + json.dumps(item, ensure_ascii=False))
                written += len(rows)
                ExportJob.objects.filter(pk=job.pk).update(rows=written, total=total)
                if not rows or written >= total:
                    break
            if writer is None:
                out.write(f'\n], "count": {total}, "exported": {written}}}\n')
        partial_path.replace(path)
    except Exception as exc:
        partial_path.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=f"导出失败：{exc}"[:500], finished_at=timezone.now()
        )
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE, rows=written, total=total, file=name, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job
