"""The archive's data: places from the gazetteer, source accounts, articles and the ingest log."""

import datetime
import os
import socket

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords


class Place(models.Model):
    """An administrative division from the national gazetteer (国家统计局 统计用区划代码)."""

    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "地级"
        DISTRICT = "district", "县级"
        STREET = "street", "乡级（街道/镇/乡）"
        COMMUNITY = "community", "村级（社区/村）"

    name = models.CharField(max_length=100, db_index=True, help_text="Official name, e.g. 府山街道.")
    code = models.CharField(
        max_length=12, unique=True, help_text="Statistical code, truncated per level (2/4/6/9/12 digits)."
    )
    level = models.CharField(max_length=10, choices=Level.choices, db_index=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")

    class Meta:
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

    name = models.CharField(max_length=200, db_index=True, help_text="Account name, e.g. 越城组工.")
    account_id = models.CharField(
        max_length=100, blank=True, db_index=True, help_text="微信号, e.g. yuechengZG; empty when unknown."
    )
    description = models.TextField(blank=True, help_text="The account's 功能介绍.")
    home_place = models.ForeignKey(
        Place,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="home_of_sources",
        help_text="Where the account belongs; inferred from the name and used to disambiguate place names.",
    )
    home_place_inferred = models.BooleanField(
        default=False, help_text="True while home_place is the automatic guess; a curator's choice is kept."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
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


class Article(models.Model):
    """A clean article, with the raw record it was made from."""

    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        HIDDEN = "hidden", "Hidden"

    title = models.CharField(max_length=500)
    body = models.TextField(blank=True, help_text="Clean text; paragraphs separated by a blank line.")
    published = models.DateField(null=True, blank=True, db_index=True, help_text="Publish date; empty when unknown.")
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles")
    original_url = models.URLField(max_length=2000, blank=True)
    reprint_note = models.CharField(
        max_length=300, blank=True, help_text="Where the body says it was first printed, e.g. 《共产党员》2018年第8期."
    )
    title_only = models.BooleanField(default=False, help_text="The record had a title but no body (a feed item).")
    places = models.ManyToManyField(Place, through="ArticlePlace", related_name="articles", blank=True)
    raw = models.TextField(help_text="The record exactly as ingested.")
    raw_format = models.CharField(max_length=20, help_text="dump, jsonl, wechat_html or html.")
    raw_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the raw record.")
    content_hash = models.CharField(max_length=64, db_index=True, help_text="SHA-256 of the normalised title and body.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED, db_index=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    ingest_run = models.ForeignKey("IngestRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source_file = models.CharField(max_length=1000, blank=True, help_text="File the record came from.")
    source_position = models.CharField(max_length=50, blank=True, help_text="Where in the file, e.g. line 3.")
    curated_fields = models.JSONField(
        default=list,
        blank=True,
        help_text="Fields a curator corrected by hand; cleaning the raw record again keeps them.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()
    # Field-level history of curators' edits (who, when, what); ingest's bulk writes make none.
    # The raw record never changes after ingest, so history rows leave it (and its hashes) out.
    history = HistoricalRecords(
        excluded_fields=["raw", "raw_hash", "raw_format", "ingest_run", "source_file", "source_position", "created_at"],
    )

    class Meta:
        ordering = ["-published", "-id"]
        permissions = [("view_raw_record", "Can view the raw record an article was made from")]
        indexes = [
            # public() newest first, counted and grouped by month from the index alone (the home page).
            models.Index(fields=["status", "duplicate_of", "published"], name="article_public_published"),
            # A source's public articles newest first, counted and grouped by month from the index alone:
            # SQLite otherwise reads every row (past the long body) to test the source.
            models.Index(fields=["source", "status", "duplicate_of", "published"], name="article_source_public"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("archive:article", args=[self.pk])

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

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="place_links")
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="article_links")
    mentions = models.PositiveIntegerField(default=1)
    manual = models.BooleanField(default=False, help_text="Set by a curator; kept when geotagging runs again.")

    objects = ArticlePlaceQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "place"], name="unique_article_place")]
        indexes = [
            # The articles of the places in a code range, from the index alone (place pages and counts).
            models.Index(fields=["place", "article"], name="articleplace_place_article"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.place.name} ×{self.mentions}"


class RemovedPlace(models.Model):
    """A place a curator took off an article: geotagging the article again does not put it back."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="removed_places")
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
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
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        INTERRUPTED = "interrupted", "Interrupted (the process died; rerun the same command to complete it)"

    class Origin(models.TextChoices):
        COMMAND = "command", "manage.py ingest"
        UPLOAD = "upload", "Upload in the admin"
        RETRY = "retry", "Retry of rejected records"

    started_at = models.DateTimeField(auto_now_add=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.COMMAND)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The curator who uploaded or retried; empty for the command line.",
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    paths = models.JSONField(default=list)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    host = models.CharField(max_length=255, blank=True, help_text="Machine the run's process ran on.")
    pid = models.PositiveIntegerField(null=True, blank=True, help_text="The run's process id, to tell a dead run.")
    records = models.PositiveIntegerField(default=0)
    stored = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
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

    run = models.ForeignKey(IngestRun, on_delete=models.CASCADE, related_name="rejections")
    path = models.CharField(max_length=1000)
    position = models.CharField(max_length=50, help_text="Where in the file, e.g. line 3 or byte 0.")
    reason = models.CharField(max_length=40, db_index=True, help_text="A short code, e.g. invalid_json.")
    message = models.TextField()
    raw = models.TextField(blank=True, help_text="The record's text (the start of it when it is very large).")
    raw_size = models.PositiveBigIntegerField(default=0, help_text="Size of the record in bytes.")
    created_at = models.DateTimeField(auto_now_add=True)
    retried_in = models.ForeignKey(
        IngestRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="retried_rejections",
        help_text="The latest run that tried this record again.",
    )
    article = models.ForeignKey(
        "Article",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The article this record became when retried.",
    )

    class Meta:
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
                f"only the first {self.kept_bytes():,} of its {self.raw_size:,} bytes were kept (the record is "
                "cut off), so retrying it cannot work; correct the original file and upload it (or ingest it) again"
            )
        if not self.raw.strip():
            return "there is no record text to retry; correct the original file and upload it again"
        return ""
