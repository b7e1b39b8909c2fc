"""Showing `reports.tables.Table` cells by column kind."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from prm.core.templatetags.humanize_money import money, percent

from ..tables import MONEY, NUMBER, PERCENT, Table

register = template.Library()


@register.filter
def cell(value: Any, kind: str) -> str:
    if value is None or value == "":
        return "—"
    if kind == MONEY:
        return money(value)
    if kind == PERCENT:
        return percent(value)
    if kind == NUMBER and isinstance(value, Decimal | int):
        return f"{value:,}"
    return str(value)


@register.simple_tag
def table_rows(table: Table, rows: Any = None) -> list[tuple[list[tuple[Any, str]], str | None]]:
    """[(cells as (value, kind), link)] for the table's rows, or for a page of (row, link)."""
    # A template passing no `rows` hands over "" (an unknown variable), not None.
    pairs = (
        rows
        if rows not in (None, "")
        else zip(table.rows, table.links or [None] * len(table.rows), strict=False)
    )
    kinds = [c.kind for c in table.columns]
    return [(list(zip(row, kinds, strict=True)), link) for row, link in pairs]


@register.simple_tag
def footer_cells(table: Table) -> list[tuple[Any, str]]:
    return list(zip(table.footer or [], [c.kind for c in table.columns], strict=False))
