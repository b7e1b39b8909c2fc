from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealRegistrationConfig(AppConfig):
    name = "deal_registration"
    verbose_name = _("Deal registration")

    def ready(self) -> None:
        from partners.programs.metrics import register_metric
        from partners.signals import partner_status_changed
        from prm.core.audit import audit_register

        # Celery finds `<app>.tasks` by itself; lead jobs live in their own module.
        from . import (
            lead_tasks,  # noqa: F401
            tasks,  # noqa: F401
        )
        from . import models as m
        from .protection import on_partner_status_changed
        from .selectors import deals_won

        for model in (
            m.NamedAccount,
            m.DealRules,
            m.TierDealRules,
            m.ProtectionExtension,
            m.Lead,
            m.DealTeamMember,
            m.DealActivity,
        ):
            audit_register(model)
        audit_register(m.DealRegistration, m2m=["products", "orders"])
        register_metric("deals_won", deals_won)
        partner_status_changed.connect(
            on_partner_status_changed, dispatch_uid="deal_registration.on_partner_status_changed"
        )
