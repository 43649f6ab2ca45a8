"""The gazetteer in the admin: read-mostly (it is loaded from the national codes), searchable by name and code."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Length
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from archive import browse
from archive.models import ArticlePlace, Place


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "chain", "tagged"]
    list_filter = ["level"]
    search_fields = ["name", "=code", "parent__name"]
    search_help_text = "名称（可加上级名称，如“柯城区 府山”）或统计用区划代码（前缀亦可）。"
    fields = ["name", "code", "level", "chain", "tagged", "article_totals"]
    readonly_fields = ["code", "level", "chain", "tagged", "article_totals"]
    list_per_page = 50
    list_select_related = ["parent__parent__parent__parent"]  # the chain without a query per row

    def get_queryset(self, request):
        # A subquery per row shown, not a GROUP BY over every place (the list's count stays cheap).
        tags = ArticlePlace.objects.filter(place=OuterRef("pk")).values("place").annotate(n=Count("*")).values("n")
        return super().get_queryset(request).annotate(tag_count=Subquery(tags, output_field=IntegerField()))

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser may correct a name; codes, levels and the tree come from the gazetteer.
        return self.readonly_fields if request.user.is_superuser else ["name", *self.readonly_fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        """Name or parent's name contains each term, or the code starts with it; exact names and higher levels first."""
        term = search_term.strip()
        results, duplicates = super().get_search_results(request, queryset, term)
        if term.isdigit():
            results = results | queryset.filter(code__startswith=term)
        ranked = results.annotate(
            exact=Case(When(name=term, then=Value(0)), default=Value(1), output_field=IntegerField()),
            depth=Length("code"),
        ).order_by("exact", "depth", "code")
        return ranked, duplicates

    @admin.display(description="所属")
    def chain(self, place):
        ancestors = place.ancestors()
        if not ancestors:
            return "—"
        links = ((reverse("admin:archive_place_change", args=[p.pk]), p.name) for p in ancestors)
        return format_html_join(" › ", '<a href="{}">{}</a>', links)

    @admin.display(description="直接标注的报道", ordering="tag_count")
    def tagged(self, place):
        return place.tag_count or 0

    @admin.display(description="此地及下级的公开报道")
    def article_totals(self, place):
        public = format_html(
            '<a href="{}">{} 篇（公开的地点页）</a>',
            place.get_absolute_url(),
            browse.cached_place_figures(place)["count"],
        )
        if place.level not in (Place.Level.DISTRICT, Place.Level.STREET):
            return public
        url = reverse("admin:archive_article_changelist") + f"?{place.level}={place.code}"
        return format_html('{} · <a href="{}">后台中的全部报道</a>', public, url)
