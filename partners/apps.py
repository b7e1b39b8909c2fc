from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from prm.core.audit import audit_register

        from .models import Partner, ProductLine, ProgramSettings, Qualification, Region, Tier

        audit_register(Partner, m2m=("territories", "product_lines"))
        for model in (Tier, Region, ProductLine, Qualification):
            audit_register(model)
        audit_register(ProgramSettings, m2m=("application_approvers",))

        from django.db.models.signals import pre_delete

        from .audience import refuse_delete_in_use

        for model in (Tier, Region):
            pre_delete.connect(refuse_delete_in_use, sender=model, dispatch_uid=f"audience-{model}")
