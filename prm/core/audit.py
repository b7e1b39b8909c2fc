"""Reading the audit trail (django-auditlog writes it in the same transaction as each change)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Field, Model, QuerySet
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.text import Truncator
from django.utils.translation import gettext

EMPTY = "—"
_MAX_CHARS = 140
_INTEGERS = {
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
}


@dataclass(frozen=True)
class AuditChange:
    label: str
    old: str
    new: str


def audit_register(
    model: type[Model], *, exclude: Iterable[str] = (), m2m: Iterable[str] = ()
) -> None:
    """Log a model's own columns (and the many-to-many fields named in `m2m`); auditlog would
    otherwise list every reverse relation too."""
    skipped = set(exclude)
    fields = [f.name for f in model._meta.concrete_fields if f.name not in skipped]
    auditlog.register(model, include_fields=fields, m2m_fields=set(m2m))


def audit_events_for(obj: Model, *, limit: int = 50) -> QuerySet[LogEntry]:
    return (
        LogEntry.objects.get_for_object(obj).select_related("actor").order_by("-timestamp")[:limit]
    )


def audit_changes(events: Iterable[LogEntry]) -> list[tuple[LogEntry, list[AuditChange]]]:
    """Each event with its changes as people read them.

    auditlog stores every value as a string ("None", "False", a bare foreign key), and its own
    `changes_display_dict` runs one query per foreign key per event; here related names are
    fetched once per related model for the whole timeline.
    """
    events = list(events)
    names = _related_names(events)
    return [(event, _changes(event, names)) for event in events]


def _field(event: LogEntry, name: str) -> Field | None:
    # get_for_id is cached per process, so this costs no query per event.
    model = ContentType.objects.get_for_id(event.content_type_id).model_class()
    try:
        field = model._meta.get_field(name) if model else None
    except FieldDoesNotExist:
        return None
    # Only columns are logged; a reverse relation or generic FK has nothing to show here.
    return field if isinstance(field, Field) else None


def _pairs(event: LogEntry) -> Iterable[tuple[str, Field | None, list[str]]]:
    for name, values in (event.changes_dict or {}).items():
        field = _field(event, name)
        # The primary key is only ever "None → 1" on creation: noise, not a change.
        if (field is not None and field.primary_key) or name == "id":
            continue
        # m2m entries are dicts; audit_register logs columns only, but older rows may differ.
        if isinstance(values, list | tuple) and len(values) == 2:
            yield name, field, [_as_text(v) for v in values]


def _as_text(value: Any) -> str:
    # AUDITLOG_STORE_JSON_CHANGES keeps Python values; the default keeps their str().
    return "None" if value is None else str(value)


def _target(field: Field | None) -> type[Model] | None:
    """The model a foreign-key column points at; None for any other column."""
    if field is None or not field.concrete or not (field.many_to_one or field.one_to_one):
        return None
    related = field.related_model
    return related if isinstance(related, type) and issubclass(related, Model) else None


def _related_names(events: list[LogEntry]) -> dict[tuple[type[Model], str], str]:
    wanted: dict[type[Model], set[str]] = defaultdict(set)
    for event in events:
        for _name, field, values in _pairs(event):
            if target := _target(field):
                wanted[target].update(v for v in values if v not in ("None", ""))
    names = {}
    for model, raw in wanted.items():
        keys: dict[Any, str] = {}
        for value in raw:
            try:
                keys[model._meta.pk.to_python(value)] = value
            except ValidationError:
                continue
        for pk, obj in model._default_manager.in_bulk(list(keys)).items():
            names[(model, keys[pk])] = getattr(obj, "display_name", None) or str(obj)
    return names


def _changes(event: LogEntry, names: dict[tuple[type[Model], str], str]) -> list[AuditChange]:
    mapping: dict[str, str] = {}
    model = ContentType.objects.get_for_id(event.content_type_id).model_class()
    if model and auditlog.contains(model):
        mapping = auditlog.get_model_fields(model)["mapping_fields"]
    # jsonb keeps keys in its own order; the form's field order reads better.
    order = {f.name: i for i, f in enumerate(model._meta.fields)} if model else {}
    changes = []
    for name, field, (old, new) in sorted(_pairs(event), key=lambda p: order.get(p[0], 1 << 16)):
        label = mapping.get(name) or (str(field.verbose_name) if field is not None else name)
        shown = _display(field, new, names)
        if event.action == LogEntry.Action.CREATE and shown == EMPTY:
            continue  # a new record's blank fields say nothing
        changes.append(AuditChange(label, _display(field, old, names), shown))
    return changes + _m2m_changes(event, mapping)


def _m2m_changes(event: LogEntry, mapping: dict[str, str]) -> list[AuditChange]:
    """auditlog logs many-to-many edits as {"type": "m2m", "operation", "objects"}."""
    changes = []
    for name, values in (event.changes_dict or {}).items():
        if not (isinstance(values, dict) and values.get("type") == "m2m"):
            continue
        field = _field(event, name)
        label = mapping.get(name) or (str(field.verbose_name) if field is not None else name)
        objects = "、".join(str(o) for o in values.get("objects", [])) or EMPTY
        added = values.get("operation") == "add"
        changes.append(AuditChange(label, EMPTY if added else objects, objects if added else EMPTY))
    return changes


def _display(field: Field | None, value: str, names: dict[tuple[type[Model], str], str]) -> str:
    if value in ("None", ""):
        return EMPTY
    if field is not None and field.choices:
        labels = {str(key): label for key, label in field.flatchoices}
        return str(labels.get(value, value))
    if value in ("True", "False"):
        return gettext("Yes") if value == "True" else gettext("No")
    if target := _target(field):
        return names.get((target, value), value)
    kind = field.get_internal_type() if field is not None else ""
    text = _formatted(kind, value)
    return Truncator(text).chars(_MAX_CHARS)


def _formatted(kind: str, value: str) -> str:
    """Numbers grouped like the money filter, times in the reader's zone like the timeline."""
    try:
        if kind == "DecimalField":
            return f"{Decimal(value):,}"
        if kind in _INTEGERS:
            return f"{int(value):,}"
        if kind in ("DateTimeField", "DateField"):
            moment = datetime.fromisoformat(value)
            if kind == "DateField":
                return date_format(moment, "Y-m-d")
            if timezone.is_naive(moment):
                # auditlog stores datetimes as naive UTC.
                moment = moment.replace(tzinfo=UTC)
            return date_format(timezone.localtime(moment), "Y-m-d H:i")
    except (InvalidOperation, ValueError):
        pass
    return value
