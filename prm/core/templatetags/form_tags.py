"""Rendering any form widget with the Bootstrap class it needs, errors included."""

from __future__ import annotations

from django import template
from django.forms import BoundField, Form
from django.utils.safestring import SafeString

register = template.Library()

_CLASSES = {
    "select": "form-select",
    "selectmultiple": "form-select",
    "checkbox": "form-check-input",
}


@register.filter
def bootstrap_widget(field: BoundField) -> SafeString:
    css = _CLASSES.get(field.widget_type, "form-control")
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})


@register.filter
def fields_named(form: Form, names: str) -> list[BoundField]:
    """The bound fields of `form` named in the space-separated `names`, in that order; lets a
    template lay a long form out in sections without listing each field's markup."""
    return [form[name] for name in names.split()]
