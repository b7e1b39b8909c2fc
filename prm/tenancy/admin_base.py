from auditlog.mixins import AuditlogHistoryAdminMixin
from django.contrib import admin
from django.http import HttpRequest

from .db import tenant_connection


def on_platform() -> bool:
    return bool(tenant_connection().schema_name == "public")


class _SchemaScopedAdmin(AuditlogHistoryAdminMixin, admin.ModelAdmin):
    """Admin pages that exist only on the platform host, or only on vendor hosts."""

    show_auditlog_history_link = True
    platform_only = False

    def _here(self) -> bool:
        return on_platform() == self.platform_only

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._here() and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._here() and super().has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._here() and super().has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._here() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._here() and super().has_delete_permission(request, obj)


class PlatformModelAdmin(_SchemaScopedAdmin):
    """Vendors and domains: the platform operator's, never listed inside a vendor's admin."""

    platform_only = True


class VendorModelAdmin(_SchemaScopedAdmin):
    """A vendor's own records; their tables are empty (or absent) in the public schema."""

    platform_only = False


class LookupOnlyAdmin(VendorModelAdmin):
    """Rows written by services: visible and searchable, never added or deleted by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows written by services (lines, history): shown in admin, never added or removed there."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class StatusHistoryInline(ReadOnlyInline):
    """A workflow's history rows (prm.core.models.StatusChange subclasses)."""

    fields = readonly_fields = ("created_at", "from_status", "to_status", "reason", "actor")
