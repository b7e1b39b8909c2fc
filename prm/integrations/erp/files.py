"""The file-exchange connector, for ERPs reached by file drops (many Kingdee / Yonyou sites).

The connection's folder holds:

* `inbox/`: files the ERP exports, named by what they hold: `products*.csv|xlsx`,
  `stock*.csv|xlsx`, `payments*.csv|xlsx`. Read in name order; once a sync step has applied
  them they move to `done/` (`acknowledge`), so a step that fails reads them again.
* `outbox/sales/<order no.>.csv` and `outbox/cancellations/<order no.>.csv`: what the PRM
  sends. Each is written to a temporary name and renamed, so the ERP never reads half a file;
  a file already there is the order already sent.

Columns are found by any of their names (`COLUMNS`: the PRM's English names, and the headings
of common Kingdee and Yonyou exports; docs/integrations.md has the table). A row that cannot be
read becomes a rejected record with its line number; the other rows go on. CSV may be UTF-8
(with or without BOM) or GB18030, which Chinese Excel and ERPs write.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from .connector import (
    InvoiceRecord,
    PaymentRecord,
    ProductRecord,
    SaleRecord,
    StockRecord,
)

COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "products": {
        "sku": ("sku", "code", "物料编码", "存货编码"),
        "name": ("name", "物料名称", "存货名称"),
        "list_price": ("list_price", "price", "单价", "参考售价", "零售价"),
        "active": ("active", "启用", "是否启用"),
    },
    "stock": {
        "sku": ("sku", "code", "物料编码", "存货编码"),
        "quantity": ("quantity", "库存数量", "即时库存", "现存量", "结存数量"),
    },
    "payments": {
        "external_id": ("id", "external_id", "单据编号", "收款单号"),
        "party_code": ("party_code", "customer_code", "客户编码", "统一社会信用代码"),
        "amount": ("amount", "收款金额", "本币金额", "金额"),
        "received_on": ("received_on", "date", "业务日期", "单据日期", "收款日期"),
        "reference": ("reference", "摘要", "备注"),
    },
}
OPTIONAL = {"active", "reference"}
NO = {"0", "false", "no", "否", "禁用", "n"}


class FileConnector:
    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)
        self.problems: list[tuple[str, str]] = []  # (file:line, reason) for the sync's log
        self._read: list[Path] = []

    # --- out ----------------------------------------------------------------------------------

    def _write(self, kind: str, number: str, rows: list[list[Any]]) -> str:
        target = self.folder / "outbox" / kind / f"{number}.csv"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            buffer = io.StringIO()
            csv.writer(buffer).writerows(rows)
            temporary = target.with_suffix(".tmp")
            temporary.write_text(buffer.getvalue(), encoding="utf-8-sig")
            os.replace(temporary, target)
        return target.name

    def push_sale(self, sale: SaleRecord) -> str:
        rows: list[list[Any]] = [
            ["order_number", "customer_code", "customer_name", "sku", "quantity", "unit_price"]
        ]
        rows += [
            [
                sale.number,
                sale.party.code,
                sale.party.name,
                line.sku,
                line.quantity,
                line.unit_price,
            ]
            for line in sale.lines
        ]
        return self._write("sales", sale.number, rows)

    def cancel_sale(self, number: str) -> None:
        self._write("cancellations", number, [["order_number"], [number]])

    # --- in -----------------------------------------------------------------------------------

    def _files(self, kind: str) -> list[Path]:
        inbox = self.folder / "inbox"
        if not inbox.is_dir():
            return []
        return sorted(
            p
            for p in inbox.iterdir()
            if p.name.lower().startswith(kind) and p.suffix.lower() in (".csv", ".xlsx")
        )

    def _rows(self, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for path in self._files(kind):
            self._read.append(path)
            table = _table(path)
            if not table:
                continue
            header = [str(h or "").strip() for h in table[0]]
            where: dict[str, int] = {}
            for field, names in COLUMNS[kind].items():
                found = next((header.index(n) for n in names if n in header), None)
                if found is not None:
                    where[field] = found
                elif field not in OPTIONAL:
                    self.problems.append(
                        (
                            path.name,
                            _("No column for %(field)s (one of %(names)s).")
                            % {"field": field, "names": ", ".join(names)},
                        )
                    )
            if set(COLUMNS[kind]) - OPTIONAL - set(where):
                continue
            for number, row in enumerate(table[1:], start=2):
                if not any(cell not in (None, "") for cell in row):
                    continue
                yield (
                    f"{path.name}:{number}",
                    {f: row[i] if i < len(row) else None for f, i in where.items()},
                )

    def acknowledge(self) -> None:
        done = self.folder / "done"
        done.mkdir(parents=True, exist_ok=True)
        for path in self._read:
            if path.exists():
                os.replace(path, done / path.name)
        self._read = []

    def products(self) -> list[ProductRecord]:
        records = []
        for where, row in self._rows("products"):
            try:
                sku = _text(row["sku"])
                records.append(
                    ProductRecord(
                        external_id=sku,
                        sku=sku,
                        name=_text(row["name"]),
                        list_price=_money(row["list_price"]),
                        active=_text(row.get("active") or "1").lower() not in NO,
                    )
                )
            except ValueError as exc:
                self.problems.append((where, str(exc)))
        return records

    def stock(self) -> list[StockRecord]:
        records = []
        for where, row in self._rows("stock"):
            try:
                quantity = _money(row["quantity"])
                if quantity != quantity.to_integral_value():
                    raise ValueError(_("Quantity %(n)s is not whole units.") % {"n": quantity})
                records.append(StockRecord(sku=_text(row["sku"]), quantity=int(quantity)))
            except ValueError as exc:
                self.problems.append((where, str(exc)))
        return records

    def payments(self, *, after: str = "") -> list[PaymentRecord]:
        # File drops carry no order of their own: every row is read, and the PRM records each
        # ERP id once, so `after` is not needed.
        records = []
        for where, row in self._rows("payments"):
            try:
                records.append(
                    PaymentRecord(
                        external_id=_text(row["external_id"]),
                        party_code=_text(row["party_code"]),
                        amount=_money(row["amount"]),
                        received_on=_day(row["received_on"]),
                        reference=_text(row.get("reference") or "", required=False),
                    )
                )
            except ValueError as exc:
                self.problems.append((where, str(exc)))
        return records

    def invoices(self) -> list[InvoiceRecord]:
        return []


def _table(path: Path) -> list[list[Any]]:
    if path.suffix.lower() == ".xlsx":
        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    return [list(row) for row in csv.reader(io.StringIO(text))]


def _text(value: Any, *, required: bool = True) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ValueError(_("A required value is empty."))
    return text


def _money(value: Any) -> Decimal:
    text = _text(value).replace(",", "").replace("¥", "").replace("￥", "")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(_("%(value)s is not a number.") % {"value": text}) from None


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(_("%(value)s is not a date (use 2026-12-01).") % {"value": text}) from None
