from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "partners.agreements"
    label = "partner_agreements"
    verbose_name = _("Partner agreements")

    def ready(self) -> None:
        from partners import signals
        from prm.core.audit import audit_register

        from . import receivers
        from .models import Agreement, AgreementTemplate

        audit_register(AgreementTemplate)
        audit_register(Agreement)
        signals.partner_status_changed.connect(
            receivers.on_partner_status_changed, dispatch_uid="agreements.on_partner_status_changed"
        )
