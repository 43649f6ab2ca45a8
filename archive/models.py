"""The archive's data: places from the gazetteer, source accounts, articles and the ingest log."""

import datetime
import os
import socket

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .ingest.dates import CHINA_TZ
from .weblinks import WebURLField, is_web_url


class Place(models.Model):
    """An administrative division from the national gazetteer (国家统计局 统计用区划代码)."""

    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "地级"
        DISTRICT = "district", "县级"
        STREET = "street", "乡级（街道/镇/乡）"
        COMMUNITY = "community", "村级（社区/村）"

    name = models.CharField("名称", max_length=100, db_index=True, help_text="正式名称，如 府山街道。")
    code = models.CharField(
        "区划代码", max_length=12, unique=True, help_text="统计用区划代码，按级别截取（2/4/6/9/12 位）。"
    )
    level = models.CharField("级别", max_length=10, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )

    class Meta:
        verbose_name = "地点"
        verbose_name_plural = "地点"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("archive:place", args=[self.code])

    def containing_codes(self) -> dict[str, str]:
        """{level: code} of this place and every place containing it, read off the code's prefixes."""
        return {level: self.code[:size] for level, size in CODE_LENGTHS.items() if len(self.code) >= size}

    def ancestors(self) -> list["Place"]:
        """Return the chain from the province down to this place's parent."""
        chain = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


# Length of a place's statistical code at each level, from the province down.
CODE_LENGTHS = {
    Place.Level.PROVINCE: 2,
    Place.Level.CITY: 4,
    Place.Level.DISTRICT: 6,
    Place.Level.STREET: 9,
    Place.Level.COMMUNITY: 12,
}


class Source(models.Model):
    """A publishing account, usually a WeChat public account."""

    name = models.CharField("名称", max_length=200, db_index=True, help_text="账号名称，如 越城组工。")
    account_id = models.CharField(
        "微信号", max_length=100, blank=True, db_index=True, help_text="如 yuechengZG；不知道时留空。"
    )
    description = models.TextField("功能介绍", blank=True, help_text="账号的功能介绍。")
    home_place = models.ForeignKey(
        Place,
        verbose_name="所在地",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="home_of_sources",
        help_text="账号所属的地方：由名称推断，地理标注时用它区分同名地点。",
    )
    home_place_inferred = models.BooleanField(
        "所在地为自动推断", default=False, help_text="所在地仍是自动推断时为真；整理人员选定的所在地不会被推断覆盖。"
    )
    home_place_evidence = models.CharField(
        "推断依据",
        max_length=200,
        blank=True,
        help_text="推断所在地的依据，如 账号名称“越城组工”、12 篇报道中有 9 篇提到越城区；整理人员选定时为空。",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        verbose_name = "来源"
        verbose_name_plural = "来源"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.account_id})" if self.account_id else self.name

    def get_absolute_url(self) -> str:
        return reverse("archive:source", args=[self.pk])


class ArticleQuerySet(models.QuerySet):
    def public(self):
        """Articles a reader may see: published and not a duplicate of another."""
        return self.filter(status=Article.Status.PUBLISHED, duplicate_of__isnull=True)

    def visible_to(self, user):
        """Articles ``user`` may open: staff see hidden ones too; duplicates stay reachable by link."""
        return self if user.is_staff else self.filter(status=Article.Status.PUBLISHED)

    def not_public(self):
        """The articles ``public()`` leaves out, asked so that SQLite answers from indexes (no ``NOT``)."""
        withheld = [status for status in Article.Status.values if status != Article.Status.PUBLISHED]
        return self.filter(Q(status__in=withheld) | Q(duplicate_of__isnull=False))

    def in_place(self, place: Place, *, walk: bool = False):
        """Articles tagged with the place or any place below it.

        By default the place's articles are collected first, from the tags of the places in its
        code range (read off indexes), and a list is then read off the public-articles index.
        With ``walk=True`` each article's tags are tested in turn instead, as a list newest first
        walks that index: for a place with a large share of all articles, a page then costs a few
        dozen tests instead of collecting tens of thousands of ids (a small place would have every
        article tested). ``startswith`` is a LIKE, which SQLite cannot look up in the code index,
        so the test reads the article's few tags rather than probing every place below a district.
        """
        if walk:
            tags = ArticlePlace.objects.filter(article=OuterRef("pk"), place__code__startswith=place.code)
            return self.filter(Exists(tags))
        return self.filter(pk__in=ArticlePlace.objects.below(place).values("article_id"))

    def dates(self, field_name, kind, order="ASC"):
        """Django's ``dates()``; the years of ``published`` probed a year at a time on its index.

        The admin's date hierarchy asks for the distinct years of the listed articles. SQLite
        answers that by computing every article's year (a second at 100,000 articles); asking, for
        each year from the first to the last, whether one article falls in it reads a few index
        entries per year.
        """
        if field_name != "published" or kind != "year":
            return super().dates(field_name, kind, order)
        dated = self.filter(published__isnull=False).order_by().values_list("published", flat=True)
        first = dated.order_by("published").first()  # walks the date index to the first match
        if first is None:
            return []
        last = dated.order_by("-published").first()
        years = [
            datetime.date(year, 1, 1)
            for year in range(first.year, last.year + 1)
            if self.filter(
                published__gte=datetime.date(year, 1, 1), published__lt=datetime.date(year + 1, 1, 1)
            ).exists()
        ]
        return years if order == "ASC" else years[::-1]

    def for_listing(self):
        """Without the long fields (body, raw record) a list never shows; the sources in a second query.

        Not joined: a join needs each article's source id from its row, so a deep page would read
        the rows of every article it skips, not only from the index.
        """
        return self.prefetch_related("source").defer("body", "raw")


# Articles newest first, undated last, on every database: PostgreSQL puts NULLs first in a descending
# order, SQLite last (and SQLite reads "DESC NULLS LAST" off the same indexes as plain "DESC").
NEWEST_FIRST = [models.F("published").desc(nulls_last=True), models.F("id").desc()]


class Article(models.Model):
    """A clean article, with the raw record it was made from."""

    class Status(models.TextChoices):
        PUBLISHED = "published", "已发布"
        HIDDEN = "hidden", "已隐藏"

    title = models.CharField("标题", max_length=500)
    body = models.TextField("正文", blank=True, help_text="清理后的正文；段落之间空一行。")
    published = models.DateField("发布日期", null=True, blank=True, db_index=True, help_text="发布日期；不知道时留空。")
    published_time = models.TimeField(
        "发布时间",
        null=True,
        blank=True,
        help_text="发布当天的时刻（北京时间），如 00:07:38；原始记录没有写明时留空。",
    )
    source = models.ForeignKey(
        Source, verbose_name="来源", null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    original_url = WebURLField(
        "原文链接",
        max_length=2000,
        blank=True,
        help_text="原文的网页地址（http:// 或 https://）；其他地址只留在原始记录里。",
    )
    reprint_note = models.CharField(
        "原载", max_length=300, blank=True, help_text="正文所说的首发处，如 《共产党员》2018年第8期。"
    )
    title_only = models.BooleanField("只有标题", default=False, help_text="记录只有标题、没有正文（如订阅条目）。")
    # Government-document metadata (政府信息公开 pages, official notices); NULL when the record does not
    # give it. Nullable without a default so that adding them to a large SQLite table is an ALTER TABLE.
    doc_number = models.CharField(
        "发文字号",
        max_length=100,
        null=True,
        blank=True,
        db_index=True,
        help_text="文件的发文字号，按原文写法，如 越政发〔2020〕3号。",
    )
    issuing_body = models.CharField(
        "发文机关",
        max_length=200,
        null=True,
        blank=True,
        db_index=True,
        help_text="发文的机关，如 绍兴市越城区人民政府；联合发文用顿号隔开。",
    )
    written_date = models.DateField("成文日期", null=True, blank=True, help_text="文件落款的成文日期；不知道时留空。")
    index_number = models.CharField(
        "索引号",
        max_length=100,
        null=True,
        blank=True,
        help_text="政府信息公开目录的索引号，如 11330602002562436B/2020-123456。",
    )
    subject_category = models.CharField(
        "主题分类", max_length=200, null=True, blank=True, help_text="政府信息公开的主题分类，如 综合政务/通知。"
    )
    places = models.ManyToManyField(
        Place, verbose_name="地点", through="ArticlePlace", related_name="articles", blank=True
    )
    raw = models.TextField("原始记录", help_text="导入时的原始记录，原样保存。")
    raw_format = models.CharField("原始记录格式", max_length=20, help_text="dump、jsonl、wechat_html 或 html。")
    raw_hash = models.CharField("原始记录哈希", max_length=64, unique=True, help_text="原始记录的 SHA-256。")
    content_hash = models.CharField(
        "内容哈希", max_length=64, db_index=True, help_text="规范化后标题和正文的 SHA-256。"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PUBLISHED, db_index=True)
    duplicate_of = models.ForeignKey(
        "self", verbose_name="重复于", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    ingest_run = models.ForeignKey(
        "IngestRun", verbose_name="导入批次", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_file = models.CharField("来源文件", max_length=1000, blank=True, help_text="记录所在的文件。")
    source_position = models.CharField(
        "文件中的位置", max_length=50, blank=True, help_text="在文件中的位置，如 line 3。"
    )
    # Nullable without a default so that adding it to a large SQLite table is an ALTER TABLE, not a rebuild.
    curated_fields = models.JSONField(
        "人工修改过的字段",
        null=True,
        blank=True,
        help_text="整理人员手工改过的字段；从原始记录重新清理时保留。",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # What saved-search alerts ask the search index for ("public since"): set by save() and by
    # ingest's bulk writes. Nullable without a default so that adding it is an ALTER TABLE.
    made_public_at = models.DateTimeField(
        "公开时间", null=True, blank=True, db_index=True, help_text="报道最近一次变为公开（已发布且不是重复稿）的时间。"
    )

    objects = ArticleQuerySet.as_manager()
    # Field-level history of curators' edits (who, when, what); ingest's bulk writes make none.
    # The raw record never changes after ingest, so history rows leave it (and its hashes) out.
    history = HistoricalRecords(
        excluded_fields=["raw", "raw_hash", "raw_format", "ingest_run", "source_file", "source_position", "created_at"],
    )

    class Meta:
        verbose_name = "报道"
        verbose_name_plural = "报道"
        ordering = NEWEST_FIRST
        permissions = [("view_raw_record", "可以查看报道的原始记录")]
        indexes = [
            # public() newest first, counted and grouped by month from the index alone (the home page).
            models.Index(fields=["status", "duplicate_of", "published"], name="article_public_published"),
            # A source's public articles newest first, counted and grouped by month from the index alone:
            # SQLite otherwise reads every row (past the long body) to test the source.
            models.Index(fields=["source", "status", "duplicate_of", "published"], name="article_source_public"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        """Save, stamping ``made_public_at`` when this makes the article public: alerts send what became so."""
        update_fields = kwargs.get("update_fields")
        if self._becomes_public(update_fields):
            self.made_public_at = timezone.now()
            if update_fields is not None:
                kwargs["update_fields"] = [*update_fields, "made_public_at"]
        super().save(*args, **kwargs)
        self._public_when_loaded = self._public_in_memory()

    def get_absolute_url(self) -> str:
        return reverse("archive:article", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values):
        """Remember whether the row was public as loaded, so that save() sees it become public."""
        instance = super().from_db(db, field_names, values)
        instance._public_when_loaded = instance._public_in_memory()
        return instance

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        """Reload, and remember the reloaded row's public state as from_db() does."""
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        if fields is None:
            self._public_when_loaded = self._public_in_memory()
        elif {"status", "duplicate_of", "duplicate_of_id"} & set(fields):
            self._public_when_loaded = None  # one of the two may still hold an unsaved change: ask at save()

    def _public_in_memory(self) -> bool | None:
        """Whether the loaded values make the article public; None when status or the link was not loaded."""
        loaded = self.__dict__
        if "status" not in loaded or "duplicate_of_id" not in loaded:
            return None
        return loaded["status"] == self.Status.PUBLISHED and loaded["duplicate_of_id"] is None

    def _becomes_public(self, update_fields) -> bool:
        """Whether this save turns an article that was not public into a public one."""
        if update_fields is not None and not {"status", "duplicate_of", "duplicate_of_id"} & set(update_fields):
            return False  # neither is written: the stored article stays as public as it was
        if not (self.status == self.Status.PUBLISHED and self.duplicate_of_id is None):
            return False
        if self._state.adding:
            return self.made_public_at is None  # a caller's own value (a copy, a test) is kept
        was = getattr(self, "_public_when_loaded", None)
        if was is None:  # loaded without status or the link (only(), defer()): the stored row tells
            was = type(self).objects.public().filter(pk=self.pk).exists()
        return not was

    @property
    def original_link(self) -> str:
        """The original URL when it is a web page's address (http, https), else "": the only kind linked.

        Ingest and the admin store no other kind; a row written before they checked may hold one.
        """
        return self.original_url if is_web_url(self.original_url) else ""

    @property
    def published_at(self) -> datetime.datetime | None:
        """The publication moment in China time (+08:00) when the record gave the time of day, else None."""
        if self.published is None or self.published_time is None:
            return None
        return datetime.datetime.combine(self.published, self.published_time, tzinfo=CHINA_TZ)

    def paragraphs(self) -> list[str]:
        return [p for p in self.body.split("\n\n") if p.strip()]


class ContentVersion(models.Model):
    """A number that changes whenever articles or their places change (``archive.versions``).

    Figures computed from all articles are cached under it, in every process: an edit or an
    ingest batch bumps it in the database, and the next request computes them again.
    """

    key = models.CharField(max_length=50, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key} v{self.value}"


class ArticlePlaceQuerySet(models.QuerySet):
    def below(self, place: Place, *, strictly: bool = False):
        """Tags of the place (unless ``strictly``) and of every place inside it.

        Matched as a range of codes, which SQLite reads off the code index: codes are digits, so
        those starting with a place's code run from it up to that code followed by ":" (after "9").
        """
        lowest = "place__code__gt" if strictly else "place__code__gte"
        return self.filter(**{lowest: place.code, "place__code__lt": place.code + ":"})

    def of_public_articles(self):
        """Tags of public articles, told apart by the articles' indexes without reading the articles."""
        return self.exclude(article__in=Article.objects.not_public())


class ArticlePlace(models.Model):
    """A place an article mentions, with how often."""

    article = models.ForeignKey(Article, verbose_name="报道", on_delete=models.CASCADE, related_name="place_links")
    place = models.ForeignKey(Place, verbose_name="地点", on_delete=models.CASCADE, related_name="article_links")
    mentions = models.PositiveIntegerField("提及次数", default=1)
    manual = models.BooleanField("人工设定", default=False, help_text="由整理人员设定；重新地理标注时保留。")

    objects = ArticlePlaceQuerySet.as_manager()

    class Meta:
        verbose_name = "报道地点"
        verbose_name_plural = "报道地点"
        constraints = [models.UniqueConstraint(fields=["article", "place"], name="unique_article_place")]
        indexes = [
            # The articles of the places in a code range, from the index alone (place pages and counts).
            models.Index(fields=["place", "article"], name="articleplace_place_article"),
        ]

    def __str__(self) -> str:
        return f"{self.place.name}（{self.place.code}）"  # as the admin's history names a place added or removed


class RemovedPlace(models.Model):
    """A place a curator took off an article: geotagging the article again does not put it back."""

    article = models.ForeignKey(Article, verbose_name="报道", on_delete=models.CASCADE, related_name="removed_places")
    place = models.ForeignKey(Place, verbose_name="地点", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField("移除时间", auto_now_add=True)

    class Meta:
        verbose_name = "被移除的地点"
        verbose_name_plural = "被移除的地点"
        constraints = [models.UniqueConstraint(fields=["article", "place"], name="unique_removed_place")]

    def __str__(self) -> str:
        return f"{self.article_id} ✗ {self.place.name}"


class ArticleAnchor(models.Model):
    """A hash of one of an article's longest clauses: articles sharing one may be near-duplicates."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="anchors")
    value = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return f"{self.article_id}: {self.value:016x}"


class IngestRun(models.Model):
    """One run of the ingest pipeline, with its counts."""

    class Status(models.TextChoices):
        RUNNING = "running", "进行中"
        COMPLETED = "completed", "已完成"
        FAILED = "failed", "失败"
        INTERRUPTED = "interrupted", "中断（进程已退出；再次运行同一命令即可补完）"

    class Origin(models.TextChoices):
        COMMAND = "command", "manage.py ingest"
        UPLOAD = "upload", "后台上传"
        RETRY = "retry", "重试被拒记录"

    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    origin = models.CharField("发起方式", max_length=10, choices=Origin.choices, default=Origin.COMMAND)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="上传或重试的整理人员；命令行导入时为空。",
    )
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    paths = models.JSONField("路径", default=list)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.RUNNING)
    host = models.CharField("主机", max_length=255, blank=True, help_text="运行导入进程的机器。")
    pid = models.PositiveIntegerField(
        "进程号", null=True, blank=True, help_text="导入进程的进程号，用来判断进程是否已退出。"
    )
    records = models.PositiveIntegerField("记录", default=0)
    stored = models.PositiveIntegerField("已存储", default=0)
    duplicates = models.PositiveIntegerField("重复", default=0)
    unchanged = models.PositiveIntegerField("未变", default=0)
    rejected = models.PositiveIntegerField("被拒", default=0)
    summary = models.JSONField("摘要", default=dict, blank=True)

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Ingest run {self.pk} ({self.status})"

    @classmethod
    def mark_interrupted(cls) -> int:
        """Mark runs still "running" whose process on this machine is gone; return how many."""
        host = socket.gethostname()
        dead = [
            run.pk
            for run in cls.objects.filter(status=cls.Status.RUNNING, host=host).only("pk", "pid")
            if run.pid is None or not _process_alive(run.pid)
        ]
        return cls.objects.filter(pk__in=dead).update(status=cls.Status.INTERRUPTED)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class IngestRejection(models.Model):
    """A record the pipeline refused, with where it was and why, kept for inspection."""

    run = models.ForeignKey(IngestRun, verbose_name="导入批次", on_delete=models.CASCADE, related_name="rejections")
    path = models.CharField("文件", max_length=1000)
    position = models.CharField("位置", max_length=50, help_text="在文件中的位置，如 line 3 或 byte 0。")
    reason = models.CharField("原因", max_length=40, db_index=True, help_text="简短代码，如 invalid_json。")
    message = models.TextField("说明")
    raw = models.TextField("记录原文", blank=True, help_text="记录的文本（很大时只保存开头）。")
    raw_size = models.PositiveBigIntegerField("大小（字节）", default=0, help_text="记录的大小（字节）。")
    created_at = models.DateTimeField("时间", auto_now_add=True)
    retried_in = models.ForeignKey(
        IngestRun,
        verbose_name="重试批次",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="retried_rejections",
        help_text="最近一次重试这条记录的导入批次。",
    )
    article = models.ForeignKey(
        "Article",
        verbose_name="生成的报道",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="重试后这条记录生成的报道。",
    )

    class Meta:
        verbose_name = "被拒记录"
        verbose_name_plural = "被拒记录"
        ordering = ["run", "id"]

    def __str__(self) -> str:
        return f"{self.path} {self.position}: {self.reason}"

    def kept_bytes(self) -> int:
        return len(self.raw.encode("utf-8", "surrogatepass"))

    def raw_is_truncated(self) -> bool:
        """True when only the start of the record was kept: its size is more than the stored text's."""
        return self.raw_size > self.kept_bytes()

    def retry_problem(self) -> str:
        """Return why this record cannot be ingested again, or "" when it can."""
        if self.raw_is_truncated():
            return (
                f"这条记录有 {self.raw_size:,} 字节，只保存了开头的 {self.kept_bytes():,} 字节（记录不完整），"
                "重试不会成功；请改正原文件后重新上传（或用命令导入）"
            )
        if not self.raw.strip():
            return "没有可以重试的记录原文；请改正原文件后重新上传"
        return ""


class TemplateLine(models.Model):
    """A short line seen verbatim in the bodies of many articles from many accounts: page template, not prose.

    Fed by ingest (``archive.ingest.template_lines``); each distinct article counts once, so
    re-ingesting a file, or one article reposted, does not make a line template.
    """

    line_hash = models.CharField(
        "比较用哈希", max_length=64, unique=True, help_text="该行规范化（match_key）后的 SHA-256。"
    )
    text = models.CharField("行文字", max_length=200, help_text="第一次见到时的写法。")
    records = models.PositiveIntegerField("报道数", default=0, help_text="正文含这一行的不同报道（按标题计）。")
    accounts = models.PositiveIntegerField("账号数", default=0, help_text="这些报道来自的不同账号。")

    class Meta:
        verbose_name = "模板行"
        verbose_name_plural = "模板行"

    def __str__(self):
        return f"{self.text}（{self.records} 篇，{self.accounts} 个账号）"


class TemplateLineSighting(models.Model):
    """One article (by its title) whose body had a template-line candidate; what ``TemplateLine`` counts."""

    line_hash = models.CharField(max_length=64, db_index=True)
    article_key = models.CharField(max_length=64)  # SHA-256 of the normalised title (the raw hash without one)
    account = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["line_hash", "article_key"], name="template_sighting_once")]

    def __str__(self):
        return f"{self.line_hash[:12]} in {self.article_key[:12]} ({self.account})"
