from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RebatesConfig(AppConfig):
    name = "rebates"
    verbose_name = _("Rebates")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from deal_registration.models import DealRegistration
        from orders import models as orders
        from prm.core.audit import audit_register

        from . import models as m
        from . import receivers

        for model, receiver in (
            (orders.Order, receivers.on_order_saved),
            (orders.Shipment, receivers.on_shipment_saved),
            (orders.Payment, receivers.on_payment_saved),
            (orders.ReturnRequest, receivers.on_return_saved),
            (orders.SellOut, receivers.on_sell_out_saved),
            (DealRegistration, receivers.on_deal_saved),
        ):
            post_save.connect(receiver, sender=model, dispatch_uid=f"rebates.{receiver.__name__}")

        audit_register(
            m.RebateProgram,
            m2m=[
                "tiers",
                "regions",
                "partners",
                "product_lines",
                "categories",
                "products",
                "excluded_products",
            ],
        )
        audit_register(m.RebateTier)
        audit_register(m.RebateSettlement)
