"""Django admin: read-mostly. Cases change only through the services (pages, API, CLI)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from kesu.cases.models import Attachment, Case, CaseEvent, DecisionNotice


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class EventInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CaseEvent
    fields = ("at", "actor", "action", "changes", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("number", "status", "risk_level", "unit", "owner", "channel", "received_at")
    list_filter = ("status", "risk_level", "channel", "industry", "unit")
    search_fields = ("number", "intake_ref")
    exclude = ("complainant", "search_text")  # personal data is not shown unmasked here either
    inlines = (EventInline,)


admin.site.register(CaseEvent, ReadOnlyAdmin)
admin.site.register(DecisionNotice, ReadOnlyAdmin)
admin.site.register(Attachment, ReadOnlyAdmin)
