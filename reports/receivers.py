"""Mark rollup slices when the rows they sum change (connected in `ReportsConfig.ready`)."""

from __future__ import annotations

from typing import Any

from orders.models import Order, OrderStatusChange, Payment, Shipment, TopUpStatusChange

from .periods import month_of
from .rollups import rollups_mark, slices_of_order


def order_placed(sender: Any, instance: Order, created: bool, raw: bool = False, **_: Any) -> None:
    if created and not raw:
        rollups_mark([(instance.partner_id, month_of(instance.created_at))])


def order_moved(
    sender: Any, instance: OrderStatusChange, created: bool, raw: bool = False, **_: Any
) -> None:
    # The first status comes with the order itself, which order_placed has marked already.
    if created and not raw and instance.from_status:
        rollups_mark(slices_of_order(instance.order))


def shipment_made(
    sender: Any, instance: Shipment, created: bool, raw: bool = False, **_: Any
) -> None:
    if created and not raw:
        rollups_mark([(instance.order.partner_id, month_of(instance.shipped_at))])


def payment_saved(sender: Any, instance: Payment, raw: bool = False, **_: Any) -> None:
    if not raw:
        rollups_mark([(instance.partner_id, instance.received_on.replace(day=1))])


def top_up_moved(
    sender: Any, instance: TopUpStatusChange, created: bool, raw: bool = False, **_: Any
) -> None:
    if created and not raw:
        request = instance.request
        rollups_mark([(request.partner_id, request.transferred_on.replace(day=1))])


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    post_save.connect(order_placed, sender=Order, dispatch_uid="reports.order_placed")
    post_save.connect(order_moved, sender=OrderStatusChange, dispatch_uid="reports.order_moved")
    post_save.connect(shipment_made, sender=Shipment, dispatch_uid="reports.shipment_made")
    post_save.connect(payment_saved, sender=Payment, dispatch_uid="reports.payment_saved")
    post_save.connect(top_up_moved, sender=TopUpStatusChange, dispatch_uid="reports.top_up_moved")
    post_delete.connect(payment_saved, sender=Payment, dispatch_uid="reports.payment_deleted")
