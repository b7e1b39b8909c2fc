from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "partners.agreements"
    label = "partner_agreements"
    verbose_name = _("Partner agreements")
