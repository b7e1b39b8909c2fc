from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MdfConfig(AppConfig):
    name = "mdf"
    verbose_name = _("Market development funds")

    def ready(self) -> None:
        from prm.core.audit import audit_register

        from . import models as m

        audit_register(m.MdfFund, m2m=["tiers", "regions"])
        audit_register(m.MdfAllocation)
        audit_register(m.MdfActivityType)
        audit_register(m.MdfRequest)
        audit_register(m.MdfClaim, m2m=["deals", "orders"])
