"""What every resource of the API shares: its scope name, and reads through the same visibility
selectors as the pages, so a key sees exactly what its user sees."""

from __future__ import annotations

from rest_framework import viewsets


class ResourceViewSet(viewsets.GenericViewSet):
    api_resource: str = ""  # the scope's resource: "orders" needs orders:read / orders:write
