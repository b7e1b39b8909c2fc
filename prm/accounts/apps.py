from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "prm.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from prm.core.audit import audit_register

        from .models import User

        audit_register(User, exclude=["password", "last_login"])
