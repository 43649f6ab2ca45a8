"""Saved searches and what each has sent.

A :class:`SavedSearch` keeps the search page's parameters as they were in its address (so a place
renamed later is looked up again, as the live search would) and how often it is run. A
:class:`Delivery` row says an article was sent for a saved search; (saved search, article) is
unique, and the rows are written in the transaction that sends the message, so an article is
never sent twice for one saved search.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.http import QueryDict
from django.urls import reverse

from archive.models import Article


class SavedSearch(models.Model):
    class Frequency(models.TextChoices):
        INGEST = "ingest", "每次导入后"
        DAILY = "daily", "每天"
        WEEKLY = "weekly", "每周"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField("名称", max_length=100)
    query = models.CharField(
        "检索条件",
        max_length=2000,
        blank=True,
        help_text="检索页地址中的参数（关键词和各项筛选），如 q=垃圾分类&district=越城区。",
    )
    frequency = models.CharField("频率", max_length=10, choices=Frequency.choices, default=Frequency.DAILY)
    email = models.BooleanField("发邮件", default=True, help_text="把新报道的摘要发到用户的邮箱。")
    paused_at = models.DateTimeField("暂停时间", null=True, blank=True)
    paused_reason = models.CharField("暂停原因", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_run_at = models.DateTimeField("上次运行", null=True, blank=True)
    sent_count = models.PositiveIntegerField("已发送报道", default=0)
    last_error = models.CharField("上次出错", max_length=500, blank=True, help_text="上次运行没能发出时的原因。")

    class Meta:
        verbose_name = "保存的检索"
        verbose_name_plural = "保存的检索"
        ordering = ["owner", "name", "pk"]
        indexes = [models.Index(fields=["paused_at", "frequency"], name="savedsearch_due")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("alerts:edit", args=[self.pk])

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    def query_dict(self) -> QueryDict:
        return QueryDict(self.query)

    def search_url(self) -> str:
        return reverse("search:search") + ("?" + self.query if self.query else "")

    PERIODS = {Frequency.DAILY: timedelta(days=1), Frequency.WEEKLY: timedelta(days=7)}

    def is_due(self, now) -> bool:
        """Whether a scheduled run should run it now: never when paused; after each ingest, always
        (a run with nothing new sends nothing); daily and weekly once their period has passed,
        give or take a few minutes so a schedule's drift does not skip a day."""
        if self.paused:
            return False
        period = self.PERIODS.get(self.frequency)
        if period is None or self.last_run_at is None:
            return True
        return now - self.last_run_at >= period - timedelta(minutes=10)


class Delivery(models.Model):
    """An article sent for a saved search (by whichever channels it has)."""

    saved_search = models.ForeignKey(
        SavedSearch, verbose_name="保存的检索", on_delete=models.CASCADE, related_name="deliveries"
    )
    article = models.ForeignKey(Article, verbose_name="报道", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField("发送时间", auto_now_add=True)

    class Meta:
        verbose_name = "已发送的报道"
        verbose_name_plural = "已发送的报道"
        constraints = [models.UniqueConstraint(fields=["saved_search", "article"], name="delivery_once")]

    def __str__(self) -> str:
        return f"{self.saved_search} · {self.article_id}"


class Webhook(models.Model):
    """A group robot (企业微信, 钉钉) or a JSON endpoint that also gets a saved search's digests."""

    class Kind(models.TextChoices):
        WECOM = "wecom", "企业微信群机器人"
        DINGTALK = "dingtalk", "钉钉自定义机器人"
        JSON = "json", "通用 JSON 接口"

    saved_search = models.ForeignKey(
        SavedSearch, verbose_name="保存的检索", on_delete=models.CASCADE, related_name="webhooks"
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    url = models.URLField("地址", max_length=1000, help_text="机器人的 Webhook 地址（http 或 https）。")
    secret = models.CharField(
        "加签密钥",
        max_length=200,
        blank=True,
        help_text="钉钉机器人安全设置选“加签”时的密钥（SEC 开头）；其他情况留空。",
    )
    created_at = models.DateTimeField("添加时间", auto_now_add=True)
    paused_at = models.DateTimeField("暂停时间", null=True, blank=True)
    paused_reason = models.CharField("暂停原因", max_length=500, blank=True)
    failures = models.PositiveIntegerField("连续失败次数", default=0)
    last_error = models.CharField("上次出错", max_length=500, blank=True)
    last_success_at = models.DateTimeField("上次成功", null=True, blank=True)

    class Meta:
        verbose_name = "群机器人"
        verbose_name_plural = "群机器人"
        ordering = ["saved_search", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.saved_search}"

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    @property
    def host(self) -> str:
        """The address's host, shown instead of the whole address (whose key is a secret)."""
        from urllib.parse import urlsplit

        return urlsplit(self.url).hostname or ""


class WebhookPost(models.Model):
    """One message of a digest for a webhook, kept until it is posted (tried again with backoff)."""

    webhook = models.ForeignKey(Webhook, verbose_name="群机器人", on_delete=models.CASCADE, related_name="posts")
    payload = models.JSONField("内容")
    part = models.PositiveSmallIntegerField("第几条", default=1)
    parts = models.PositiveSmallIntegerField("共几条", default=1)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", db_index=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    last_error = models.CharField("上次出错", max_length=500, blank=True)

    class Meta:
        verbose_name = "群机器人消息"
        verbose_name_plural = "群机器人消息"
        ordering = ["pk"]
        indexes = [models.Index(fields=["sent_at", "next_attempt_at"], name="webhookpost_pending")]

    def __str__(self) -> str:
        return f"{self.webhook} {self.part}/{self.parts}"
