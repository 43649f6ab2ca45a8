"""Background tasks (后台任务) in the admin: what is queued, running, done or failed, and what it did.

django-tasks-db registers its own admin in English; this one replaces it with the archive's
language: the task's name in Chinese, its status, who queued it, its result as a sentence with a
link (the ingest run an upload became), and the error of a failed one.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from archive.ingest.report import counts_sentence

TASK_NAMES = {
    "search.tasks.index_articles": "写入检索索引",
    "search.tasks.index_source": "来源改名后重新索引",
    "archive.tasks.ingest_upload": "导入上传的文件",
    "archive.tasks.retry_records": "重试被拒记录",
    "archive.tasks.regeotag_source": "重新地理标注来源的报道",
    "archive.tasks.regeotag_articles": "重新地理标注所选报道",
    "archive.tasks.reclean_articles": "从原始记录重新清理所选报道",
}
STATUS_NAMES = {
    TaskResultStatus.READY: "排队中",
    TaskResultStatus.RUNNING: "运行中",
    TaskResultStatus.SUCCESSFUL: "完成",
    TaskResultStatus.FAILED: "失败",
}


def task_url(result_id) -> str:
    return reverse("admin:django_tasks_database_dbtaskresult_change", args=[result_id])


def task_link(result_id) -> str:
    return format_html('<a href="{}">后台任务</a>', task_url(result_id))


def describe_result(task_path: str, value) -> str:
    """A finished task's return value as a curator reads it (HTML, escaped)."""
    if not isinstance(value, dict):
        return "—" if value is None else str(value)
    if "run_id" in value:
        url = reverse("admin:archive_ingestrun_change", args=[value["run_id"]])
        return format_html('<a href="{}">导入批次 {}</a>：{}。', url, value["run_id"], counts_sentence(value))
    if "problems" in value:
        text = f"有变化 {value['changed']} 篇，原本如此 {value['unchanged']} 篇"
        if value["problems"]:
            text += f"；未能重新清理 {len(value['problems'])} 篇：" + "；".join(value["problems"][:5])
        return text + "。"
    if "changed" in value:
        return f"地点有变化 {value['changed']} 篇，不变 {value['unchanged']} 篇。"
    if value.get("requeued"):
        return f"{value['articles']} 篇报道：检索索引正被占用，几秒后再试（已重新排队）。"
    if "articles" in value:
        return f"{value['articles']} 篇报道。"
    return str(value)


admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["task_title", "status_shown", "enqueued_at", "started_at", "finished_at", "outcome"]
    list_filter = ["status", "queue_name"]
    ordering = ["-enqueued_at"]
    date_hierarchy = "enqueued_at"
    fields = [
        "task_title",
        "status_shown",
        "queue_name",
        "enqueued_at",
        "started_at",
        "finished_at",
        "arguments",
        "outcome",
        "error",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description="任务", ordering="task_path")
    def task_title(self, result):
        return TASK_NAMES.get(result.task_path, result.task_path)

    @admin.display(description="状态", ordering="status")
    def status_shown(self, result):
        return STATUS_NAMES.get(result.status, result.status)

    @admin.display(description="参数")
    def arguments(self, result):
        args = result.args_kwargs or {}
        return ", ".join(map(str, args.get("args", []))) or "—"

    @admin.display(description="结果")
    def outcome(self, result):
        if result.status == TaskResultStatus.SUCCESSFUL:
            return describe_result(result.task_path, result.return_value)
        if result.status == TaskResultStatus.FAILED:
            return format_html("<strong>失败：</strong>{}", result.exception_class_path.rsplit(".", 1)[-1])
        return "—"

    @admin.display(description="错误")
    def error(self, result):
        if not result.traceback:
            return "—"
        return format_html('<pre class="task-traceback">{}</pre>', result.traceback)
