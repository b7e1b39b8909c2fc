from typing import Any

from django.db import connection


def tenant_connection() -> Any:
    """The default connection, typed for django-tenants' schema methods (set_tenant, ...)."""
    return connection
