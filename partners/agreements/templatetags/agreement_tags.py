"""Lets the embedded panels load their own rows, so host pages only need `partner`."""

from __future__ import annotations

from typing import Any

from django import template

from ..models import Agreement
from ..selectors import agreements_awaiting_signature

register = template.Library()


@register.simple_tag
def partner_agreements(partner: Any) -> list[Agreement]:
    return list(
        Agreement.objects.filter(partner=partner)
        .select_related("template")
        .order_by("-created_at", "-pk")[:10]
    )


@register.simple_tag
def agreements_to_sign(partner: Any) -> list[Agreement]:
    return list(agreements_awaiting_signature(partner).select_related("template"))
