"""Shared builders for the onboarding tests."""

from __future__ import annotations

from typing import Any

from partners.onboarding.models import OnboardingStep, OnboardingStepTemplate, StepKind

DEFAULT_CODES = ["sign-agreement", "business-licence", "required-courses", "invite-team"]


def codes(partner: Any) -> list[str]:
    return list(
        OnboardingStep.objects.filter(partner=partner)
        .order_by("template__position", "template_id")
        .values_list("template__code", flat=True)
    )


def statuses(partner: Any) -> dict[str, str]:
    return dict(
        OnboardingStep.objects.filter(partner=partner).values_list("template__code", "status")
    )


def step(partner: Any, code: str) -> OnboardingStep:
    return OnboardingStep.objects.select_related("template", "partner").get(
        partner=partner, template__code=code
    )


def make_template(code: str, **kw: Any) -> OnboardingStepTemplate:
    return OnboardingStepTemplate.objects.create(
        code=code,
        kind=kw.pop("kind", StepKind.CUSTOM),
        title=kw.pop("title", f"步骤{code}"),
        title_en=kw.pop("title_en", f"Step {code}"),
        position=kw.pop("position", 50),
        **kw,
    )
