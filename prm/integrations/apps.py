from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "prm.integrations"
    label = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from prm.core.audit import audit_register

        from .models import ApiKey, MessagingChannel, WebhookEndpoint

        audit_register(ApiKey, exclude=["key_hash", "last_used_at"])
        audit_register(WebhookEndpoint, exclude=["secret"])
        audit_register(MessagingChannel, exclude=["secret"])
