from django.contrib import admin

from .models import Article, ArticlePlace, IngestRejection, IngestRun, Place, Source


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "=code"]
    raw_id_fields = ["parent"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "account_id", "home_place", "created_at"]
    search_fields = ["name", "account_id"]
    raw_id_fields = ["home_place"]


class ArticlePlaceInline(admin.TabularInline):
    model = ArticlePlace
    raw_id_fields = ["place"]
    extra = 0


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "published", "source", "status", "duplicate_of"]
    list_filter = ["status", "title_only", "raw_format"]
    search_fields = ["title", "body"]
    date_hierarchy = "published"
    raw_id_fields = ["source", "duplicate_of", "ingest_run"]
    readonly_fields = ["raw", "raw_format", "raw_hash", "content_hash", "created_at", "updated_at"]
    inlines = [ArticlePlaceInline]


class IngestRejectionInline(admin.TabularInline):
    model = IngestRejection
    fields = ["path", "position", "reason", "message", "raw_size"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(IngestRun)
class IngestRunAdmin(admin.ModelAdmin):
    list_display = ["pk", "started_at", "status", "records", "stored", "duplicates", "unchanged", "rejected"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in IngestRun._meta.fields]
    inlines = [IngestRejectionInline]


@admin.register(IngestRejection)
class IngestRejectionAdmin(admin.ModelAdmin):
    list_display = ["path", "position", "reason", "run", "created_at"]
    list_filter = ["reason"]
    search_fields = ["path", "message"]
    readonly_fields = [f.name for f in IngestRejection._meta.fields]
