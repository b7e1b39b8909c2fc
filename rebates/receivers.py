"""What in the ordering mall moves a rebate basis, mapped to the partner and the local day whose
period it changes (a return changes the period of its original order); and a won deal, which
may earn a new-customer bonus in the period of its closing day."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from deal_registration.models import DealRegistration, DealStatus
from orders.models import Order, Payment, ReturnRequest, SellOut, Shipment
from prm.tenancy.selectors import tenant_zone

from .tasks import queue_recalculation


def _local(moment: Any) -> Any:
    return timezone.localtime(moment, tenant_zone()).date()


def on_order_saved(sender: Any, instance: Order, **kwargs: Any) -> None:
    queue_recalculation(instance.partner_id, _local(instance.created_at))


def on_shipment_saved(sender: Any, instance: Shipment, **kwargs: Any) -> None:
    order = instance.order
    queue_recalculation(order.partner_id, _local(instance.shipped_at))
    queue_recalculation(order.partner_id, _local(order.created_at))


def on_payment_saved(sender: Any, instance: Payment, **kwargs: Any) -> None:
    queue_recalculation(instance.partner_id, instance.received_on)


def on_return_saved(sender: Any, instance: ReturnRequest, **kwargs: Any) -> None:
    order = instance.order
    queue_recalculation(order.partner_id, _local(order.created_at))


def on_sell_out_saved(sender: Any, instance: SellOut, **kwargs: Any) -> None:
    queue_recalculation(instance.partner_id, instance.sold_on)


def on_deal_saved(sender: Any, instance: DealRegistration, **kwargs: Any) -> None:
    if instance.status == DealStatus.WON and instance.closed_on is not None:
        queue_recalculation(instance.partner_id, instance.closed_on)
