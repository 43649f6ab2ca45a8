from django.contrib import admin

from archive.models import Article, ArticlePlace


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
