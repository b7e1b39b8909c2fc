from collections.abc import Callable
from typing import Any

from django.apps import AppConfig
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    name = "partners.onboarding"
    label = "partner_onboarding"
    verbose_name = _("Partner onboarding")

    def ready(self) -> None:
        from partners import signals
        from prm.core.audit import audit_register

        from . import receivers
        from .models import OnboardingStep, OnboardingStepTemplate

        audit_register(OnboardingStepTemplate)
        audit_register(OnboardingStep)
        connections: list[tuple[Signal, Callable[..., Any]]] = [
            (signals.partner_approved, receivers.on_partner_approved),
            (signals.partner_status_changed, receivers.on_partner_status_changed),
            (signals.agreement_signed, receivers.on_agreement_signed),
            (signals.qualification_uploaded, receivers.on_qualification_uploaded),
            (signals.partner_user_invited, receivers.on_partner_user_invited),
        ]
        for signal, receiver in connections:
            signal.connect(receiver, dispatch_uid=f"onboarding.{receiver.__name__}")
