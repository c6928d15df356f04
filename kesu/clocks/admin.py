"""Admin pages for the clock configuration (rule sets, unit policies, closures, official holidays).

Case clocks, extension requests and task entries are shown read-only: they change through services.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from kesu.cases.admin import ReadOnlyAdmin
from kesu.clocks.models import (
    Alert,
    CaseClock,
    Closure,
    ExtensionRequest,
    OfficialDay,
    OfficialYear,
    RuleSet,
    UnitPolicy,
)


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("key", "name", "updated_at")
    readonly_fields = ("updated_at",)


@admin.register(UnitPolicy)
class UnitPolicyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("unit", "ruleset", "first_contact_hours", "thresholds")


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("start", "end", "unit", "reason")


class OfficialDayInline(admin.TabularInline):  # type: ignore[type-arg]
    model = OfficialDay
    extra = 5


@admin.register(OfficialYear)
class OfficialYearAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("year", "source", "entered_by", "entered_at")
    readonly_fields = ("entered_by", "entered_at")
    inlines = (OfficialDayInline,)

    def save_model(self, request: HttpRequest, obj: OfficialYear, form: object, change: bool) -> None:
        if obj.entered_by_id is None:
            obj.entered_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


admin.site.register(CaseClock, ReadOnlyAdmin)
admin.site.register(ExtensionRequest, ReadOnlyAdmin)
admin.site.register(Alert, ReadOnlyAdmin)
