"""API tokens (kept as hashes, revocable, each with its own rate) and background export jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("名称", max_length=100, help_text="用来记住这个令牌给了哪个脚本。")
    prefix = models.CharField("开头", max_length=12, help_text="令牌的前几个字符，用来认出它；令牌本身不保存。")
    key_hash = models.CharField("令牌哈希", max_length=64, unique=True)
    rate_per_minute = models.PositiveIntegerField("每分钟请求上限", default=600)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("上次使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.user.is_active


class ExportJob(models.Model):
    """A search's results written to a file by the worker (past the 1,000 rows of a direct export)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        JSON = "json", "JSON"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="export_jobs"
    )
    query = models.CharField("检索条件", max_length=2000, blank=True)
    format = models.CharField("格式", max_length=4, choices=Format.choices, default=Format.CSV)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows = models.PositiveIntegerField("行数", default=0)
    total = models.PositiveIntegerField("检索结果数", default=0)
    file = models.CharField("文件", max_length=500, blank=True, help_text="DATA_DIR/exports 下的文件名。")
    error = models.CharField("出错原因", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return f"导出 #{self.pk}（{self.get_status_display()}）"
