from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecruitmentConfig(AppConfig):
    name = "partners.recruitment"
    label = "partner_recruitment"
    verbose_name = _("Partner recruitment")

    def ready(self) -> None:
        from prm.core.audit import audit_register

        from .models import ApplicationDocument, PartnerApplication

        audit_register(PartnerApplication)
        audit_register(ApplicationDocument)
