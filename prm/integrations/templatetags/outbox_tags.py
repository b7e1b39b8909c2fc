"""Showing outbox event codes by their names."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from prm.integrations.events import event_label as _event_label

register = template.Library()


@register.filter
def event_label(code: str) -> str:
    return _event_label(code)


@register.filter
def event_labels(codes: Iterable[str]) -> str:
    return "、".join(_event_label(code) for code in codes)
