from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from kesu.accounts.models import ApiToken, OrgUnit, User


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "code", "level", "parent", "path")
    search_fields = ("name", "code")


@admin.register(User)
class KesuUserAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "display_name", "role", "unit", "is_active")
    list_filter = ("role", "unit", "is_active")
    fieldsets = (*UserAdmin.fieldsets, ("工作台", {"fields": ("role", "unit")}))  # type: ignore[misc]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked")
    readonly_fields = ("prefix", "created_at", "last_used_at")
    exclude = ("key_hash",)

    def has_add_permission(self, request: object) -> bool:
        return False  # tokens are created with `kesu token create`, which shows the token once
