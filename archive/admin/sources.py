from django.contrib import admin

from archive.models import Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "account_id", "home_place", "created_at"]
    search_fields = ["name", "account_id"]
    raw_id_fields = ["home_place"]
