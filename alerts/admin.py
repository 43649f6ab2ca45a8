"""Saved searches in the admin, for the site's administrators (curators manage their own in /alerts/)."""

from django.contrib import admin

from alerts.models import Delivery, SavedSearch


class SuperuserOnly:
    """Other users' saved searches are theirs: only superusers see them here."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False


@admin.register(SavedSearch)
class SavedSearchAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ["name", "owner", "frequency", "paused_at", "last_run_at", "sent_count", "last_error"]
    list_filter = ["frequency", ("paused_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "query", "owner__username", "owner__email"]
    readonly_fields = ["created_at", "last_run_at", "sent_count"]
    raw_id_fields = ["owner"]


@admin.register(Delivery)
class DeliveryAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ["saved_search", "article", "sent_at"]
    raw_id_fields = ["saved_search", "article"]
    date_hierarchy = "sent_at"

    def has_change_permission(self, request, obj=None):
        return False
