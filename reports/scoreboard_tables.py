"""The scoreboard's tables (one definition for the page, CSV, XLSX and the document), its
charts, and how its numbers read in the reader's language."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from prm.core.templatetags.humanize_money import money

from .charts import chart, series
from .scoreboard import Purchases, TargetLine, growth
from .tables import MONEY, NUMBER, PERCENT, TEXT, Column, Table

PURCHASES = "purchases"
TARGETS = "targets"
TENTH = Decimal("0.1")


def percent_text(value: Decimal | None) -> str:
    """A fraction as the reader's language writes a percentage: 0.6667 -> 66.7%."""
    if value is None:
        return "—"
    # number_format cuts digits off; round half-up first, as everywhere else.
    shown = (value * 100).quantize(TENTH, rounding=ROUND_HALF_UP)
    return number_format(shown, decimal_pos=1, use_l10n=True, force_grouping=True) + "%"


def cell_text(value: Any, kind: str, currency: str) -> str:
    if value is None:
        return "—"
    if kind == MONEY:
        return money(value, currency)
    if kind == PERCENT:
        return percent_text(value)
    if kind == NUMBER:
        return number_format(value, use_l10n=True, force_grouping=True)
    return str(value)


def purchases_table(figures: Purchases) -> Table:
    rows: list[list[Any]] = [
        [f"{month:%Y-%m}", now, before, growth(now, before)]
        for month, now, before in zip(
            figures.months, figures.amounts, figures.last_year, strict=True
        )
    ]
    total, before = figures.total, figures.total_last_year
    return Table(
        key=PURCHASES,
        title=_("Purchases by month"),
        columns=[
            Column(_("Month"), TEXT),
            Column(str(figures.year), MONEY),
            Column(str(figures.previous_year), MONEY),
            Column(_("Year on year"), PERCENT),
        ],
        rows=rows,
        footer=[_("Total"), total, before, growth(total, before)],
    )


def _target_row(label: str, line: TargetLine) -> list[Any]:
    return [label, line.target, line.purchased, line.achievement, line.remaining]


def targets_table(figures: Purchases) -> Table:
    return Table(
        key=TARGETS,
        title=_("Targets and achievement"),
        columns=[
            Column(_("Quarter"), TEXT),
            Column(_("Target"), MONEY),
            Column(_("Purchased"), MONEY),
            Column(_("Achievement"), PERCENT),
            Column(_("Still to reach the target"), MONEY),
        ],
        rows=[_target_row(f"{figures.year} {q.label}", q) for q in figures.quarters],
        footer=_target_row(_("Year %(year)s") % {"year": figures.year}, figures.year_target),
    )


def scoreboard_tables(figures: Purchases) -> dict[str, Table]:
    return {PURCHASES: purchases_table(figures), TARGETS: targets_table(figures)}


def purchases_chart(figures: Purchases) -> dict[str, Any]:
    return chart(
        "bar",
        [date_format(month, "M") for month in figures.months],
        [
            series(str(figures.year), figures.amounts),
            series(str(figures.previous_year), figures.last_year),
        ],
        title=_("Purchases by month, %(year)s and %(last)s")
        % {"year": figures.year, "last": figures.previous_year},
    )


def achievement_chart(figures: Purchases) -> dict[str, Any]:
    return chart(
        "bar",
        [q.label for q in figures.quarters],
        [
            series(_("Target"), [q.target for q in figures.quarters]),
            series(_("Purchased"), [q.purchased for q in figures.quarters]),
        ],
        title=_("Target and purchases by quarter, %(year)s") % {"year": figures.year},
    )


def table_display(table: Table, currency: str, *, current: int | None = None) -> dict[str, Any]:
    """The table as the page shows it: every cell already written for the reader's language;
    row `current` (an index) is highlighted."""

    def cells(values: list[Any]) -> list[tuple[str, bool]]:
        return [
            (cell_text(v, c.kind, currency), c.kind != TEXT)
            for v, c in zip(values, table.columns, strict=True)
        ]

    return {
        "key": table.key,
        "title": table.title,
        "headers": [(c.label, c.kind != TEXT) for c in table.columns],
        "rows": [
            {"cells": cells(row), "current": index == current}
            for index, row in enumerate(table.rows)
        ],
        "footer": cells(table.footer) if table.footer else None,
    }
