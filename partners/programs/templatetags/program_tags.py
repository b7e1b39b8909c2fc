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
