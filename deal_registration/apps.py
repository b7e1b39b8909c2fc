from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealRegistrationConfig(AppConfig):
    name = "deal_registration"
    verbose_name = _("Deal registration")
