from typing import Any

from django_tenants.middleware.main import TenantMainMiddleware


class ActiveTenantMiddleware(TenantMainMiddleware):
    """django-tenants' host → schema routing, refusing vendors the platform has deactivated."""

    def get_tenant(self, domain_model: Any, hostname: str) -> Any:
        domain = domain_model.objects.select_related("tenant").get(
            domain=hostname, tenant__is_active=True
        )
        return domain.tenant
