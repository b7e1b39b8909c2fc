"""A `ReportDocument` printed as a PDF (A4 landscape, Chinese glyphs through prm.core.pdf).

Charts are drawn by JavaScript in the browser, which a PDF does not run; each table instead
gets a column of plain CSS bars for its first money column (else its first count), so the
printed report still shows proportions at a glance.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.text import slugify

from prm.core.pdf import pdf_render
from prm.core.templatetags.humanize_money import money, percent
from prm.tenancy.selectors import current_tenant, tenant_zone

from .documents import ReportDocument
from .tables import MONEY, NUMBER, PERCENT, TEXT, Table

BAR_KINDS = (MONEY, NUMBER)  # in order of preference


@dataclass(frozen=True)
class PrintedCell:
    text: str
    numeric: bool


@dataclass(frozen=True)
class PrintedRow:
    cells: list[PrintedCell]
    bar: int | None  # 0-100: the row's share of the largest value in the bar column


@dataclass
class PrintedTable:
    title: str
    headers: list[PrintedCell]
    rows: list[PrintedRow]
    footer: list[PrintedCell] | None
    bar_label: str  # "" when the table has no column to draw bars for


def cell_text(value: Any, kind: str, currency: str) -> str:
    if value is None or value == "":
        return "—"
    if kind == MONEY:
        return money(value, currency)
    if kind == PERCENT:
        return percent(value)
    if kind == NUMBER and isinstance(value, Decimal | int):
        return f"{value:,}"
    return str(value)


def _bar_column(table: Table) -> int | None:
    for kind in BAR_KINDS:
        for index, column in enumerate(table.columns):
            if column.kind == kind:
                return index
    return None


def _bars(table: Table, index: int | None) -> list[int | None]:
    if index is None:
        return [None] * len(table.rows)
    values = [
        abs(Decimal(row[index])) if isinstance(row[index], Decimal | int) else Decimal(0)
        for row in table.rows
    ]
    largest = max(values, default=Decimal(0))
    if not largest:
        return [0] * len(values)
    return [int((v * 100 / largest).to_integral_value()) for v in values]


def printed_table(table: Table, currency: str) -> PrintedTable:
    kinds = [c.kind for c in table.columns]

    def cells(row: list[Any]) -> list[PrintedCell]:
        return [
            PrintedCell(cell_text(v, k, currency), k != TEXT)
            for v, k in zip(row, kinds, strict=False)
        ]

    bar = _bar_column(table)
    return PrintedTable(
        title=str(table.title),
        headers=[PrintedCell(str(c.label), c.kind != TEXT) for c in table.columns],
        rows=[
            PrintedRow(cells(row), share)
            for row, share in zip(table.rows, _bars(table, bar), strict=True)
        ],
        footer=cells(table.footer) if table.footer else None,
        bar_label=str(table.columns[bar].label) if bar is not None else "",
    )


def document_pdf(doc: ReportDocument) -> bytes:
    """The document in the current language (builders already wrote it in that language)."""
    tenant = current_tenant()
    return pdf_render(
        "reports/pdf/document.html",
        {
            "doc": doc,
            "tables": [printed_table(t, tenant.currency) for t in doc.tables],
            "vendor_name": tenant.name,
            "generated_at": timezone.localtime(timezone.now(), tenant_zone()),
            "time_zone": tenant.time_zone,
        },
        language=translation.get_language() or tenant.default_language,
    )


def document_filename(kind: str) -> str:
    stamp = timezone.localtime(timezone.now(), tenant_zone())
    return f"{slugify(kind)}-{stamp:%Y%m%d}.pdf"
