"""ERP synchronisation: each job asks the connection's connector, applies what comes back
through the PRM's own services, keeps the links (`ExternalRef`) and logs the run (`SyncRun`,
with each rejected record and why).

Who wins when both sides hold a field (docs/integrations.md, "Conflict rules"):

* product: the ERP wins SKU, Chinese name, list price and on sale; the PRM keeps the English
  name, product line, category, description, pictures, pack size and minimum order;
* stock: the ERP wins on hand in the linked warehouse; what orders hold (reserved) is the
  PRM's, and a count below it is refused and logged;
* order: the PRM's until the ERP confirms the sale; a cancellation after that is refused by
  the ERP and logged for someone to cancel it there;
* payment: the ERP's amount, day and reference, posted once per ERP id; the PRM applies it
  (credit first, then the wallet).

A connector that cannot reach the ERP fails the run (`ErpUnavailable`); nothing half-applied
stays, and the next run (beat, every 15 minutes) starts again from where the links say. Any
other error fails the run too, with its reason, and is raised (docs/faults.md).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Partner
from prm.integrations.erp.connector import (
    Connector,
    ErpRefused,
    ErpUnavailable,
    PartyRecord,
    SaleLine,
    SaleRecord,
)
from prm.integrations.erp.files import FileConnector
from prm.integrations.erp.tryton import TrytonConnector

from ..ledger import payment_record
from ..models import Order, OrderStatus, PaymentMethod, Product, Stock
from .models import (
    ErpConnection,
    ErpInvoice,
    ErpKind,
    ExternalRef,
    RunStatus,
    SyncDirection,
    SyncRun,
)

PUSHED = (
    OrderStatus.APPROVED,
    OrderStatus.PARTIALLY_SHIPPED,
    OrderStatus.SHIPPED,
    OrderStatus.RECEIVED,
    OrderStatus.COMPLETED,
)
UNIT_PLACES = Decimal("0.0001")


def connector_for(connection: ErpConnection) -> Connector:
    if connection.kind == ErpKind.TRYTON:
        return TrytonConnector(
            url=connection.url, login=connection.login, password=connection.password
        )
    return FileConnector(connection.url)


def party_code(partner: Partner) -> str:
    """The partner's key in the ERP: its unified social credit code, which Chinese ERPs keep
    on the customer; PRM-<id> for a partner without one."""
    return partner.credit_code or f"PRM-{partner.pk}"


def _partner_by_code(code: str) -> Partner | None:
    if code.startswith("PRM-") and code[4:].isdigit():
        return Partner.objects.filter(pk=int(code[4:])).first()
    return Partner.objects.filter(credit_code=code).first() if code else None


def _logged(
    connection: ErpConnection, direction: str, body: Callable[[Connector, SyncRun], None]
) -> SyncRun:
    run = SyncRun.objects.create(connection=connection, direction=direction)
    connector = connector_for(connection)
    try:
        body(connector, run)
    except ErpUnavailable as exc:
        run.status, run.error = RunStatus.FAILED, str(exc)
    except Exception as exc:
        # Anything else (an answer cut off midway, the job's time limit, a bug) fails the run
        # with its reason instead of leaving it "running" for ever; the job still fails.
        run.status, run.error = RunStatus.FAILED, f"{type(exc).__name__}: {exc}"
        run.finished_at = timezone.now()
        run.save()
        raise
    else:
        # Rows a file connector could not read are rejected records like any other.
        for record, reason in getattr(connector, "problems", []):
            _reject(run, record, reason)
        acknowledge = getattr(connector, "acknowledge", None)
        if acknowledge is not None:
            acknowledge()
        run.status = RunStatus.PARTIAL if run.rejected else RunStatus.SUCCEEDED
    run.finished_at = timezone.now()
    run.save()
    return run


def _unknown_partner(code: str) -> str:
    return _("No partner with the code %(code)s.") % {"code": code}


def _reject(run: SyncRun, record: str, reason: str, data: dict[str, Any] | None = None) -> None:
    run.rejections.create(record=record[:100], reason=reason, data=data or {})
    run.rejected += 1


def _ref(connection: ErpConnection, object_type: str, *, local_id: int) -> ExternalRef | None:
    return ExternalRef.objects.filter(
        connection=connection, object_type=object_type, local_id=local_id
    ).first()


# --- orders to the ERP ----------------------------------------------------------------------


def sale_record(order: Order) -> SaleRecord:
    lines = tuple(
        SaleLine(
            sku=line.product.sku,
            quantity=line.quantity,
            # Net of every discount, so the ERP's total is the PRM's.
            unit_price=(line.line_total / line.quantity).quantize(UNIT_PLACES),
        )
        for line in order.lines.select_related("product").order_by("pk")
    )
    party = PartyRecord(code=party_code(order.partner), name=order.partner.name)
    return SaleRecord(number=order.number, party=party, lines=lines, note=order.note)


def _push_one(connector: Connector, connection: ErpConnection, run: SyncRun, pk: int) -> None:
    # One order at a time, its row locked: two runs never push the same order together
    # (Tryton has no unique index on the reference), and one slow order holds no other.
    with transaction.atomic():
        order = (
            Order.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("partner")
            .filter(pk=pk)
            .first()
        )
        if order is None or _ref(connection, "order", local_id=pk):
            return
        try:
            external = connector.push_sale(sale_record(order))
        except ErpRefused as exc:
            _reject(run, order.number, str(exc))
            return
        ExternalRef.objects.create(
            connection=connection, object_type="order", local_id=pk, external_id=external
        )
        run.created += 1


def _cancel_one(connector: Connector, connection: ErpConnection, run: SyncRun, pk: int) -> None:
    with transaction.atomic():
        order = Order.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
        sale = _ref(connection, "order", local_id=pk)
        if order is None or sale is None or _ref(connection, "order_cancel", local_id=pk):
            return
        try:
            connector.cancel_sale(order.number)
        except ErpRefused as exc:
            _reject(run, order.number, str(exc))
            return
        ExternalRef.objects.create(
            connection=connection,
            object_type="order_cancel",
            local_id=pk,
            external_id=sale.external_id,
        )
        run.updated += 1


def erp_push_orders(*, connection: ErpConnection) -> SyncRun:
    """Approved orders not yet in the ERP become its sales; cancelled ones are cancelled there."""

    def body(connector: Connector, run: SyncRun) -> None:
        recent = Order.objects.filter(created_at__gte=connection.orders_from).order_by("pk")
        linked = ExternalRef.objects.filter(connection=connection, object_type="order")
        for pk in (
            recent.filter(status__in=PUSHED)
            .exclude(pk__in=linked.values("local_id"))
            .values_list("pk", flat=True)
        ):
            _push_one(connector, connection, run, pk)
        cancelled = recent.filter(
            status=OrderStatus.CANCELLED, pk__in=linked.values("local_id")
        ).exclude(
            pk__in=ExternalRef.objects.filter(
                connection=connection, object_type="order_cancel"
            ).values("local_id")
        )
        for pk in cancelled.values_list("pk", flat=True):
            _cancel_one(connector, connection, run, pk)

    return _logged(connection, SyncDirection.PUSH_ORDERS, body)


# --- products, stock and payments from the ERP ------------------------------------------------


def erp_pull_products(*, connection: ErpConnection) -> SyncRun:
    def body(connector: Connector, run: SyncRun) -> None:
        # Links and products read once, not per record: a catalog has thousands of rows.
        linked = dict(
            ExternalRef.objects.filter(connection=connection, object_type="product").values_list(
                "external_id", "local_id"
            )
        )
        by_pk = {p.pk: p for p in Product.objects.all()}
        by_sku = {p.sku.upper(): p for p in by_pk.values()}
        for record in connector.products():
            with transaction.atomic():
                ref = linked.get(record.external_id)
                product = by_pk.get(ref) if ref else by_sku.get(record.sku.upper())
                if product is None:
                    if connection.product_line is None:
                        _reject(
                            run,
                            record.sku,
                            _("New product: set the connection's product line for new products."),
                        )
                        continue
                    product = Product.objects.create(
                        sku=record.sku,
                        name=record.name,
                        list_price=record.list_price,
                        is_active=record.active,
                        product_line=connection.product_line,
                    )
                    by_sku[product.sku.upper()] = by_pk[product.pk] = product
                    run.created += 1
                else:
                    erp_side = {
                        "sku": record.sku,
                        "name": record.name,
                        "list_price": record.list_price,
                        "is_active": record.active,
                    }
                    changed = [f for f, v in erp_side.items() if getattr(product, f) != v]
                    for field in changed:
                        setattr(product, field, erp_side[field])
                    if changed:
                        product.save(update_fields=changed)
                        run.updated += 1
                    else:
                        run.unchanged += 1
                if ref is None:
                    linked[record.external_id] = product.pk
                    ExternalRef.objects.update_or_create(
                        connection=connection,
                        object_type="product",
                        local_id=product.pk,
                        defaults={"external_id": record.external_id},
                    )

    return _logged(connection, SyncDirection.PULL_PRODUCTS, body)


def erp_pull_stock(*, connection: ErpConnection) -> SyncRun:
    from ..inventory import stock_adjust, stock_receive

    def body(connector: Connector, run: SyncRun) -> None:
        if connection.warehouse is None:
            _reject(run, "—", _("Set the connection's PRM warehouse for ERP stock."))
            return
        products = {p.sku.upper(): p for p in Product.objects.all()}
        stocks = {s.product_id: s for s in Stock.objects.filter(warehouse=connection.warehouse)}
        for record in connector.stock():
            product = products.get(record.sku.upper())
            if product is None:
                _reject(run, record.sku, _("No product with this SKU in the PRM."))
                continue
            stock = stocks.get(product.pk)
            try:
                with transaction.atomic():
                    if stock is None:
                        if record.quantity > 0:
                            stock_receive(
                                product=product,
                                warehouse=connection.warehouse,
                                quantity=record.quantity,
                                memo="ERP",
                            )
                            run.created += 1
                        else:
                            run.unchanged += 1
                    elif stock.on_hand != record.quantity:
                        stock_adjust(stock=stock, counted=record.quantity, memo="ERP")
                        run.updated += 1
                    else:
                        run.unchanged += 1
            except ValidationError as exc:  # a refused count is logged; the rest go on
                _reject(run, record.sku, " ".join(exc.messages))

    return _logged(connection, SyncDirection.PULL_STOCK, body)


def erp_pull_payments(*, connection: ErpConnection) -> SyncRun:
    """Payments posted in the ERP, each once (`payment_record` with source and ERP id), from
    the last one seen: they pay off credit, fill the wallet and count as collected (回款) for
    rebates on that basis."""
    source = connection.kind[:16]

    def body(connector: Connector, run: SyncRun) -> None:
        cursor = ExternalRef.objects.filter(connection=connection, object_type="payment_cursor")
        after = cursor.values_list("external_id", flat=True).first() or ""
        last, stuck = after, False
        for record in connector.payments(after=after):
            partner = _partner_by_code(record.party_code)
            if partner is None:
                _reject(run, record.external_id, _unknown_partner(record.party_code))
                stuck = True
            else:
                try:
                    with transaction.atomic():
                        payment_record(
                            partner=partner,
                            amount=record.amount,
                            received_on=record.received_on,
                            method=PaymentMethod.BANK_TRANSFER,
                            reference=record.reference,
                            source=source,
                            external_id=record.external_id,
                        )
                    run.created += 1
                except ValidationError as exc:
                    _reject(run, record.external_id, " ".join(exc.messages))
                    stuck = True
            # The cursor stops before the first refused payment, so it is read again once
            # fixed; the ones after it are read again too and recorded once (ERP id).
            if not stuck:
                last = record.external_id
        if last != after:
            ExternalRef.objects.update_or_create(
                connection=connection,
                object_type="payment_cursor",
                local_id=0,
                defaults={"external_id": last},
            )

    return _logged(connection, SyncDirection.PULL_PAYMENTS, body)


def erp_pull_invoices(*, connection: ErpConnection) -> SyncRun:
    """The ERP's customer invoices, upserted by ERP id: what each bills and what is still due
    (the ERP wins every field; the PRM issues no invoices)."""

    def body(connector: Connector, run: SyncRun) -> None:
        for record in connector.invoices():
            partner = _partner_by_code(record.party_code)
            if partner is None:
                _reject(
                    run,
                    record.number or record.external_id,
                    _unknown_partner(record.party_code),
                )
                continue
            values = {
                "number": record.number,
                "partner": partner,
                "invoice_date": record.invoice_date,
                "total": record.total,
                "amount_due": record.amount_due,
                "state": record.state,
                "order_numbers": list(record.order_numbers),
            }
            current = ErpInvoice.objects.filter(
                connection=connection, external_id=record.external_id
            ).first()
            if current is None:
                ErpInvoice.objects.create(
                    connection=connection, external_id=record.external_id, **values
                )
                run.created += 1
            elif any(getattr(current, f) != v for f, v in values.items()):
                for field, value in values.items():
                    setattr(current, field, value)
                current.save()
                run.updated += 1
            else:
                run.unchanged += 1

    return _logged(connection, SyncDirection.PULL_INVOICES, body)
