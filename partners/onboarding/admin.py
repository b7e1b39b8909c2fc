from django.contrib import admin
from django.http import HttpRequest

from prm.tenancy.admin_base import StatusHistoryInline, VendorModelAdmin

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


class StepChangeInline(StatusHistoryInline):
    model = OnboardingStepChange


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
