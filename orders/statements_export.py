"""A statement as a PDF (weasyprint, CJK font) and as an XLSX workbook (openpyxl).

Both are printed in the vendor's language and time zone, whoever downloads them, so the file a
partner keeps and the one finance keeps read the same.
"""

from __future__ import annotations

import io
import zoneinfo
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from orders.models import Statement, StatementLine
from prm.core.pdf import pdf_render
from prm.core.spreadsheets import text_cell
from prm.tenancy.selectors import current_tenant

from .statements import statement_lines

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"


def statement_filename(statement: Statement, extension: str) -> str:
    return f"{statement.number}-{statement.period:%Y-%m}.{extension}"


def _summary(statement: Statement) -> list[tuple[str, Decimal]]:
    """(label, amount) in print order; call inside the vendor's language."""
    return [
        (_("Opening balance"), statement.opening_balance),
        (_("Orders"), statement.orders_total),
        (_("Payments and top-ups"), statement.payments_total),
        (_("Returns and refunds"), statement.returns_total),
        (_("Rebate credits"), statement.rebates_total),
        (_("Adjustments"), statement.other_total),
        (_("Closing balance"), statement.closing_balance),
    ]


def _lines(statement: Statement) -> list[StatementLine]:
    return list(statement_lines(statement))


def statement_pdf(statement: Statement) -> bytes:
    tenant = current_tenant()
    language = tenant.default_language
    with (
        timezone.override(zoneinfo.ZoneInfo(tenant.time_zone)),
        translation.override(language),
    ):
        context: dict[str, Any] = {
            "statement": statement,
            "partner": statement.partner,
            "vendor_name": tenant.name,
            "currency": tenant.currency,
            "summary": _summary(statement),
            "lines": _lines(statement),
        }
        return pdf_render("pdf/statement.html", context, language=language)


def _local(moment: Any, tz: zoneinfo.ZoneInfo) -> Any:
    # Excel has no time zones: write the vendor's wall-clock time.
    return timezone.localtime(moment, tz).replace(tzinfo=None)


def statement_xlsx(statement: Statement) -> bytes:
    """One sheet: the header facts, the summary block, then the lines; amounts are numbers."""
    import openpyxl
    from openpyxl.styles import Font

    tenant = current_tenant()
    tz = zoneinfo.ZoneInfo(tenant.time_zone)
    partner = statement.partner
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    bold = Font(bold=True)
    with translation.override(tenant.default_language):
        sheet.title = statement.number
        sheet.append([_("Reconciliation statement"), statement.number])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        for label, value in (
            (_("Vendor"), text_cell(tenant.name)),
            (_("Partner"), text_cell(partner.name)),
            (_("Unified social credit code"), partner.credit_code or ""),
            (_("Month"), f"{statement.period:%Y-%m}"),
            (_("Currency"), tenant.currency),
            (_("Status"), str(statement.get_status_display())),
        ):
            sheet.append([label, value])
        sheet.append([])
        for label, amount in _summary(statement):
            sheet.append([label, amount])
            cell = sheet.cell(row=sheet.max_row, column=2)
            cell.number_format = MONEY_FORMAT
        sheet.cell(row=sheet.max_row, column=1).font = bold
        sheet.cell(row=sheet.max_row, column=2).font = bold
        sheet.append([])
        sheet.append([_("Date"), _("Description"), _("Amount"), _("Balance")])
        for column in range(1, 5):
            sheet.cell(row=sheet.max_row, column=column).font = bold
        for line in _lines(statement):
            sheet.append(
                [_local(line.booked_at, tz), text_cell(line.description), line.amount, line.balance]
            )
            row = sheet.max_row
            sheet.cell(row=row, column=1).number_format = "yyyy-mm-dd hh:mm"
            sheet.cell(row=row, column=3).number_format = MONEY_FORMAT
            sheet.cell(row=row, column=4).number_format = MONEY_FORMAT
    for letter, width in zip("ABCD", (26, 60, 16, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
