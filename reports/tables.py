"""A report table as data, so one definition serves the page, CSV, XLSX and the PDF.

Every table of the cockpit, the scoreboard and the forecast roll-up is a `Table`; the views
render it with `templates/reports/_table.html` and export it with `table_response`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.functional import Promise
from django.utils.text import slugify

from prm.core.spreadsheets import text_cell

MONEY = "money"
NUMBER = "number"
PERCENT = "percent"  # a Decimal fraction: 0.1234 is shown as 12.3%
TEXT = "text"


@dataclass(frozen=True)
class Column:
    label: str | Promise  # lazy, so a table built at import time follows the reader's language
    kind: str = TEXT


@dataclass
class Table:
    key: str  # stable, ascii: the export's file name and the `table=` parameter
    title: str | Promise
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    links: list[str | None] = field(default_factory=list)  # drill-down per row, or None
    footer: list[Any] | None = None

    def records(self) -> list[list[Any]]:
        return self.rows + ([self.footer] if self.footer else [])


def _csv_cell(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if kind == PERCENT and isinstance(value, Decimal):
        return f"{value:.4f}"
    if isinstance(value, str):
        return text_cell(value)
    return value


def table_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(c.label) for c in table.columns])
    for row in table.records():
        writer.writerow([_csv_cell(v, c.kind) for v, c in zip(row, table.columns, strict=True)])
    # A byte-order mark so Excel opens Chinese text as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def table_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = table.key[:31]
    sheet.append([str(c.label) for c in table.columns])
    formats = {MONEY: "#,##0.00", PERCENT: "0.0%", NUMBER: "#,##0.##"}
    for row in table.records():
        sheet.append([text_cell(v) if isinstance(v, str) else v for v in row])
        for index, column in enumerate(table.columns, start=1):
            if column.kind in formats:
                sheet.cell(row=sheet.max_row, column=index).number_format = formats[column.kind]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def table_response(table: Table, fmt: str, *, stamp: date | None = None) -> HttpResponse:
    """The table as a download; `fmt` is "csv" or "xlsx"."""
    body = table_csv(table) if fmt == "csv" else table_xlsx(table)
    name = slugify(table.key) + (f"-{stamp:%Y%m%d}" if stamp else "")
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
