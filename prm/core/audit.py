"""Reading the audit trail (django-auditlog writes it in the same transaction as each change)."""

from __future__ import annotations

from collections.abc import Iterable

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.db.models import Model, QuerySet


def audit_register(model: type[Model], *, exclude: Iterable[str] = ()) -> None:
    """Log a model's own columns; auditlog would otherwise list every reverse relation too."""
    skipped = set(exclude)
    fields = [f.name for f in model._meta.concrete_fields if f.name not in skipped]
    auditlog.register(model, include_fields=fields)


def audit_events_for(obj: Model, *, limit: int = 50) -> QuerySet[LogEntry]:
    return (
        LogEntry.objects.get_for_object(obj).select_related("actor").order_by("-timestamp")[:limit]
    )
