"""Showing stored scorecard explanations (JSON) in the reader's language."""

from __future__ import annotations

from typing import Any

from django import template

from prm.core.bilingual import pick

from ..models import Metric

register = template.Library()


@register.filter
def criterion_label(line: dict[str, Any]) -> str:
    """Built-in metrics use their live translated name; custom KPIs their stored names."""
    metric = line.get("metric", "")
    if metric and metric != Metric.CUSTOM and metric in Metric.values:
        return str(Metric(metric).label)
    return pick(line.get("label", ""), line.get("label_en", ""))


@register.filter
def tier_name(tier: dict[str, Any] | None) -> str:
    if not tier:
        return "—"
    return pick(tier.get("name", ""), tier.get("name_en", ""))


@register.simple_tag
def live_scorecard(partner: Any) -> dict[str, Any] | None:
    """The partner page's scorecard: computed now, by the same code as the nightly run."""
    from ..selectors import partner_scorecard

    return partner_scorecard(partner)


@register.simple_tag
def recent_tier_changes(partner: Any) -> list[Any]:
    from ..models import TierChange

    return list(
        TierChange.objects.filter(partner=partner)
        .select_related("from_tier", "to_tier", "actor", "proposal")
        .order_by("-pk")[:5]
    )
