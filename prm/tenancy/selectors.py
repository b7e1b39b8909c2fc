from .db import tenant_connection
from .models import Tenant


def current_tenant() -> Tenant:
    """The Tenant row of the connection's schema, even under schema_context (a FakeTenant)."""
    connection = tenant_connection()
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Tenant):
        return tenant
    return Tenant.objects.get(schema_name=connection.schema_name)
