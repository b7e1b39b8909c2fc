from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Ordering mall")

    def ready(self) -> None:
        from prm.core.audit import audit_register

        from .models import Order, Product

        audit_register(Product)
        audit_register(Order)
