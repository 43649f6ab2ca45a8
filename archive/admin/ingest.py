from django.contrib import admin

from archive.models import IngestRejection, IngestRun


class IngestRejectionInline(admin.TabularInline):
    model = IngestRejection
    fk_name = "run"
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
