"""What an API key may do: read or write one resource of the API."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

RESOURCES = {
    "partners": gettext_lazy("Partners"),
    "products": gettext_lazy("Products and prices"),
    "stock": gettext_lazy("Stock"),
    "orders": gettext_lazy("Orders and shipments"),
    "payments": gettext_lazy("Payments"),
    "deals": gettext_lazy("Deal registrations"),
    "rebates": gettext_lazy("Rebates"),
    "mdf": gettext_lazy("Market development funds"),
    "forecasts": gettext_lazy("Forecasts"),
}
READ, WRITE = "read", "write"


def scope(resource: str, access: str) -> str:
    return f"{resource}:{access}"


ALL_SCOPES = [scope(r, a) for r in RESOURCES for a in (READ, WRITE)]


def scopes_clean(scopes: list[str]) -> list[str]:
    """The scopes in catalogue order, each once; an unknown one is refused by name."""
    unknown = sorted(set(scopes) - set(ALL_SCOPES))
    if unknown:
        raise ValidationError(
            {"scopes": _("Unknown scopes: %(names)s.") % {"names": ", ".join(unknown)}}
        )
    return [s for s in ALL_SCOPES if s in scopes]


def scopes_allow(scopes: list[str], resource: str, access: str) -> bool:
    """Write includes read: a key that may change orders may also read them."""
    if scope(resource, WRITE) in scopes:
        return True
    return access == READ and scope(resource, READ) in scopes
