"""Deal registration in the admin: rules, tier rules and vendor accounts are configured here;
registrations and leads move only through their services, so their pages are for looking up and
repairing, with status, claim and keys read-only."""

from django.contrib import admin
from django.http import HttpRequest

from prm.tenancy.admin_base import (
    LookupOnlyAdmin,
    ReadOnlyInline,
    StatusHistoryInline,
    VendorModelAdmin,
)

from .models import (
    DealActivity,
    DealConflict,
    DealRegistration,
    DealRegistrationStatusChange,
    DealRules,
    DealTeamMember,
    Lead,
    LeadOffer,
    LeadStatusChange,
    NamedAccount,
    ProtectionExtension,
    TierDealRules,
)


@admin.register(DealRules)
class DealRulesAdmin(VendorModelAdmin):
    list_display = [
        "__str__",
        "protection_days",
        "approval_sla_hours",
        "expiry_reminder_days",
        "lead_response_hours",
        "lead_capacity",
    ]


@admin.register(TierDealRules)
class TierDealRulesAdmin(VendorModelAdmin):
    list_display = ["tier", "protection_days", "lead_capacity"]
    list_filter = ["tier"]
    search_fields = ["tier__name", "tier__name_en"]


@admin.register(NamedAccount)
class NamedAccountAdmin(VendorModelAdmin):
    list_display = ["name", "kind", "credit_code", "domain", "region", "owner", "is_active"]
    list_filter = ["kind", "is_active", "region"]
    search_fields = ["name", "credit_code", "website", "phone"]
    readonly_fields = ["name_key", "domain", "phone_key", "created_at"]
    list_select_related = ["region", "owner"]


class ConflictInline(ReadOnlyInline):
    model = DealConflict
    fk_name = "registration"
    fields = readonly_fields = (
        "source",
        "other_registration",
        "account",
        "sell_out",
        "score",
        "matched",
        "verdict",
        "detected_at",
    )


class TeamInline(admin.TabularInline):
    model = DealTeamMember
    extra = 0


class ActivityInline(ReadOnlyInline):
    model = DealActivity
    fields = readonly_fields = ("occurred_on", "kind", "author", "body", "next_step", "attachment")


class ExtensionInline(ReadOnlyInline):
    model = ProtectionExtension
    fields = readonly_fields = (
        "days",
        "reason",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decision_note",
    )


class DealHistoryInline(StatusHistoryInline):
    model = DealRegistrationStatusChange


@admin.register(DealRegistration)
class DealRegistrationAdmin(LookupOnlyAdmin):
    list_display = [
        "number",
        "customer_name",
        "partner",
        "status",
        "holds_claim",
        "has_conflict",
        "estimated_amount",
        "submitted_at",
        "protection_ends",
    ]
    list_filter = ["status", "holds_claim", "has_conflict", "stage", "industry", "product_line"]
    search_fields = ["number", "customer_name", "credit_code", "partner__name", "title"]
    list_select_related = ["partner"]
    # Who the customer is and who holds it change only through the services (they re-run the
    # conflict engine under the claim lock); notes on the opportunity may be repaired here.
    repairable = (
        "title",
        "description",
        "stage",
        "estimated_amount",
        "expected_close_date",
        "contact_name",
        "contact_title",
        "address",
        "industry",
    )
    filter_horizontal = ["products"]

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        fields = [f.name for f in DealRegistration._meta.fields if f.name not in self.repairable]
        return [*fields, "orders"]

    inlines = [ConflictInline, TeamInline, ActivityInline, ExtensionInline, DealHistoryInline]


@admin.register(ProtectionExtension)
class ProtectionExtensionAdmin(LookupOnlyAdmin):
    list_display = ["registration", "days", "status", "requested_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["registration__number", "registration__customer_name", "reason"]
    readonly_fields = ["registration", "requested_by", "decided_by", "decided_at"]


class OfferInline(ReadOnlyInline):
    model = LeadOffer
    fields = readonly_fields = (
        "partner",
        "status",
        "offered_at",
        "respond_by",
        "responded_at",
        "reason",
    )


class LeadHistoryInline(StatusHistoryInline):
    model = LeadStatusChange


@admin.register(Lead)
class LeadAdmin(VendorModelAdmin):
    list_display = ["number", "company_name", "region", "product_line", "status", "partner"]
    list_filter = ["status", "product_line", "industry", "region"]
    search_fields = ["number", "company_name", "contact_name", "partner__name"]
    readonly_fields = ["number", "status", "partner", "created_by", "created_at"]
    list_select_related = ["region", "product_line", "partner"]
    inlines = [OfferInline, LeadHistoryInline]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
