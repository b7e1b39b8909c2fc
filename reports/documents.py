"""Dashboards as printable documents: the PDF download and the scheduled email both render a
`ReportDocument`, which each dashboard builds for a user and its filters.

A dashboard registers its builder with `@document_builder(ReportKind.X)`; the builder must apply
the same visibility as its page (a partner user sees only its own figures).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from .tables import Table


@dataclass(frozen=True)
class Figure:
    label: str
    value: str  # already formatted for the reader's language
    note: str = ""


@dataclass
class ReportDocument:
    title: str
    subtitle: str  # the period and the filters in words
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


Builder = Callable[[Any, QueryDict], ReportDocument]
BUILDERS: dict[str, Builder] = {}


def document_builder(kind: str) -> Callable[[Builder], Builder]:
    def register(fn: Builder) -> Builder:
        BUILDERS[kind] = fn
        return fn

    return register


def document_build(kind: str, user: Any, query: QueryDict) -> ReportDocument:
    """Build the report `kind` as `user` would see it with filters `query`."""
    from . import builders  # noqa: F401  (registers every builder)

    return BUILDERS[kind](user, query)


def filters_refused(form: forms.Form) -> ValidationError:
    """A document's filters that do not validate, each named: a printed or mailed report must
    say what it covers, so a filter that no longer holds is refused, not widened to "all"."""
    return ValidationError(
        [
            f"{form.fields[name].label if name in form.fields else name}: {message}"
            for name, messages in form.errors.items()
            for message in messages
        ]
    )
