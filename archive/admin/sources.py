"""Sources in the admin: correct name, 微信号, description and home place; geotag again after a home change."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from archive import curation, tasks
from archive.models import Article, Source

from .forms import SavesOnlyChanges
from .tasks import task_link


@admin.register(Source)
class SourceAdmin(SavesOnlyChanges, SimpleHistoryAdmin):
    list_display = ["name", "account_id", "home_place", "article_count", "created_at"]
    search_fields = ["name", "account_id"]
    autocomplete_fields = ["home_place"]
    fields = [
        "name",
        "account_id",
        "description",
        "home_place",
        "home_place_inferred",
        "home_place_evidence",
        "articles_link",
    ]
    readonly_fields = ["home_place_inferred", "home_place_evidence", "articles_link"]

    def get_queryset(self, request):
        # A count per source shown, read off the (source, …) index; a GROUP BY would read every article.
        counted = Article.objects.filter(source=OuterRef("pk")).order_by().values("source").annotate(n=Count("*"))
        total = Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), 0)
        return super().get_queryset(request).select_related("home_place").annotate(article_total=total)

    @admin.display(description="报道数", ordering="article_total")
    def article_count(self, source):
        return source.article_total

    @admin.display(description="报道")
    def articles_link(self, source):
        if not source.pk:
            return "—"
        url = reverse("admin:archive_article_changelist") + f"?source__id__exact={source.pk}"
        return format_html('<a href="{}">{} 篇报道</a>', url, source.article_total)

    def has_add_permission(self, request):
        return False  # sources come with their articles from ingest

    def save_model(self, request, obj, form, change):
        if "home_place" in form.changed_data:
            obj.home_place_inferred = False  # a curator's choice: never replaced by a guess
            obj.home_place_evidence = ""
            request.home_place_changed = True  # per request: the admin object is shared by every request
        super().save_model(request, obj, form, change)

    def response_change(self, request, obj):
        """After the home place changed, offer to geotag the source's articles again (it decides ambiguous names)."""
        if getattr(request, "home_place_changed", False) and "_continue" not in request.POST:
            return HttpResponseRedirect(reverse("admin:archive_source_regeotag", args=[obj.pk]))
        return super().response_change(request, obj)

    def get_urls(self):
        urls = [
            path(
                "<int:pk>/regeotag/",
                self.admin_site.admin_view(self.regeotag_view),
                name="archive_source_regeotag",
            )
        ]
        return urls + super().get_urls()

    def regeotag_view(self, request, pk: int):
        source = get_object_or_404(Source.objects.select_related("home_place"), pk=pk)
        if not self.has_change_permission(request, source):
            raise PermissionDenied
        articles = curation.source_articles(source)
        if request.method == "POST":
            result, done = tasks.run_or_queue(tasks.regeotag_source, source.pk, request.user.pk)
            if done:
                outcome = result.return_value
                text = (
                    f"已重新地理标注 {source.name} 的 {outcome['changed'] + outcome['unchanged']} 篇报道："
                    f"{outcome['changed']} 篇地点有变化，{outcome['unchanged']} 篇不变。人工设定的地点已保留。"
                )
            else:
                text = format_html(
                    "{} 的 {} 篇报道已交给{}重新地理标注（每篇约 5 毫秒）。人工设定的地点会保留。",
                    source.name,
                    articles.count(),
                    task_link(result.id),
                )
            self.message_user(request, text, messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:archive_source_change", args=[source.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"重新地理标注 {source.name} 的报道？",
            "opts": self.model._meta,
            "source": source,
            "count": articles.count(),
        }
        return TemplateResponse(request, "admin/archive/source/regeotag.html", context)
