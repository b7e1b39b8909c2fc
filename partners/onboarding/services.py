"""Writes for onboarding checklists. Every function is safe to call twice."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Partner, Qualification
from partners.selectors import partner_can_manage
from prm.core.workflow import transition

from .models import (
    STEP_TRANSITIONS,
    OnboardingStep,
    OnboardingStepChange,
    OnboardingStepTemplate,
    StepKind,
    StepStatus,
)


def _templates_for(partner: Partner) -> list[OnboardingStepTemplate]:
    return list(
        OnboardingStepTemplate.objects.filter(is_active=True)
        .filter(Q(partner_type="") | Q(partner_type=partner.partner_type))
        .order_by("position", "pk")
    )


@transaction.atomic
def onboarding_start(*, partner: Partner) -> list[OnboardingStep]:
    """Give the partner one step per active template of its type; returns the steps created.

    Idempotent (the unique (partner, template) constraint makes concurrent callers safe). A
    business licence already on file completes its step at once, whichever came first.
    """
    created = []
    for template in _templates_for(partner):
        step, is_new = OnboardingStep.objects.get_or_create(partner=partner, template=template)
        if is_new:
            created.append(step)
    if created and partner.qualifications.filter(kind=Qualification.Kind.BUSINESS_LICENSE).exists():
        _complete_kind(partner, StepKind.UPLOAD_QUALIFICATION, actor=None, note="")
    return created


@transaction.atomic
def onboarding_complete(
    *, partner: Partner, kind: StepKind | str, actor: Any = None, note: str = ""
) -> list[OnboardingStep]:
    """Mark the partner's pending steps of `kind` done; returns the steps it changed.

    Starts onboarding first, so an event that arrives before approval (a licence uploaded with
    the application) still counts.
    """
    if kind not in StepKind.values:
        raise ValueError(f"unknown onboarding step kind {kind!r}")
    onboarding_start(partner=partner)
    return _complete_kind(partner, kind, actor=actor, note=note)


@transaction.atomic
def onboarding_complete_all(*, partner: Partner, actor: Any = None, note: str = "") -> int:
    """Mark every pending step done (imports of long-standing partners, demo, test factories)."""
    onboarding_start(partner=partner)
    changed = 0
    for kind in StepKind.values:
        changed += len(_complete_kind(partner, kind, actor=actor, note=note))
    return changed


def _complete_kind(partner: Partner, kind: str, *, actor: Any, note: str) -> list[OnboardingStep]:
    # Locking with the status filter re-checks it after the wait (PostgreSQL re-evaluates the
    # WHERE on the locked row), so a concurrent caller that got there first is simply skipped.
    pending = list(
        OnboardingStep.objects.select_for_update(of=("self",))
        .filter(partner=partner, template__kind=kind, status=StepStatus.PENDING)
        .order_by("pk")
    )
    return [_resolve(step, StepStatus.DONE, actor=actor, note=note) for step in pending]


def _resolve(step: OnboardingStep, status: str, *, actor: Any, note: str) -> OnboardingStep:
    moved = transition(
        step,
        status,
        table=STEP_TRANSITIONS,
        history_model=OnboardingStepChange,
        history_fk="step",
        actor=actor,
        reason=note,
    )
    assert isinstance(moved, OnboardingStep)
    moved.done_at = timezone.now()
    moved.done_by = actor if getattr(actor, "is_authenticated", False) else None
    moved.note = note
    moved.save(update_fields=["done_at", "done_by", "note"])
    return moved


def step_can_resolve(user: Any, step: OnboardingStep) -> bool:
    """Vendor admins and the partner's own channel manager complete or waive steps."""
    return partner_can_manage(user, step.partner)


@transaction.atomic
def onboarding_set_step(
    *, step: OnboardingStep, status: StepStatus | str, actor: Any, note: str = ""
) -> OnboardingStep:
    """Vendor staff complete or waive a pending step by hand; waiving needs a note."""
    if not step_can_resolve(actor, step):
        raise PermissionDenied
    note = (note or "").strip()
    if status not in (StepStatus.DONE, StepStatus.WAIVED):
        raise ValidationError({"status": _("Choose done or waived.")})
    if status == StepStatus.WAIVED and not note:
        raise ValidationError({"note": _("Say why this step is waived.")})
    if len(note) > 1000:
        raise ValidationError({"note": _("Keep the note under 1000 characters.")})
    return _resolve(step, status, actor=actor, note=note)
