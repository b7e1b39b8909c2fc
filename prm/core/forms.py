"""Showing a service's refusal on the form that asked for it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import BaseForm


def attach_errors(form: BaseForm, exc: ValidationError) -> None:
    """Put each error of `exc` at its field when the form has that field, else above the form:
    services validate again and speak in model field names."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def form_errors(form: BaseForm) -> str:
    """Every error of a bound form as one line, for a flash message."""
    return " ".join(str(e) for errors in form.errors.values() for e in errors)
