"""Saved searches in the admin, for the site's administrators (curators manage their own in /alerts/)."""

from django.contrib import admin

from alerts.models import Delivery, SavedSearch, Webhook, WebhookPost


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


@admin.register(Webhook)
class WebhookAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ["saved_search", "kind", "host", "failures", "last_error", "paused_at", "last_success_at"]
    list_filter = ["kind", ("paused_at", admin.EmptyFieldListFilter)]
    search_fields = ["saved_search__name", "url", "saved_search__owner__username"]
    raw_id_fields = ["saved_search"]
    readonly_fields = ["created_at", "failures", "last_error", "last_success_at"]
    actions = ["resume"]

    @admin.display(description="主机")
    def host(self, obj):
        return obj.host

    @admin.action(description="恢复所选机器人（没发出的消息下次运行时发送）")
    def resume(self, request, queryset):
        from django.utils import timezone

        from alerts.webhooks import resume

        for hook in queryset:
            resume(webhook=hook, now=timezone.now())
        self.message_user(request, f"已恢复 {queryset.count()} 个机器人。")


@admin.register(WebhookPost)
class WebhookPostAdmin(SuperuserOnly, admin.ModelAdmin):
    """Every message for a robot: sent, or waiting for its next try (with the last error)."""

    list_display = ["webhook", "part", "parts", "attempts", "sent_at", "next_attempt_at", "last_error"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter), "webhook__kind"]
    raw_id_fields = ["webhook"]

    def has_change_permission(self, request, obj=None):
        return False
