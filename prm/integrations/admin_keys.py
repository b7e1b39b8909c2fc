from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from prm.tenancy.admin_base import LookupOnlyAdmin

from .models import ApiKey, IdempotencyRecord


@admin.register(ApiKey)
class ApiKeyAdmin(LookupOnlyAdmin):
    """Keys are made in the vendor portal (Integrations → API keys), where the token is shown
    once; here they can be found, and scopes, rate or revocation repaired."""

    list_display = ["name", "prefix", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at", "created_at"]
    search_fields = ["name", "prefix", "user__email", "user__full_name"]
    readonly_fields = ["prefix", "user", "created_by", "created_at", "last_used_at"]
    fields = [
        "name",
        "prefix",
        "user",
        "scopes",
        "rate_per_minute",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(LookupOnlyAdmin):
    list_display = ["key", "api_key", "status_code", "created_at"]
    list_filter = ["status_code", "created_at"]
    search_fields = ["key", "api_key__name", "api_key__prefix"]
    readonly_fields = ["api_key", "key", "fingerprint", "status_code", "body", "created_at"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
