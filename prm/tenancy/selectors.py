import zoneinfo
from datetime import date

from django.conf import settings
from django.utils import timezone

from .db import tenant_connection
from .models import Domain, Tenant


def current_tenant() -> Tenant:
    """The Tenant row of the connection's schema, even under schema_context (a FakeTenant)."""
    connection = tenant_connection()
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Tenant):
        return tenant
    return Tenant.objects.get(schema_name=connection.schema_name)


def tenant_base_url() -> str:
    """Scheme and host of the current vendor for links in emails, e.g. http://demo.localhost:8000."""
    tenant = current_tenant()
    domain = (
        Domain.objects.filter(tenant=tenant)
        .order_by("-is_primary", "pk")
        .values_list("domain", flat=True)
    ).first() or f"{tenant.schema_name}.{settings.PRM_BASE_DOMAIN}"
    port = f":{settings.PRM_SITE_PORT}" if settings.PRM_SITE_PORT else ""
    return f"{settings.PRM_SITE_SCHEME}://{domain}{port}"


def tenant_zone() -> zoneinfo.ZoneInfo:
    """The current vendor's time zone: months, days and "today" are counted in it."""
    return zoneinfo.ZoneInfo(current_tenant().time_zone)


def tenant_today() -> date:
    """Today in the current vendor's time zone (requests, tasks and shells alike)."""
    return timezone.localdate(timezone=tenant_zone())
