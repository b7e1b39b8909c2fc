"""What the outbox tells other systems about orders, shipments and payments (payloads in
docs/integrations_events.md). Each helper records its event in the caller's transaction and
hands back what it was given, so a service adds it around the value it returns."""

from __future__ import annotations

from typing import Any

from prm.integrations import events as ev
from prm.integrations.outbox import outbox_emit
from prm.integrations.payloads import iso, money, partner_ref, tenant_currency

from .models import Order, Payment, Shipment


def order_ref(order: Order) -> dict[str, Any]:
    return {
        "id": order.pk,
        "number": order.number,
        "status": order.status,
        "currency": order.currency,
        "total": money(order.total),
        "placed_at": iso(order.created_at),
    }


def order_payload(order: Order, *, reason: str = "") -> dict[str, Any]:
    lines = [
        {
            "sku": line.product.sku,
            "name": line.product.name,
            "quantity": line.quantity,
            "unit_price": money(line.unit_price),
            "line_total": money(line.line_total),
            "is_gift": line.is_gift,
        }
        for line in order.lines.select_related("product").order_by("pk")
    ]
    payload: dict[str, Any] = {
        "order": {**order_ref(order), "ship_to": order.ship_to, "lines": lines},
        "partner": partner_ref(order.partner),
    }
    if reason:
        payload["reason"] = reason
    return payload


def order_emitted(event_type: str, order: Order, *, reason: str = "") -> Order:
    outbox_emit(event_type=event_type, payload=order_payload(order, reason=reason), obj=order)
    return order


def shipment_payload(shipment: Shipment) -> dict[str, Any]:
    order = shipment.order
    lines = [
        {"sku": line.order_line.product.sku, "quantity": line.quantity}
        for line in shipment.lines.select_related("order_line__product").order_by("pk")
    ]
    return {
        "shipment": {
            "id": shipment.pk,
            "number": shipment.number,
            "carrier": shipment.carrier,
            "tracking_number": shipment.tracking_number,
            "warehouse": shipment.warehouse.code,
            "shipped_at": iso(shipment.shipped_at),
            "lines": lines,
        },
        "order": order_ref(order),
        "partner": partner_ref(order.partner),
    }


def shipment_emitted(shipment: Shipment) -> Shipment:
    outbox_emit(event_type=ev.ORDER_SHIPPED, payload=shipment_payload(shipment), obj=shipment)
    return shipment


def payment_payload(payment: Payment) -> dict[str, Any]:
    return {
        "payment": {
            "id": payment.pk,
            "number": payment.number,
            "amount": money(payment.amount),
            "currency": tenant_currency(),
            "method": payment.method,
            "received_on": iso(payment.received_on),
            "reference": payment.reference,
            "source": payment.source,
            "external_id": payment.external_id,
        },
        "partner": partner_ref(payment.partner),
    }


def payment_emitted(payment: Payment) -> Payment:
    outbox_emit(event_type=ev.PAYMENT_RECORDED, payload=payment_payload(payment), obj=payment)
    return payment
