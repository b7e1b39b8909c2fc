from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Ordering mall")

    def ready(self) -> None:
        from partners.programs.metrics import register_metric
        from prm.core.audit import audit_register

        # Celery finds `<app>.tasks` by itself; the ordering mall's jobs live in area modules.
        from . import (
            inventory_tasks,  # noqa: F401
            statements_tasks,  # noqa: F401
        )
        from . import models as m
        from .metrics import rolling_purchases

        # Stock rows are audited by orders.inventory itself, with the memo of each count.
        for model in (
            m.Category,
            m.Product,
            m.PriceList,
            m.Promotion,
            m.Warehouse,
            m.ReviewStep,
            m.OrderingSettings,
            m.Order,
            m.TopUpRequest,
            m.Payment,
            m.Shipment,
            m.ReturnRequest,
            m.Statement,
        ):
            audit_register(model)
        register_metric("rolling_purchases", rolling_purchases)
