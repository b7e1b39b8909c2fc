from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Ordering mall")

    def ready(self) -> None:
        from partners.programs.metrics import register_metric
        from prm.core.audit import audit_register

        from .metrics import rolling_purchases
        from .models import Order, Product

        audit_register(Product)
        audit_register(Order)
        register_metric("rolling_purchases", rolling_purchases)
