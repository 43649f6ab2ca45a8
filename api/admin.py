"""API tokens and export jobs in the admin, for superusers: make a token (its key shown once), revoke."""

from django.contrib import admin, messages

from alerts.admin import SuperuserOnly
from api import tokens
from api.models import ApiToken, ExportJob


@admin.register(ApiToken)
class ApiTokenAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "rate_per_minute", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    raw_id_fields = ["user"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def get_fields(self, request, obj=None):
        return (
            ["user", "name", "rate_per_minute"]
            if obj is None
            else ["user", "name", "prefix", "rate_per_minute", "created_at", "last_used_at", "revoked_at"]
        )

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["user", "prefix", "created_at", "last_used_at", "revoked_at"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        token, key = tokens.create_token(user=obj.user, name=obj.name, rate_per_minute=obj.rate_per_minute)
        obj.pk, obj.prefix, obj.key_hash = token.pk, token.prefix, token.key_hash
        obj._state.adding = False
        messages.warning(request, f"令牌（只显示这一次，请现在交给使用者）：{key}")

    @admin.action(description="吊销所选令牌")
    def revoke(self, request, queryset):
        for token in queryset:
            tokens.revoke(token)
        messages.success(request, f"已吊销 {queryset.count()} 个令牌。")


@admin.register(ExportJob)
class ExportJobAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ["pk", "user", "format", "status", "rows", "total", "created_at", "finished_at"]
    list_filter = ["status", "format"]
    readonly_fields = [
        "user",
        "query",
        "format",
        "status",
        "rows",
        "total",
        "file",
        "error",
        "created_at",
        "finished_at",
    ]

    def has_change_permission(self, request, obj=None):
        return False
