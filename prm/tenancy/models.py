import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage, storages
from django.db import connections, models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.utils import get_tenant_database_alias

from prm.core.money import CURRENCY_CHOICES


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


def platform_storage() -> Storage:
    # Tenant rows live in public, so their files must not follow the request's schema.
    return storages["platform"]


def logo_path(instance: "Tenant", filename: str) -> str:
    return f"branding/{instance.schema_name}/{filename}"


class Tenant(TenantMixin):
    """A vendor. Its schema holds all of its users and business data."""

    name = models.CharField(_("display name"), max_length=200)
    logo = models.ImageField(_("logo"), upload_to=logo_path, storage=platform_storage, blank=True)
    currency = models.CharField(
        _("currency"), max_length=3, choices=CURRENCY_CHOICES, default="CNY"
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    default_language = models.CharField(
        _("default language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    is_active = models.BooleanField(_("active"), default=True)
    require_two_factor = models.BooleanField(
        _("require two-factor sign-in for admin and finance roles"),
        default=False,
        help_text=_(
            "Vendor admins and finance staff then confirm every sign-in with a code from an "
            "authenticator app."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    auto_create_schema = True

    class Meta:
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        ordering = ["schema_name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.schema_name})"

    @property
    def is_public(self) -> bool:
        return self.schema_name == settings.PUBLIC_SCHEMA_NAME

    def create_schema(
        self, check_if_exists: bool = False, sync_schema: bool = True, verbosity: int = 1
    ) -> bool | None:
        """From the template schema when it is current (seconds), else by migrations."""
        from django_tenants.utils import schema_exists

        from .template import schema_clone, template_usable

        if check_if_exists and schema_exists(self.schema_name):
            return False
        if not sync_schema or self.is_public or not template_usable():
            return super().create_schema(check_if_exists, sync_schema, verbosity)
        schema_clone(self.schema_name)
        connections[get_tenant_database_alias()].set_schema_to_public()  # type: ignore[attr-defined]
        return True


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain
