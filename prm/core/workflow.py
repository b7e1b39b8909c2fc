"""Status machines kept as data: one `transition()` checks a move, saves, records history.

The audit event comes with the save (django-auditlog logs the status field old → new in the same
transaction), carrying the reason in its additional data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _


class InvalidTransition(ValidationError):
    pass


def transition_start(
    obj: models.Model,
    *,
    history_model: type[models.Model],
    history_fk: str,
    actor: Any = None,
    reason: str = "",
) -> models.Model:
    """The first history row of a new record ("— → its initial status"); call it on create."""
    return history_model._default_manager.create(
        **{history_fk: obj},
        from_status="",
        to_status=obj.status,  # type: ignore[attr-defined]
        reason=reason,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


def transition(
    obj: models.Model,
    to_status: str,
    *,
    table: Mapping[str, set[str]],
    history_model: type[models.Model],
    history_fk: str,
    actor: Any = None,
    reason: str = "",
    status_field: str = "status",
) -> models.Model:
    """Move `obj` to `to_status` if `table` allows it, under a row lock; write a history row."""
    model = type(obj)
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=obj.pk)
        current = getattr(locked, status_field)
        if to_status not in table.get(current, set()):
            # People read this on a page that went stale: name the statuses as they see them.
            labels = getattr(history_model, "status_labels", {})
            raise InvalidTransition(
                _("Cannot change status from %(from)s to %(to)s.")
                % {"from": labels.get(current, current), "to": labels.get(to_status, to_status)}
            )
        setattr(locked, status_field, to_status)
        locked._audit_reason = reason  # type: ignore[attr-defined]
        locked.save(update_fields=[status_field])
        history_model._default_manager.create(
            **{history_fk: locked},
            from_status=current,
            to_status=to_status,
            reason=reason,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
        )
    setattr(obj, status_field, to_status)
    return locked
