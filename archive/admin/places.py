from django.contrib import admin

from archive.models import Place


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "=code"]
    raw_id_fields = ["parent"]
