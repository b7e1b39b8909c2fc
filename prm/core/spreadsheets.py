"""Spreadsheets out and in.

Out: text someone typed must not run as a formula when a spreadsheet opens an exported CSV or
XLSX file (CSV injection), so every export writes text through `text_cell`, which prefixes text
starting like a formula with a quote.

In: `table_read` is how every importer reads an uploaded CSV (UTF-8 with or without BOM, or
GB18030/GBK as Chinese Excel saves it) or XLSX (first sheet). Whatever is wrong with the file as a
whole (not text, not a workbook, a zip bomb, too many rows, a missing, unknown or repeated column,
a value under no heading) is one ValidationError listing every problem, raised before a single
row is handed over, so a broken file saves nothing. A formula in a cell is read as its text and
never evaluated, and a quote our own export put in front of one is taken off again.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .files import SIGNATURES, safe_filename, workbook_check

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# An import is a few thousand rows: its sheet unpacks to a few MB. More is a zip bomb, and
# openpyxl would hold its shared strings in memory.
MAX_IMPORT_UNPACKED = 25 * 1024 * 1024
# Bytes no CSV starts with: archives, PDFs, images and executables renamed .csv.
BINARY_STARTS = (*(s for kinds in SIGNATURES.values() for s in kinds), b"MZ", b"\x7fELF")
MAX_STRAY_REPORTED = 10

Rows = list[tuple[int, dict[str, str]]]


def text_cell(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_START) else value


def text_uncell(value: str) -> str:
    """An imported cell as its text: the quote `text_cell` put in front of a formula-like text
    comes off, so an exported file imports back as it was."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_START) else value


def cell_text(value: Any) -> str:
    """A cell as the text a person typed: dates as YYYY-MM-DD, 3.0 as 3, a formula as its text."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time.min else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    value = getattr(value, "text", value)  # openpyxl's ArrayFormula: its formula text
    return text_uncell(str(value).strip())


def _unreadable() -> ValidationError:
    return ValidationError(
        _("The file could not be read. Save it as CSV (UTF-8 or GB18030) or XLSX."),
        code="unreadable",
    )


def _csv_rows(raw: bytes) -> Iterator[list[str]]:
    if raw.startswith(BINARY_STARTS) or b"\x00" in raw:
        raise _unreadable()  # UTF-16 "Unicode text" has NULs too
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            # Excel in China saves CSV as GB18030 (GBK) unless told otherwise.
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise _unreadable() from None
    try:
        for row in csv.reader(io.StringIO(text)):
            yield [text_uncell(cell.strip()) for cell in row]
    except csv.Error:  # a field past the csv module's size limit, a stray quote at the end
        raise _unreadable() from None


def _xlsx_rows(raw: bytes, name: str) -> Iterator[list[str]]:
    import openpyxl

    buffer = io.BytesIO(raw)
    try:
        workbook_check(buffer, name=name, max_unpacked=MAX_IMPORT_UNPACKED)
    except ValidationError as exc:
        if exc.code == "too_big":
            raise
        raise _unreadable() from None
    try:
        # data_only=False: a formula is read as its text, never as the result Excel cached.
        book = openpyxl.load_workbook(buffer, read_only=True, data_only=False)
    except Exception:  # openpyxl reports broken workbooks with many exception types
        raise _unreadable() from None
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [cell_text(cell) for cell in row]
    except ValidationError:
        raise
    except Exception:
        raise _unreadable() from None
    finally:
        book.close()


def _grid(upload: Any, *, max_rows: int) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header row, and (row number, cells) per non-blank row after it: blank rows are
    skipped but keep their numbers, so a reason points at the row people see."""
    upload.seek(0)
    raw = upload.read()
    name = safe_filename(str(getattr(upload, "name", "") or ""))
    lines = _xlsx_rows(raw, name) if name.lower().endswith(".xlsx") else _csv_rows(raw)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, cells in enumerate(lines, start=1):
        if header is None:
            header = cells
        elif any(cells):
            if len(rows) == max_rows:
                raise ValidationError(_("At most %(n)d rows per file.") % {"n": max_rows})
            rows.append((number, cells))
    return header or [], rows


def table_read(
    upload: Any,
    *,
    columns: Sequence[str],
    required: Collection[str],
    max_rows: int,
    aliases: Mapping[str, str] | None = None,
    ignored: Collection[str] = (),
) -> Rows:
    """(row number in the file, {column: text}) per non-blank data row of an uploaded CSV or
    XLSX file whose first row names its columns (case-insensitive; `aliases` maps other headings,
    e.g. Chinese ones, to column names; `ignored` columns are allowed and dropped).

    Raises a ValidationError with every problem of the file as a whole."""
    header_cells, grid = _grid(upload, max_rows=max_rows)
    if not grid:
        raise ValidationError(_("The file has no data rows."))
    aliases = aliases or {}
    header = [aliases.get(h.lstrip("\ufeff"), h.lstrip("\ufeff").lower()) for h in header_cells]
    named = [h for h in header if h]
    problems = []
    missing = set(required) - set(named)
    if missing:
        problems.append(
            _("Missing columns: %(columns)s.") % {"columns": ", ".join(sorted(missing))}
        )
    unknown = [h for h in named if h not in columns and h not in ignored]
    if unknown:
        problems.append(
            _("Unknown columns: %(columns)s. The columns are: %(known)s.")
            % {"columns": ", ".join(unknown), "known": ", ".join(columns)}
        )
    repeated = sorted({h for h in named if named.count(h) > 1})
    if repeated:
        problems.append(
            _("Columns named more than once: %(columns)s.") % {"columns": ", ".join(repeated)}
        )
    stray = [
        (number, index + 1)
        for number, cells in grid
        for index, cell in enumerate(cells)
        if cell and (index >= len(header) or not header[index])
    ]
    problems += [
        _("Row %(row)d has a value in column %(column)d, which has no heading.")
        % {"row": number, "column": column}
        for number, column in stray[:MAX_STRAY_REPORTED]
    ]
    if problems:
        raise ValidationError(problems)
    keep = [(i, h) for i, h in enumerate(header) if h in columns]
    return [
        (number, {h: cells[i] if i < len(cells) else "" for i, h in keep}) for number, cells in grid
    ]
