from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "partners.support"
    label = "support"
    verbose_name = _("Support tickets")

    def ready(self) -> None:
        from prm.core.audit import audit_register

        from . import models as m

        audit_register(m.Ticket)
        audit_register(m.RoutingRule, m2m=["regions"])
        audit_register(m.SlaPolicy)
