"""Articles in the admin: find, correct, hide, merge, clean and geotag again. Actions call ``archive.curation``."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Prefetch
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from archive import curation, tasks
from archive.browse import place_label, with_containing_places
from archive.models import Article, ArticlePlace, Place
from search.service import matching_ids

from .filters import (
    DateKnownFilter,
    DateSafeChangeListMixin,
    DistrictFilter,
    DuplicateFilter,
    PlaceKnownFilter,
    StreetFilter,
    YearFilter,
)
from .forms import SavesOnlyChanges, stored_changes
from .tasks import task_link

# Articles the full-text index adds to an admin search (best first).
INDEX_SEARCH_LIMIT = 1000
# Geotagging more articles than this again (about 5 ms each) is left to the background worker.
AT_ONCE = 200


class ArticlePlaceInline(admin.TabularInline):
    model = ArticlePlace
    fields = ["place", "where", "mentions", "manual"]
    readonly_fields = ["where", "mentions", "manual"]
    autocomplete_fields = ["place"]
    extra = 0
    verbose_name = "地点"
    verbose_name_plural = "地点（人工加上或改动的地点，之后重新地理标注时保留；删掉的不会再被加回）"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("place").order_by("place__code")

    @admin.display(description="级别与所在")
    def where(self, link):
        if not link.pk:
            return "—"
        return place_label(link.place, {p.code: p.name for p in with_containing_places([link.place])})


class DuplicateInline(admin.TabularInline):
    """The articles recorded as copies of this one (the same report published elsewhere)."""

    model = Article
    fk_name = "duplicate_of"
    fields = ["title", "published", "source", "status"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    verbose_name = "这篇报道的重复"
    verbose_name_plural = "这篇报道的重复（要取消，在列表中选中它们，执行“不是重复”）"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source").defer("body", "raw")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(DateSafeChangeListMixin, SavesOnlyChanges, SimpleHistoryAdmin):
    list_display = ["title", "published", "source", "place_names", "status", "duplicate_link"]
    list_display_links = ["title"]
    list_filter = [
        "status",
        ("source", admin.RelatedOnlyFieldListFilter),
        DistrictFilter,
        StreetFilter,
        YearFilter,
        DateKnownFilter,
        PlaceKnownFilter,
        DuplicateFilter,
    ]
    list_per_page = 50
    search_fields = ["title"]  # see get_search_results: the full-text index too
    search_help_text = "标题包含这些字，或全文检索（中文分词）命中；也可输入文章编号。"
    date_hierarchy = "published"
    autocomplete_fields = ["source", "duplicate_of"]
    fieldsets = [
        (None, {"fields": ["title", "published", "published_time", "source", "status", "duplicate_of", "body"]}),
        ("出处", {"fields": ["original_url", "reprint_note", "title_only", "raw_link", "origin"]}),
        (
            "文件信息",
            {
                "fields": ["doc_number", "issuing_body", "written_date", "index_number", "subject_category"],
                "description": "政府文件的发文字号等；导入时从政府信息公开表格和落款中读出，没有时留空。",
            },
        ),
        (
            "记录信息",
            {
                "classes": ["collapse"],
                "fields": ["curated_fields", "content_hash", "raw_hash", "created_at", "updated_at"],
            },
        ),
    ]
    readonly_fields = [
        "title_only",
        "raw_link",
        "origin",
        "curated_fields",
        "content_hash",
        "raw_hash",
        "created_at",
        "updated_at",
    ]
    inlines = [ArticlePlaceInline, DuplicateInline]
    actions = [
        "publish",
        "hide",
        "merge",
        "not_a_duplicate",
        "reclean",
        "reclean_discarding_edits",
        "regeotag",
        "reindex",
    ]
    history_list_display = ["status", "duplicate_of"]
    formfield_overrides = {
        **SavesOnlyChanges.formfield_overrides,
        models.URLField: {"assume_scheme": "https"},  # a bare host is taken as https
    }
    object_history_template = "admin/archive/article/object_history.html"

    # --- the list ----------------------------------------------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("source")
        match = request.resolver_match
        if match and match.url_name and match.url_name.endswith("changelist"):
            places = Prefetch("places", queryset=Place.objects.only("name", "code", "level").order_by("code"))
            queryset = queryset.defer("body", "raw").prefetch_related(places)
        return queryset

    @admin.display(description="地点")
    def place_names(self, article):
        places = list(article.places.all())
        # The most specific places first: a street says more than its district.
        places.sort(key=lambda p: (-len(p.code), p.code))
        shown = "、".join(p.name for p in places[:3])
        return shown + (f" 等 {len(places)} 处" if len(places) > 3 else "") if places else "—"

    @admin.display(description="重复于", ordering="duplicate_of")
    def duplicate_link(self, article):
        if article.duplicate_of_id is None:
            return "—"
        url = reverse("admin:archive_article_change", args=[article.duplicate_of_id])
        return format_html('<a href="{}">#{}</a>', url, article.duplicate_of_id)

    def get_search_results(self, request, queryset, search_term):
        """Titles containing every term, or the full-text index's best matches (public articles), or an id.

        Django's own search needs words separated by spaces; Chinese has none, so the index's
        segmentation and substring matching find words inside sentences. Hidden articles and
        duplicates are not in the index: for them the title is searched.
        """
        term = search_term.strip()
        if not term:
            return queryset, False
        by_title, may_have_duplicates = super().get_search_results(request, queryset, term)
        found = by_title | queryset.filter(pk__in=matching_ids(term, INDEX_SEARCH_LIMIT))
        if term.lstrip("#").isdigit():
            found = found | queryset.filter(pk=int(term.lstrip("#")))
        return found, may_have_duplicates

    # --- the change form ---------------------------------------------------------------------

    @admin.display(description="原始记录")
    def raw_link(self, article):
        if not article.pk:
            return "—"
        return format_html(
            '<a href="{}">{}（{} 字符）</a>',
            reverse("archive:article-raw", args=[article.pk]),
            article.raw_format,
            f"{len(article.raw):,}",
        )

    @admin.display(description="导入自")
    def origin(self, article):
        if not article.pk:
            return "—"
        run = ""
        if article.ingest_run_id:
            url = reverse("admin:archive_ingestrun_change", args=[article.ingest_run_id])
            run = format_html('，<a href="{}">导入批次 {}</a>', url, article.ingest_run_id)
        return format_html("{} {}{}", article.source_file, article.source_position, run)

    def view_on_site(self, article):
        return article.get_absolute_url()

    def save_model(self, request, obj, form, change):
        if change:
            curation.note_curated(obj, stored_changes(form))
        super().save_model(request, obj, form, change)  # nothing is written if nothing changed

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and not stored_changes(form) and any(formset.has_changed() for formset in formsets):
            # Only the places changed: the article's row was not saved, but its page did change
            # (the feed's and sitemap's date, the related articles cached under it).
            Article.objects.filter(pk=form.instance.pk).update(updated_at=timezone.now())

    def save_formset(self, request, form, formset, change):
        if formset.model is not ArticlePlace:
            return super().save_formset(request, form, formset, change)
        article = form.instance
        links = formset.save(commit=False)
        for link in formset.deleted_objects:
            curation.place_taken_off(article, link.place)
        for place_form in formset.initial_forms:
            if "place" in place_form.changed_data and place_form.instance.pk:
                replaced = place_form.initial.get("place")
                if replaced:
                    curation.place_taken_off(article, Place.objects.get(pk=replaced))
        for link in links:
            link.article = article
            curation.place_set_by_hand(link)
        formset.save_m2m()

    def history_view(self, request, object_id, extra_context=None):
        """Field changes (django-simple-history) and, below, every admin action on the article (LogEntry)."""
        entries = (
            LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Article), object_id=str(object_id))
            .select_related("user")
            .order_by("-action_time")
        )
        extra_context = {**(extra_context or {}), "log_entries": entries}
        return super().history_view(request, object_id, extra_context)

    # --- actions -----------------------------------------------------------------------------

    def _report(self, request, done: str, outcome: curation.Outcome) -> None:
        level = messages.SUCCESS if outcome.changed or not outcome.problems else messages.WARNING
        text = f"{done}：{outcome.changed} 篇有变化"
        if outcome.unchanged:
            text += f"，{outcome.unchanged} 篇原本如此"
        self.message_user(request, text + "。", level)
        for line in outcome.lines[:20]:
            self.message_user(request, line, messages.INFO)
        for problem in outcome.problems:
            self.message_user(request, problem, messages.WARNING)

    @admin.action(description="发布所选报道", permissions=["change"])
    def publish(self, request, queryset):
        self._report(request, "已发布", curation.set_status(queryset, Article.Status.PUBLISHED, user=request.user))

    @admin.action(description="隐藏所选报道（从检索、列表、订阅和 API 中消失）", permissions=["change"])
    def hide(self, request, queryset):
        self._report(request, "已隐藏", curation.set_status(queryset, Article.Status.HIDDEN, user=request.user))

    @admin.action(description="把所选报道合并为一篇……", permissions=["change"])
    def merge(self, request, queryset):
        """Ask which article is the canonical one, then merge (a page like the delete confirmation)."""
        oldest_first = (F("published").asc(nulls_last=True), "pk")  # an undated article is not known to be earliest
        articles = list(queryset.select_related("source").defer("body", "raw").order_by(*oldest_first))
        if len(articles) < 2:
            self.message_user(request, "请至少选择两篇报道来合并。", messages.WARNING)
            return None
        chosen = request.POST.get("canonical")
        if request.POST.get("confirm") and chosen:
            canonical = next((a for a in articles if str(a.pk) == chosen), None)
            if canonical is None:
                self.message_user(request, "选定的主报道不在所选报道之中。", messages.ERROR)
                return None
            outcome = curation.merge(canonical, articles, user=request.user)
            self._report(request, f"已合并到 #{canonical.pk} {canonical.title}", outcome)
            return None
        # Suggest the earliest published article that is not already someone's duplicate.
        suggested = next((a for a in articles if a.duplicate_of_id is None), articles[0])
        context = {
            **self.admin_site.each_context(request),
            "title": "合并报道",
            "opts": self.model._meta,
            "articles": articles,
            "suggested": suggested.pk,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/archive/article/merge.html", context)

    @admin.action(description="不是重复：所选报道各自独立", permissions=["change"])
    def not_a_duplicate(self, request, queryset):
        self._report(request, "已标为不是重复", curation.not_a_duplicate(queryset, user=request.user))

    @admin.action(description="从原始记录重新清理并地理标注（保留人工修改）", permissions=["change"])
    def reclean(self, request, queryset):
        self._reclean(request, queryset, keep_curated=True, done="已重新清理")

    @admin.action(description="从原始记录重新清理（放弃人工修改）", permissions=["change"])
    def reclean_discarding_edits(self, request, queryset):
        self._reclean(request, queryset, keep_curated=False, done="已重新清理（放弃人工修改）")

    def _reclean(self, request, queryset, *, keep_curated: bool, done: str) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        if len(ids) > AT_ONCE:  # parsing each raw record again is slow: the worker does it
            result = tasks.reclean_articles.enqueue(ids, keep_curated, request.user.pk)
            text = format_html("{} 篇报道已交给{}重新清理。", len(ids), task_link(result.id))
            self.message_user(request, text, messages.SUCCESS)
            return
        self._report(request, done, curation.reclean(queryset, keep_curated=keep_curated, user=request.user))

    @admin.action(description="重新地理标注（保留人工设定的地点）", permissions=["change"])
    def regeotag(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        if len(ids) > AT_ONCE:
            result = tasks.regeotag_articles.enqueue(ids, request.user.pk)
            text = format_html("{} 篇报道已交给{}重新地理标注。", len(ids), task_link(result.id))
            self.message_user(request, text, messages.SUCCESS)
            return
        self._report(
            request,
            "已重新地理标注",
            curation.regeotag(queryset.select_related("source__home_place"), user=request.user),
        )

    @admin.action(description="把所选报道重新写入检索索引", permissions=["change"])
    def reindex(self, request, queryset):
        count = curation.reindex(queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} 篇报道已送入检索索引。", messages.SUCCESS)
