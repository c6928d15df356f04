"""Admin pages for the escalation ladder, the policy and people's routing profiles."""

from __future__ import annotations

from django.contrib import admin

from kesu.cases.admin import ReadOnlyAdmin
from kesu.routing.models import Escalation, PolicyConfig, Respondent, StaffProfile, TierConfig


@admin.register(TierConfig)
class TierAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("level", "name", "roles", "unit_level", "compensation_limit")


@admin.register(PolicyConfig)
class PolicyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("__str__", "updated_at")


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "level", "skills", "capacity", "compensation_limit")


admin.site.register(Escalation, ReadOnlyAdmin)
admin.site.register(Respondent, ReadOnlyAdmin)
