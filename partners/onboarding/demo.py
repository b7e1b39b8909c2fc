"""Demo onboarding: most active partners finished, one active partner and the applicant not.

Call after the demo's orders are placed: the partner left pending is gated from ordering.
"""

from __future__ import annotations

import random
from typing import Any

from partners.models import Partner, PartnerStatus
from prm.accounts.models import User
from prm.accounts.roles import Role

from .models import OnboardingStep, StepKind, StepStatus
from .services import onboarding_complete, onboarding_set_step, onboarding_start


def _pending_partner(partners: list[Partner]) -> Partner | None:
    """An active partner left unfinished: one with a portal admin (so the gate shows in the
    portal too), not the first partner (the headline ordering account); else the last active."""
    active = [p for p in partners if p.status == PartnerStatus.ACTIVE]
    with_admin = set(
        User.objects.filter(partner__in=active, role=Role.PARTNER_ADMIN).values_list(
            "partner_id", flat=True
        )
    )
    candidates = [p for p in active[1:] if p.pk in with_admin]
    if candidates:
        return candidates[-1]
    return active[-1] if active else None


def seed(
    *, partners: list[Partner], admin: Any, rng: random.Random, pending: Partner | None = None
) -> None:
    for partner in partners:
        partner.refresh_from_db()
        onboarding_start(partner=partner)
    pending = pending or _pending_partner(partners)
    for partner in partners:
        if partner.status == PartnerStatus.APPLIED:
            continue  # applicants keep their checklist open (licence done if uploaded)
        if pending is not None and partner.pk == pending.pk:
            # Licence on file and team invited; agreement and courses still gate both features.
            onboarding_complete(
                partner=partner, kind=StepKind.INVITE_USERS, actor=admin, note="已邀请 / invited"
            )
            continue
        _finish(partner, admin=admin, rng=rng)


def _finish(partner: Partner, *, admin: Any, rng: random.Random) -> None:
    steps = OnboardingStep.objects.filter(partner=partner, status=StepStatus.PENDING)
    for step in steps.select_related("template", "partner", "partner__channel_manager"):
        if step.template.kind == StepKind.COMPLETE_COURSE and rng.random() < 0.3:
            onboarding_set_step(
                step=step,
                status=StepStatus.WAIVED,
                actor=admin,
                note="老伙伴已完成线下培训 / long-standing partner, trained offline",
            )
        else:
            onboarding_set_step(
                step=step, status=StepStatus.DONE, actor=admin, note="资料齐全 / verified"
            )
