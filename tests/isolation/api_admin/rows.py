"""One row of any model, for admin pages that need an existing object.

The admin matrix opens the change, history and delete page of every registered model; most
models have no factory, so a row is made from the model's own field definitions: required
fields get a plausible value, foreign keys a row of their own. Rows are saved without their
model's `save()` logic (bulk_create): the pages under test read them, nothing else does.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.tenancy.selectors import tenant_today
from tests.factories import make_partner, make_user

_seq = itertools.count(1)


class NoRow(Exception):
    """The model's constraints need more than its field definitions tell."""


def _value(field: models.Field, marker: str) -> Any:
    n = next(_seq)
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.EmailField):
        return f"{marker}-{n}@example.test"
    if isinstance(field, models.URLField):
        return f"https://example.test/{marker}-{n}"
    if isinstance(field, models.GenericIPAddressField):
        return "192.0.2.1"
    if isinstance(field, models.FileField):
        return f"isolation/{marker}-{n}.txt"
    if isinstance(field, (models.CharField, models.TextField)):
        return f"{marker}-{n}"[: field.max_length or 200]
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, (models.SmallIntegerField, models.PositiveSmallIntegerField)):
        return n % 1000 + 1
    if isinstance(field, models.IntegerField):  # Big, Positive... are subclasses
        return n
    if isinstance(field, models.DecimalField):
        return Decimal("1")
    if isinstance(field, models.FloatField):
        return 1.0
    if isinstance(field, models.DateTimeField):
        return timezone.now()
    if isinstance(field, models.DateField):
        return tenant_today()
    if isinstance(field, models.TimeField):
        return time(9, 0)
    if isinstance(field, models.DurationField):
        return timedelta(days=1)
    if isinstance(field, models.UUIDField):
        return uuid.uuid4()
    if isinstance(field, models.JSONField):
        return {}
    if isinstance(field, ArrayField):
        return []
    if isinstance(field, models.BinaryField):
        return b""
    raise NoRow(f"no value for {field!r}")


def _related(field: models.Field, marker: str) -> Any:
    target = field.related_model
    assert isinstance(target, type)
    assert issubclass(target, models.Model)
    if target is User:
        return User.objects.filter(role=Role.ADMIN).order_by("pk").first() or make_user()
    if field.one_to_one:
        return row_new(target, marker)
    return row_any(target, marker)


def _given(label: str, marker: str) -> dict[str, Any]:
    """What a model's check constraints need beyond its field definitions."""
    if label == "orders.PriceList":
        return {"kind": "region", "region": marker}
    if label == "orders.Promotion":
        return {"percent": Decimal("5")}
    if label == "reports.SalesTarget":
        return {"quarter": 1}
    if label == "integrations.Delivery":
        from prm.integrations.models import WebhookEndpoint

        return {"webhook": row_any(WebhookEndpoint, marker)}
    return {}


def row_new(model: type[models.Model], marker: str) -> models.Model:
    """A new row of `model`; text fields carry `marker`."""
    if model is User:
        return make_user(Role.SALES, full_name=marker)
    if model._meta.label == "partners.Partner":
        return make_partner(name=f"{marker}有限公司")
    values: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.auto_created or getattr(field, "auto_now_add", False):
            continue
        if field.is_relation:
            if not field.null:
                values[field.name] = _related(field, marker)
            continue
        if not (field.has_default() or field.null):
            values[field.name] = _value(field, marker)
    values.update(_given(model._meta.label, marker))
    try:
        with transaction.atomic():
            return model._base_manager.bulk_create([model(**values)])[0]
    except (IntegrityError, ValueError, TypeError) as exc:
        raise NoRow(f"{model._meta.label}: {exc}") from exc


def row_any(model: type[models.Model], marker: str) -> models.Model:
    """The first row of `model` in this schema, or a new one."""
    found = model._base_manager.order_by("pk").first()
    return found if found is not None else row_new(model, marker)
