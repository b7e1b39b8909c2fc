"""What the PRM asks of an ERP, whatever the ERP: push sales orders and their cancellations;
pull products with prices, stock levels, invoices and collected payments.

A connector speaks the ERP's protocol and returns these plain records; `orders.erp.sync` applies
them to the PRM's tables (and keeps the links, the log and the conflict rules). Money is Decimal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol


class ErpUnavailable(Exception):
    """The ERP could not be reached or answered with a server error: try again later."""


class ErpRefused(Exception):
    """The ERP refused one record (its message says why); the others go on."""


@dataclass(frozen=True)
class PartyRecord:
    code: str  # the PRM's key for the partner in the ERP
    name: str


@dataclass(frozen=True)
class SaleLine:
    sku: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class SaleRecord:
    number: str  # the PRM order number: the ERP keeps it as the sale's reference
    party: PartyRecord
    lines: tuple[SaleLine, ...]
    note: str = ""


@dataclass(frozen=True)
class ProductRecord:
    external_id: str
    sku: str
    name: str
    list_price: Decimal
    active: bool = True


@dataclass(frozen=True)
class StockRecord:
    sku: str
    quantity: int  # on hand in the connection's warehouse


@dataclass(frozen=True)
class PaymentRecord:
    external_id: str
    party_code: str
    amount: Decimal
    received_on: date
    reference: str = ""


@dataclass(frozen=True)
class InvoiceRecord:
    external_id: str
    number: str
    party_code: str
    invoice_date: date | None
    total: Decimal
    amount_due: Decimal
    state: str
    order_numbers: tuple[str, ...] = ()


class Connector(Protocol):
    def push_sale(self, sale: SaleRecord) -> str:
        """The ERP's id of the sale for `sale.number`, creating it only when the ERP has none
        (so a push repeated after a lost answer or a crash creates nothing more)."""

    def cancel_sale(self, number: str) -> None:
        """Cancel the sale for this order number; ErpRefused when the ERP cannot any more."""

    def products(self) -> list[ProductRecord]: ...

    def stock(self) -> list[StockRecord]: ...

    def payments(self, *, after: str = "") -> list[PaymentRecord]:
        """Payments the ERP posted, oldest first, after the cursor `after` (an external id)."""

    def invoices(self) -> list[InvoiceRecord]: ...
