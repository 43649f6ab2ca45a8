"""The API's background work, run by the worker (``manage.py db_worker``)."""

from __future__ import annotations

from django_tasks import task

from api import exports
from api.models import ExportJob


@task()
def write_export(job_id: int) -> dict:
    job = exports.write(ExportJob.objects.get(pk=job_id))
    return {"job": job.pk, "rows": job.rows, "total": job.total}
