"""Lets the embedded partials load their own data, so host pages only need `partner`."""

from __future__ import annotations

from typing import Any

from django import template

from .. import selectors

register = template.Library()


@register.simple_tag
def onboarding_summary(partner: Any) -> dict[str, Any]:
    return selectors.onboarding_summary(partner)


@register.filter
def onboarding_hint(step: Any) -> str:
    return selectors.step_hint(step)


@register.filter
def onboarding_action_url(step: Any) -> str:
    return selectors.step_action_url(step.template.kind)
