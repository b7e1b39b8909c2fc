"""The audit timeline's readable changes, prepared for the whole list at once (bounded queries)."""

from __future__ import annotations

from collections.abc import Iterable

from auditlog.models import LogEntry
from django import template

from prm.core.audit import AuditChange, audit_changes

register = template.Library()


@register.filter
def audit_rows(events: Iterable[LogEntry] | None) -> list[tuple[LogEntry, list[AuditChange]]]:
    return audit_changes(events or [])
