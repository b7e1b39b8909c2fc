from django.contrib import admin
from django.http import HttpRequest

from prm.tenancy.admin_base import VendorModelAdmin

from .models import OnboardingStep, OnboardingStepChange, OnboardingStepTemplate


@admin.register(OnboardingStepTemplate)
class OnboardingStepTemplateAdmin(VendorModelAdmin):
    list_display = [
        "position",
        "code",
        "title",
        "title_en",
        "kind",
        "partner_type",
        "required",
        "gates_ordering",
        "gates_deal_registration",
        "is_active",
    ]
    list_display_links = ["code", "title"]
    list_filter = [
        "kind",
        "partner_type",
        "required",
        "gates_ordering",
        "gates_deal_registration",
        "is_active",
    ]
    search_fields = ["code", "title", "title_en", "description", "description_en"]
    ordering = ["position", "pk"]


class StepChangeInline(admin.TabularInline):
    model = OnboardingStepChange
    extra = 0
    can_delete = False
    fields = readonly_fields = ("created_at", "from_status", "to_status", "reason", "actor")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(OnboardingStep)
class OnboardingStepAdmin(VendorModelAdmin):
    """Steps are created by onboarding_start and resolved in the vendor portal (with history)."""

    list_display = ["partner", "template", "status", "done_at", "done_by"]
    list_filter = ["status", "template", "template__kind", "template__required"]
    search_fields = ["partner__name", "partner__name_en", "template__title", "template__title_en"]
    list_select_related = ["partner", "template", "done_by"]
    readonly_fields = ["partner", "template", "status", "done_at", "done_by", "created_at"]
    inlines = [StepChangeInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
