from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "prm.tenancy"
    label = "tenancy"
    verbose_name = _("Tenancy")

    def ready(self) -> None:
        from prm.core.audit import audit_register

        from .models import Domain, Tenant

        audit_register(Tenant)
        audit_register(Domain)
