from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ErpConfig(AppConfig):
    name = "orders.erp"
    label = "erp"
    verbose_name = _("ERP synchronisation")

    def ready(self) -> None:
        from prm.core.audit import audit_register

        from .models import ErpConnection

        audit_register(ErpConnection, exclude=["password"])
