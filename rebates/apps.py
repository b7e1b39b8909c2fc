from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RebatesConfig(AppConfig):
    name = "rebates"
    verbose_name = _("Rebates")

    def ready(self) -> None:
        from prm.core.audit import audit_register

        from . import models as m

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
