"""Partner events that start onboarding or complete its steps (connected in AppConfig.ready).

Every receiver is idempotent, so a repeated or late event changes nothing twice.
"""

from __future__ import annotations

from typing import Any

from partners.models import Partner, PartnerStatus, Qualification

from .models import StepKind
from .services import onboarding_complete, onboarding_start


def on_partner_approved(*, partner: Partner, **kwargs: Any) -> None:
    onboarding_start(partner=partner)


def on_partner_status_changed(*, partner: Partner, to_status: str, **kwargs: Any) -> None:
    if to_status == PartnerStatus.ACTIVE:
        onboarding_start(partner=partner)


def on_agreement_signed(*, partner: Partner, **kwargs: Any) -> None:
    onboarding_complete(partner=partner, kind=StepKind.SIGN_AGREEMENT)


def on_qualification_uploaded(
    *, partner: Partner, qualification: Qualification, **kwargs: Any
) -> None:
    if qualification.kind == Qualification.Kind.BUSINESS_LICENSE:
        onboarding_complete(partner=partner, kind=StepKind.UPLOAD_QUALIFICATION)


def on_partner_user_invited(*, partner: Partner, **kwargs: Any) -> None:
    onboarding_complete(partner=partner, kind=StepKind.INVITE_USERS)
