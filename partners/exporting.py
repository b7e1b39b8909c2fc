"""Partner export in the import's own columns (plus status and tier), so files round-trip."""

from __future__ import annotations

import csv
import io

from django.db.models import QuerySet

from prm.core.spreadsheets import text_cell

from .importing import COLUMNS, EXPORT_ONLY_COLUMNS
from .models import Partner

EXPORT_COLUMNS = [*COLUMNS, *EXPORT_ONLY_COLUMNS]


def _rows(partners: QuerySet[Partner]) -> list[list[str]]:
    rows = []
    for p in partners.select_related("channel_manager", "tier"):
        # What people typed goes through text_cell: a name like =HYPERLINK(...) stays text.
        rows.append([
            text_cell(p.name), text_cell(p.name_en), p.credit_code or "", p.partner_type,
            text_cell(p.region), text_cell(p.city), text_cell(p.contact_name),
            text_cell(p.contact_phone),
            text_cell(p.channel_manager.email) if p.channel_manager else "",
            str(p.credit_limit), str(p.payment_terms_days), p.status,
            text_cell(p.tier.code) if p.tier else "",
        ])  # fmt: skip
    return rows


def partners_export(partners: QuerySet[Partner], fmt: str) -> tuple[bytes, str, str]:
    """Return (content, content type, file name)."""
    rows = [EXPORT_COLUMNS, *_rows(partners)]
    if fmt == "xlsx":
        import openpyxl

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("partners")
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        return (
            buffer.getvalue(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "partners.xlsx",
        )
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    # BOM so Excel opens UTF-8 Chinese correctly.
    return ("\ufeff" + text.getvalue()).encode("utf-8"), "text/csv; charset=utf-8", "partners.csv"
