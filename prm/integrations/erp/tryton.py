"""The Tryton connector, over Tryton's XML-RPC with its client library proteus (8.0 LTS).

* Sales: `sale.reference` holds the PRM order number. A push first searches for it, so a push
  repeated after a crash, a lost answer or a second run creates nothing more; Tryton has no
  unique index on it, so `orders.erp.sync` serialises pushes of one order with a row lock.
  A pushed sale is quoted; the ERP's staff confirm it (Tryton's own step, which plans the
  shipment and the invoice).
* Parties: `party.code` is the partner's key (unique in Tryton), created on first use.
* Cancelling: a cancellation in the PRM cancels the quoted sale; once the ERP has confirmed it
  Tryton refuses, and the refusal is logged for someone to cancel it in Tryton (the ERP wins).
* Payments: posted credits on customers' receivable accounts (what the invoice Pay wizard or a
  bank statement writes), by move-line id, which only grows: the id is the sync's cursor.

Findings behind these choices (session auth, `list_price_used`, time zones): docs/tryton/.
"""

from __future__ import annotations

import base64
import xmlrpc.client
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from .connector import (
    ErpRefused,
    ErpUnavailable,
    InvoiceRecord,
    PartyRecord,
    PaymentRecord,
    ProductRecord,
    SaleRecord,
    StockRecord,
)

OPEN_STATES = ("draft", "quotation")


# A Tryton that accepts connections but never answers must fail the step, not hold the sync job
# until its time limit: every connect and every read waits at most this long.
SOCKET_TIMEOUT_SECONDS = 60.0


def _unavailable(exc: Exception) -> ErpUnavailable:
    return ErpUnavailable(f"Tryton cannot be reached: {exc}")


def _timed(base: Any) -> Any:
    """`base`, an xmlrpc transport, with a socket timeout on every connection (ServerProxy has
    no such argument)."""

    class Timed(base):
        timeout = SOCKET_TIMEOUT_SECONDS

        def make_connection(self, host: Any) -> Any:
            made = super().make_connection(host)
            made.timeout = self.timeout
            return made

    return Timed


_TimedTransport = _timed(xmlrpc.client.Transport)
_TimedSafeTransport = _timed(xmlrpc.client.SafeTransport)


def _transport(url: str, timeout: float, headers: list[tuple[str, str]]) -> Any:
    secure = urlsplit(url).scheme.lower() == "https"  # as ServerProxy reads it: HTTPS:// too
    made = (_TimedSafeTransport if secure else _TimedTransport)(
        use_builtin_types=True, headers=headers
    )
    made.timeout = timeout
    return made


class TrytonConnector:
    def __init__(
        self, *, url: str, login: str, password: str, timeout: float = SOCKET_TIMEOUT_SECONDS
    ) -> None:
        self.url = url
        self.login = login
        self.password = password
        self.timeout = timeout
        self._config: Any = None

    def _connect(self) -> Any:
        if self._config is None:
            from proteus import config as proteus_config

            try:
                server = xmlrpc.client.ServerProxy(
                    self.url,
                    allow_none=True,
                    use_builtin_types=True,
                    transport=_transport(self.url, self.timeout, []),
                )
                session: Any = server.common.db.login(self.login, {"password": self.password})
                auth = base64.b64encode(f"{self.login}:{session[0]}:{session[1]}".encode()).decode()
                # A transport given to ServerProxy ignores its headers: they go on the transport.
                self._config = proteus_config.set_xmlrpc(
                    self.url,
                    transport=_transport(
                        self.url, self.timeout, [("Authorization", "Session " + auth)]
                    ),
                )
            except (OSError, xmlrpc.client.ProtocolError) as exc:
                raise _unavailable(exc) from exc
            except xmlrpc.client.Fault as exc:
                raise ErpUnavailable(f"Tryton refused the login: {exc.faultString}") from exc
        return self._config

    def _model(self, name: str) -> Any:
        from proteus import Model

        return Model.get(name, config=self._connect())

    def _call(self, fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except (OSError, xmlrpc.client.ProtocolError) as exc:
            raise _unavailable(exc) from exc
        except xmlrpc.client.Fault as exc:
            raise ErpRefused(str(exc.faultString)) from exc

    def _read(self, model: str, domain: list[Any], fields: list[str], **context: Any) -> Any:
        config = self._connect()
        proxy = self._model(model)._proxy
        with config.set_context(**context):
            return self._call(
                proxy.search_read, domain, 0, None, [("id", "ASC")], fields, config.context
            )

    # --- sales -------------------------------------------------------------------------------

    def _sale(self, number: str) -> Any:
        found = self._call(self._model("sale.sale").find, [("reference", "=", number)])
        live = [s for s in found if s.state != "cancelled"]
        return live[0] if live else None

    def _party(self, party: PartyRecord) -> Any:
        Party = self._model("party.party")
        found = self._call(Party.find, [("code", "=", party.code)])
        if found:
            return found[0]
        record = Party(name=party.name, code=party.code)
        self._call(record.save)
        return record

    def push_sale(self, sale: SaleRecord) -> str:
        existing = self._sale(sale.number)
        if existing is not None:
            return str(existing.id)
        products = {
            p.code: p
            for p in self._call(
                self._model("product.product").find,
                [("code", "in", [line.sku for line in sale.lines])],
            )
        }
        missing = sorted({line.sku for line in sale.lines} - set(products))
        if missing:
            raise ErpRefused(f"Not products in Tryton: {', '.join(missing)}")
        terms = self._call(self._model("account.invoice.payment_term").find, [])
        record = self._model("sale.sale")(
            party=self._party(sale.party),
            reference=sale.number,
            description=f"PRM {sale.number}",
            comment=sale.note,
        )
        if terms:
            record.payment_term = terms[0]
        for line in sale.lines:
            new = record.lines.new()
            # One attribute at a time: each runs Tryton's on_change (unit, taxes).
            new.product = products[line.sku]
            new.quantity = line.quantity
            new.unit_price = line.unit_price
        self._call(record.save)
        self._call(record.click, "quote")
        return str(record.id)

    def cancel_sale(self, number: str) -> None:
        found = self._sale(number)
        if found is None:
            return
        if found.state not in OPEN_STATES:
            raise ErpRefused(f"The Tryton sale for {number} is {found.state}; cancel it in Tryton.")
        self._call(found.click, "cancel")

    # --- pulls -------------------------------------------------------------------------------

    def products(self) -> list[ProductRecord]:
        rows = self._read(
            "product.product",
            [("salable", "=", True), ("code", "!=", None)],
            ["code", "name", "list_price_used", "active"],
        )
        return [
            ProductRecord(
                external_id=str(row["id"]),
                sku=row["code"],
                name=row["name"],
                list_price=Decimal(row["list_price_used"] or 0),
                active=bool(row["active"]),
            )
            for row in rows
        ]

    def stock(self) -> list[StockRecord]:
        warehouses = self._call(self._model("stock.location").find, [("type", "=", "warehouse")])
        if not warehouses:
            return []
        rows = self._read(
            "product.product",
            [("type", "=", "goods"), ("code", "!=", None)],
            ["code", "quantity"],
            locations=[warehouses[0].id],
        )
        return [StockRecord(sku=row["code"], quantity=int(row["quantity"])) for row in rows]

    def payments(self, *, after: str = "") -> list[PaymentRecord]:
        domain: list[Any] = [
            ("account.type.receivable", "=", True),
            ("move.state", "=", "posted"),
            ("credit", ">", 0),
            ("party", "!=", None),
        ]
        if after:
            domain.append(("id", ">", int(after)))
        rows = self._read(
            "account.move.line", domain, ["date", "credit", "party.code", "move.number"]
        )
        return [
            PaymentRecord(
                external_id=str(row["id"]),
                party_code=(row.get("party.") or {}).get("code") or "",
                amount=Decimal(row["credit"]),
                received_on=row["date"],
                reference=(row.get("move.") or {}).get("number") or "",
            )
            for row in rows
        ]

    def invoices(self) -> list[InvoiceRecord]:
        rows = self._read(
            "account.invoice",
            [("type", "=", "out"), ("state", "in", ["posted", "paid"])],
            [
                "number",
                "invoice_date",
                "total_amount",
                "amount_to_pay",
                "state",
                "party.code",
                "origins",
            ],
        )
        return [
            InvoiceRecord(
                external_id=str(row["id"]),
                number=row["number"] or "",
                party_code=(row.get("party.") or {}).get("code") or "",
                invoice_date=row["invoice_date"],
                total=Decimal(row["total_amount"]),
                amount_due=Decimal(row["amount_to_pay"]),
                state=row["state"],
                order_numbers=tuple(_references(row.get("origins") or "")),
            )
            for row in rows
        ]


def _references(origins: str) -> list[str]:
    """Tryton names an invoice's origins like "1 [SO-0001], 2 [SO-0002]"."""
    return [part.split("[", 1)[1].rstrip("]") for part in origins.split(", ") if "[" in part]
