"""Provisioning vendors (tenants). Called by `create_vendor`, the platform admin and tests."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django_tenants.utils import schema_context

from prm.accounts.roles import Role
from prm.accounts.services import user_create

from .db import tenant_connection
from .models import Domain, Tenant

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,29}[a-z0-9]$")
RESERVED_SLUGS = {"public", "www", "admin", "api", "static", "media", "pg", "information-schema"}


@dataclass(frozen=True)
class ProvisionedVendor:
    tenant: Tenant
    domain: str
    admin_email: str
    admin_password: str


def schema_name_for(slug: str) -> str:
    return slug.replace("-", "_")


def vendor_validate(*, slug: str, name: str, admin_email: str) -> None:
    """Raise ValidationError naming the bad field before anything is created."""
    if not SLUG_RE.match(slug) or "--" in slug:
        raise ValidationError(
            {
                "slug": f"'{slug}' must be 3-31 lowercase letters, digits or hyphens, "
                "starting with a letter"
            }
        )
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": f"'{slug}' is reserved"})
    domain = f"{slug}.{settings.PRM_BASE_DOMAIN}"
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        taken = (
            Tenant.objects.filter(schema_name__iexact=schema_name_for(slug)).exists()
            or Domain.objects.filter(domain__iexact=domain).exists()
        )
    if taken:
        raise ValidationError({"slug": f"'{slug}' is already taken"})
    if not name.strip():
        raise ValidationError({"name": "a display name is required"})
    try:
        validate_email(admin_email)
    except ValidationError:
        raise ValidationError({"admin_email": f"'{admin_email}' is not a valid email"}) from None


def vendor_create(
    *,
    slug: str,
    name: str,
    admin_email: str,
    currency: str = "CNY",
    time_zone: str = "Asia/Shanghai",
    default_language: str = "zh-hans",
    admin_password: str | None = None,
    admin_name: str = "",
) -> ProvisionedVendor:
    """Create schema, domain and first vendor admin; on any failure nothing is left behind."""
    vendor_validate(slug=slug, name=name, admin_email=admin_email)
    password = admin_password or secrets.token_urlsafe(12)
    domain_name = f"{slug}.{settings.PRM_BASE_DOMAIN}"
    tenant_connection().set_schema_to_public()
    tenant = Tenant(
        schema_name=schema_name_for(slug),
        name=name.strip(),
        currency=currency,
        time_zone=time_zone,
        default_language=default_language,
    )
    tenant.full_clean()
    try:
        tenant.save(verbosity=0)  # creates and migrates the schema
        with transaction.atomic():
            Domain.objects.create(domain=domain_name, tenant=tenant, is_primary=True)
        with schema_context(tenant.schema_name), transaction.atomic():
            user_create(
                email=admin_email,
                full_name=admin_name or admin_email.split("@")[0],
                role=Role.ADMIN,
                password=password,
                must_change_password=admin_password is None,
            )
    except BaseException:
        # Also on Ctrl-C, which django-tenants' own cleanup (Exception only) lets through.
        vendor_remove(tenant)
        raise
    return ProvisionedVendor(
        tenant=tenant, domain=domain_name, admin_email=admin_email.lower(), admin_password=password
    )


def vendor_remove(tenant: Tenant) -> None:
    """Drop a vendor: its domains, its row and its schema with every row in it."""
    tenant_connection().set_schema_to_public()
    if tenant.pk is None:
        return
    Domain.objects.filter(tenant_id=tenant.pk).delete()
    if Tenant.objects.filter(pk=tenant.pk).exists():
        tenant.delete(force_drop=True)
    else:
        tenant._drop_schema(force_drop=True)


def platform_ensure(*, domain: str | None = None) -> Tenant:
    """The public tenant answers on the base domain (platform admin, health)."""
    tenant_connection().set_schema_to_public()
    tenant, _ = Tenant.objects.get_or_create(
        schema_name=settings.PUBLIC_SCHEMA_NAME, defaults={"name": "Channel PRM platform"}
    )
    Domain.objects.get_or_create(
        domain=domain or settings.PRM_BASE_DOMAIN, defaults={"tenant": tenant, "is_primary": True}
    )
    return tenant
