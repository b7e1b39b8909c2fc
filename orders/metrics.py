"""What the ordering mall contributes to partner scorecards."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db.models import Sum

from .models import Order, OrderStatus

# Orders count once the vendor has accepted them, at every later step of fulfilment;
# submitted, cancelled and rejected ones do not.
COUNTED = (
    OrderStatus.APPROVED,
    OrderStatus.PARTIALLY_SHIPPED,
    OrderStatus.SHIPPED,
    OrderStatus.RECEIVED,
    OrderStatus.COMPLETED,
)


def rolling_purchases(
    *, partner_ids: list[int] | None, since: datetime, until: datetime
) -> dict[int, Decimal]:
    orders = Order.objects.filter(created_at__gte=since, created_at__lt=until, status__in=COUNTED)
    if partner_ids is not None:
        orders = orders.filter(partner_id__in=partner_ids)
    return dict(
        orders.order_by()
        .values("partner_id")
        .annotate(total=Sum("total"))
        .values_list("partner_id", "total")
    )
